"""How the rules read laboratory results where the sources leave a reading to make.

- :class:`SdReading`: "below 2 SD of the normal level for age" read against a reference interval
  that gives only limits, not a mean and SD.
- :class:`TreatmentConfounder`: results that stop reflecting the patient's own immune system once
  a treatment starts (serum IgG during immunoglobulin replacement is mostly infused IgG).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from immunocare.domain import ItemKind
from immunocare.knowledge._base import KBItem, Topic
from immunocare.knowledge.topics._criteria import analyte_problems

if TYPE_CHECKING:
    from immunocare.knowledge._kb import KnowledgeBase

__all__ = ["ORDER", "TOPIC", "SdReading", "TreatmentConfounder"]

ORDER = 25


class SdReading(KBItem):
    """A number of SD from the mean, read as a limit of the age-related reference interval."""

    type: Literal["sd_reading"]
    sd: float = Field(gt=0, description="The number of SD the rule names.")
    read_as: Literal["lower_limit"] = Field(
        description="The limit of the reference interval that stands for it."
    )


class TreatmentConfounder(KBItem):
    """Results of ``analytes`` sampled on or after the start of ``treatment`` are not used by the rules."""

    type: Literal["treatment_confounder"]
    analytes: tuple[str, ...] = Field(min_length=1)
    treatment: Literal[ItemKind.INFUSIONS] = Field(description="The record section that holds the treatment.")


LabInterpretationItem = Annotated[SdReading | TreatmentConfounder, Field(discriminator="type")]


def _cross_check(kb: KnowledgeBase) -> list[str]:
    return [
        problem
        for item in kb.of(TreatmentConfounder)
        for problem in analyte_problems(kb, item.id, item.analytes)
    ]


TOPIC = Topic(
    name="lab_interpretation",
    title="Reading laboratory results in the rules",
    item_type=LabInterpretationItem,
    cross_check=_cross_check,
)

"""What an imaging finding means as a phenotype: each structured finding's HPO terms.

One item type lives in ``data/imaging/``: :class:`ImagingPhenotype` maps an
:class:`~immunocare.domain.ImagingFindingKind` to the HPO terms it shows, each with its name as
the bundled HPO release spells it, so that the differential and the criteria can read an imaging
finding as an observed phenotype. Imaging *advice* (which study to do, when) is part of the
work-up (:class:`~immunocare.knowledge.topics.workup.WorkupImaging`).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator

from immunocare.domain import ImagingFindingKind
from immunocare.domain.codes import hpo_problem
from immunocare.knowledge._base import KBItem, KBModel, Topic

if TYPE_CHECKING:
    from immunocare.knowledge._kb import KnowledgeBase

__all__ = ["ORDER", "TOPIC", "ImagingPhenotype", "NamedTerm"]

ORDER = 57


class NamedTerm(KBModel):
    """An HPO term with its name (checked against the bundled release by a test)."""

    id: str
    name: str = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _hpo_id(cls, term: str) -> str:
        problem = hpo_problem(term)
        if problem:
            raise ValueError(f"{term}: {problem}")
        return term


class ImagingPhenotype(KBItem):
    """The HPO terms an imaging finding shows, whatever its extent."""

    type: Literal["phenotype"]
    finding: ImagingFindingKind
    terms: tuple[NamedTerm, ...] = Field(min_length=1)


def _imaging_problems(kb: KnowledgeBase) -> list[str]:
    counts = Counter(item.finding for item in kb.of(ImagingPhenotype))
    return [f"{finding.value}: more than one phenotype item" for finding, n in counts.items() if n > 1]


TOPIC = Topic(
    name="imaging",
    title="Imaging findings as HPO phenotypes",
    item_type=ImagingPhenotype,
    cross_check=_imaging_problems,
)

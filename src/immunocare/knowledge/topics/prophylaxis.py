"""Antimicrobial prophylaxis by diagnosis group: what a source recommends, and at what dose.

A recommendation says who (by record code, IUIS subtable, ESID definition or gene) should receive
which prophylaxis; a dose item gives an agent's dose bands for one recommendation, chosen by age and
weight. Doses are kept apart from recommendations so an unverified dose never taints a verified
recommendation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, model_validator

from immunocare.domain.units import Quantity
from immunocare.errors import NotFoundError, ValidationError
from immunocare.knowledge._base import ID_PATTERN, KBItem, KBModel, Topic

from ._criteria import Tree, reference_problems
from ._groups import PatientGroup, gene_table_problems
from .ig_products import Dose, Duration, When

if TYPE_CHECKING:
    from immunocare.knowledge import KnowledgeBase

__all__ = ["ORDER", "TOPIC", "DoseBand", "ProphylaxisDose", "ProphylaxisRecommendation"]

ORDER = 62


class ProphylaxisRecommendation(KBItem, PatientGroup):
    """Who should receive which prophylaxis, in the source's words, with its evidence grade.

    The patients are those of its :class:`~immunocare.knowledge.topics._groups.PatientGroup`;
    ``condition`` is a further condition in the source's words, and ``when`` that condition as a
    criterion tree over the record where it can be computed (without one, a clinician confirms it).
    """

    kind: Literal["recommendation"]
    condition: str | None = Field(None, description="A further condition, e.g. chronic lung disease.")
    when: Tree | None = None
    purpose: Literal["bacterial", "pneumocystis", "fungal", "meningococcal", "infection"]
    action: str = Field(min_length=1)
    agents: tuple[str, ...] = ()
    atc: tuple[str, ...] = Field((), description="ATC codes of the agents, to find them among medications.")
    grade: str | None = None

    @model_validator(mode="after")
    def _patients_and_condition(self) -> ProphylaxisRecommendation:
        if not (self.diagnoses or self.iuis or self.esid or self.genes):
            raise ValueError("name the patients: diagnoses, iuis, esid or genes")
        if self.when is not None and self.condition is None:
            raise ValueError("a 'when' tree computes the 'condition': give the condition in words too")
        return self


class DoseBand(KBModel):
    """A dose for the patients matching any of ``when_any`` (none: everyone not matched before).

    ``amount`` is given per administration, or as the total per ``per`` divided into
    ``administrations`` doses.
    """

    when_any: tuple[When, ...] = ()
    amount: Dose
    amount_is: Literal["per administration", "total per period"] = "per administration"
    per: Duration
    administrations: int = Field(1, ge=1)


class ProphylaxisDose(KBItem):
    """An agent's dose bands for one recommendation; the first matching band applies."""

    kind: Literal["dose"]
    recommendation: str = Field(pattern=ID_PATTERN)
    agent: str = Field(min_length=1)
    route: Literal["oral", "intravenous", "subcutaneous"] = "oral"
    bands: tuple[DoseBand, ...] = Field(min_length=1)
    duration: Duration | None = None

    @model_validator(mode="after")
    def _fallback_last(self) -> ProphylaxisDose:
        if any(not band.when_any for band in self.bands[:-1]):
            raise ValueError("only the last band may apply to everyone")
        return self

    def band_for(self, *, age: Quantity | None = None, weight: Quantity | None = None) -> DoseBand | None:
        """The first band this patient is in, or ``None`` when no band covers them.

        Raises:
            ValidationError: when the age or weight a band needs is missing.
        """
        for band in self.bands:
            verdicts = [when.matches(age=age, weight=weight) for when in band.when_any]
            if not band.when_any or True in verdicts:
                return band
            if None in verdicts:
                missing = "age" if age is None else "weight"
                raise ValidationError.single(missing, f"is needed to choose the {self.agent} dose")
        return None


ProphylaxisItem = Annotated[ProphylaxisRecommendation | ProphylaxisDose, Field(discriminator="kind")]


def _dose_problem(kb: KnowledgeBase, dose: ProphylaxisDose) -> str | None:
    try:
        recommendation = kb.get(dose.recommendation)
    except NotFoundError:
        recommendation = None
    if not isinstance(recommendation, ProphylaxisRecommendation):
        return f"{dose.id}: names recommendation {dose.recommendation!r}, which is not in the knowledge base"
    if dose.agent not in recommendation.agents:
        return f"{dose.id}: {dose.agent!r} is not an agent of {recommendation.id}"
    return None


def _cross_check(kb: KnowledgeBase) -> list[str]:
    items = kb.topics.get("prophylaxis", ())
    doses = [item for item in items if isinstance(item, ProphylaxisDose)]
    problems = [problem for dose in doses if (problem := _dose_problem(kb, dose))]
    for item in items:
        if isinstance(item, ProphylaxisRecommendation) and item.when is not None:
            problems.extend(reference_problems(kb, item.id, item.when))
    return problems + gene_table_problems(kb, items)


TOPIC = Topic(
    name="prophylaxis",
    title="Antimicrobial prophylaxis by diagnosis group",
    item_type=ProphylaxisItem,
    cross_check=_cross_check,
)

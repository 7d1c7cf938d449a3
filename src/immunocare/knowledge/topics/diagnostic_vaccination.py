"""Diagnostic vaccination: protective antibody levels and how to judge a vaccine challenge.

Every threshold is data, so the evaluator holds no number of its own:

- :class:`ProtectiveLevel`: the antibody concentration taken as protective for some analytes.
- :class:`PolysaccharideResponse`: the pneumococcal polysaccharide (PPSV23) phenotypes by age
  group, each grade a list of :class:`Criterion` that must all hold; grades are tried in order
  and the first that holds is the phenotype. Serotypes of conjugate vaccines the patient received
  (looked up in the ``vaccines`` topic by platform) are left out of the judgement.
- :class:`PairedResponse`: responder status from a pre- and a post-vaccination sample, as an
  ordered list of outcomes, the first whose conditions all hold applying.
- :class:`SampleWindow`: when after vaccination the post-vaccination sample is drawn.
"""

from __future__ import annotations

import math
import operator
import typing
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, field_validator, model_validator

from immunocare.domain.ages import Duration
from immunocare.knowledge._base import KBItem, KBModel, Topic

from .analytes import analyte_problem
from .reference_intervals import AgeDuration, contiguity_problems
from .vaccines import Vaccine

if TYPE_CHECKING:
    from immunocare.knowledge._kb import KnowledgeBase

__all__ = [
    "ORDER",
    "TOPIC",
    "AgeGroup",
    "Condition",
    "CountCriterion",
    "Criterion",
    "FractionCriterion",
    "Grade",
    "LossCriterion",
    "Outcome",
    "PairedResponse",
    "PolysaccharideResponse",
    "ProtectiveLevel",
    "ResponderStatus",
    "RiseCriterion",
    "SampleWindow",
    "Threshold",
]

ORDER = 30

Comparator = Literal["<", "<=", ">", ">="]
VaccineTarget = Literal["pneumococcal_polysaccharide", "tetanus", "diphtheria", "hib"]
ResponderStatus = Literal["good", "adequate", "weak", "nonresponder"]

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_PLATFORMS = frozenset(typing.get_args(Vaccine.model_fields["platform"].annotation))


class Threshold(KBModel):
    """A comparison with a number: ``>= 1.3``."""

    comparator: Comparator
    value: float

    def holds(self, measured: float) -> bool:
        """Whether ``measured`` meets the threshold.

        >>> Threshold(comparator=">=", value=1.3).holds(1.3)
        True
        """
        return _COMPARE[self.comparator](measured, self.value)


class ProtectiveLevel(KBItem):
    """The antibody concentration taken as protective (and, if stated, as not protective)."""

    kind: Literal["protective_level"]
    target: Literal["tetanus", "diphtheria", "hib", "pneumococcal_polysaccharide"] = Field(
        description="The vaccine target (a vaccines group) whose challenge this level judges."
    )
    analytes: tuple[str, ...] = Field(min_length=1, description="Analyte ids this level applies to.")
    unit: str = Field(description="UCUM unit of the values.")
    protective: Threshold
    not_protective: Threshold | None = None


class CountCriterion(KBModel):
    """The number of judged serotypes at or above the protective level, compared with a value."""

    measure: Literal["protective_count"]
    comparator: Comparator
    value: int = Field(ge=0)


class FractionCriterion(KBModel):
    """The fraction (0–1) of judged serotypes at or above the protective level, compared with a value."""

    measure: Literal["protective_fraction"]
    comparator: Comparator
    value: float = Field(ge=0, le=1)


class RiseCriterion(KBModel):
    """The fraction of judged serotypes whose post/pre ratio meets ``fold``, compared with a value."""

    measure: Literal["rise_fraction"]
    fold: Threshold
    comparator: Comparator
    value: float = Field(ge=0, le=1)


class LossCriterion(KBModel):
    """A response once adequate is lost again within ``within`` of the vaccination.

    ``within_upper`` is a longer limit that an adaptation of the source allows (cite it).
    """

    measure: Literal["response_lost_within"]
    within: AgeDuration
    within_upper: AgeDuration | None = None


Criterion = Annotated[
    CountCriterion | FractionCriterion | RiseCriterion | LossCriterion, Field(discriminator="measure")
]


class Grade(KBModel):
    """A phenotype and the criteria that must all hold for it."""

    grade: Literal["severe", "moderate", "mild", "memory"]
    criteria: tuple[Criterion, ...] = Field(min_length=1)


class AgeGroup(KBModel):
    """Grades for patients of ``[age_from, age_to)`` years."""

    label: str = Field(min_length=1, description="The age group as the source prints it.")
    age_from: AgeDuration
    age_to: AgeDuration | None = None
    grades: tuple[Grade, ...] = Field(min_length=1, description="Tried in order; the first that holds.")


class PolysaccharideResponse(KBItem):
    """How to grade the serotype-specific IgG response to pneumococcal polysaccharide vaccine.

    Attributes:
        protective_level: the id of the :class:`ProtectiveLevel` a serotype must reach.
        age_groups: contiguous from birth; each with its ordered grades.
        exclude_serotypes_of_platforms: serotypes of any vaccine the patient received whose
            ``vaccines`` platform is listed here are left out (numerator and denominator).
        repeat_challenge_after: when a second dose may be given after an inadequate response.
        prerequisite: what must be true clinically before the phenotype can be diagnosed.
    """

    kind: Literal["polysaccharide_response"]
    protective_level: str
    age_groups: tuple[AgeGroup, ...] = Field(min_length=1)
    exclude_serotypes_of_platforms: tuple[str, ...] = ()
    repeat_challenge_after: AgeDuration | None = None
    prerequisite: str | None = None

    @field_validator("exclude_serotypes_of_platforms")
    @classmethod
    def _platforms(cls, platforms: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(platforms) - _PLATFORMS)
        if unknown:
            raise ValueError(f"unknown vaccine platform(s) {unknown}; use one of {sorted(_PLATFORMS)}")
        return platforms

    @model_validator(mode="after")
    def _contiguous(self) -> PolysaccharideResponse:
        problems = contiguity_problems(self.age_groups, Duration())
        if problems:
            raise ValueError("age groups: " + "; ".join(problems))
        return self


class Condition(KBModel):
    """A comparison of the pre- or post-vaccination value, or of their ratio (post / pre)."""

    measure: Literal["pre", "post", "ratio"]
    comparator: Comparator
    value: float = Field(ge=0)

    def holds(self, pre: float, post: float) -> bool:
        """Whether the condition holds for this pair (a ratio over a zero baseline is infinite).

        >>> Condition(measure="ratio", comparator=">=", value=3).holds(pre=0.5, post=1.5)
        True
        """
        ratio = post / pre if pre > 0 else math.inf
        measured = {"pre": pre, "post": post, "ratio": ratio}[self.measure]
        return _COMPARE[self.comparator](measured, self.value)


class Outcome(KBModel):
    """A responder status and the conditions that must all hold for it."""

    status: ResponderStatus
    when: tuple[Condition, ...] = Field(min_length=1)


class PairedResponse(KBItem):
    """Responder status from paired pre- and post-vaccination antibody levels."""

    kind: Literal["paired_response"]
    analytes: tuple[str, ...] = Field(min_length=1)
    unit: str
    outcomes: tuple[Outcome, ...] = Field(min_length=1, description="Tried in order; the first that holds.")

    def status(self, pre: float, post: float) -> ResponderStatus | None:
        """The status of the first outcome whose conditions all hold; values in :attr:`unit`."""
        for outcome in self.outcomes:
            if all(condition.holds(pre, post) for condition in outcome.when):
                return outcome.status
        return None


class SampleWindow(KBItem):
    """When, counted from the vaccination, the post-vaccination sample is drawn.

    ``earliest`` and ``latest`` bound the window (either may be open); ``target`` is the day the
    source names. ``preferred_for`` names the vaccines (of ``applies_to``) for which this is the
    default window; every vaccine has exactly one.
    """

    kind: Literal["sample_window"]
    applies_to: tuple[VaccineTarget, ...] = Field(min_length=1)
    earliest: AgeDuration | None = None
    latest: AgeDuration | None = None
    target: AgeDuration | None = None
    preferred_for: tuple[VaccineTarget, ...] = ()

    @model_validator(mode="after")
    def _bounded(self) -> SampleWindow:
        if self.earliest is None and self.latest is None and self.target is None:
            raise ValueError("a window needs an earliest, a latest or a target time")
        if self.earliest and self.latest and not self.earliest.always_shorter_than(self.latest):
            raise ValueError("earliest must come before latest")
        if not set(self.preferred_for) <= set(self.applies_to):
            raise ValueError("preferred_for may only name vaccines the window applies_to")
        return self


DiagnosticVaccinationItem = Annotated[
    ProtectiveLevel | PolysaccharideResponse | PairedResponse | SampleWindow, Field(discriminator="kind")
]


def _analyte_problems(kb: KnowledgeBase, item: ProtectiveLevel | PairedResponse) -> list[str]:
    found = (analyte_problem(kb, analyte, item.unit) for analyte in item.analytes)
    return [f"{item.id}: {problem}" for problem in found if problem]


def _cross_check(kb: KnowledgeBase) -> list[str]:
    problems: list[str] = []
    levels = {level.id for level in kb.of(ProtectiveLevel)}
    with_analytes: list[ProtectiveLevel | PairedResponse] = [*kb.of(ProtectiveLevel), *kb.of(PairedResponse)]
    for item in with_analytes:
        problems += _analyte_problems(kb, item)
    for response in kb.of(PolysaccharideResponse):
        if response.protective_level not in levels:
            problems.append(f"{response.id}: unknown protective level {response.protective_level!r}")
    preferred: dict[str, list[str]] = defaultdict(list)
    for window in kb.of(SampleWindow):
        for target in window.applies_to:
            ids = preferred[target]
            if target in window.preferred_for:
                ids.append(window.id)
    for vaccine, ids in sorted(preferred.items()):
        if len(ids) != 1:
            problems.append(
                f"sample windows for {vaccine}: {len(ids)} preferred ({', '.join(ids)}); need one"
            )
    return problems


TOPIC = Topic(
    name="diagnostic_vaccination",
    title="Diagnostic vaccination (vaccine challenge)",
    item_type=DiagnosticVaccinationItem,
    cross_check=_cross_check,
)

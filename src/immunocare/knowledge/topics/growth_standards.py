"""Growth standards: which WHO table a growth z-score is read from, at which age.

One :class:`GrowthStandard` per standard (the WHO Child Growth Standards 2006, the WHO Growth
Reference 2007). Each lists its indicators (:class:`GrowthIndicator`): the measure a rule names
(``weight_for_age``, ``length_for_age``, ``weight_for_length``, the vocabulary of the criterion
language's ``growth`` leaf), the WHO indicator that answers it, the ages it applies to (lower bound
included, upper bound excluded) and, for weight-for-length and weight-for-height, the body lengths
its table covers. For every measure the indicators of all standards leave no age covered twice,
so one standard applies at any age; at an age no indicator covers, no z-score is computed.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from immunocare.knowledge._base import KBItem, KBModel, Topic

from ._criteria import AgeRange

if TYPE_CHECKING:
    from immunocare.knowledge._kb import KnowledgeBase

__all__ = [
    "ORDER",
    "TOPIC",
    "GrowthIndicator",
    "GrowthMeasure",
    "GrowthStandard",
    "Indicator",
    "LengthRange",
]

ORDER = 47

GrowthMeasure = Literal["weight_for_age", "length_for_age", "weight_for_length"]
"""What a rule asks for (the ``measure`` of the criterion language's ``growth`` leaf)."""

Indicator = Literal["weight_for_age", "length_height_for_age", "weight_for_length", "weight_for_height"]
"""The WHO indicator whose table gives the z-score."""

_ANSWERS: dict[Indicator, GrowthMeasure] = {
    "weight_for_age": "weight_for_age",
    "length_height_for_age": "length_for_age",
    "weight_for_length": "weight_for_length",
    "weight_for_height": "weight_for_length",
}


class LengthRange(KBModel):
    """The body lengths (cm) a weight-for-length or weight-for-height table covers, both ends included."""

    min_cm: float = Field(gt=0)
    max_cm: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> LengthRange:
        if self.min_cm >= self.max_cm:
            raise ValueError("min_cm must be below max_cm")
        return self


class GrowthIndicator(KBModel):
    """One indicator of a standard, the measure it answers and where its table applies.

    Attributes:
        measure: the rule vocabulary this indicator answers.
        indicator: the WHO indicator.
        ages: the ages it is used at (``min`` included, ``max`` excluded).
        lengths: for weight-for-length/height, the lengths its table covers.
        verified: false when where the indicator applies could not be read in a source.
        note: what was read, and what is a reading; required when ``verified`` is false.
    """

    measure: GrowthMeasure
    indicator: Indicator
    ages: AgeRange
    lengths: LengthRange | None = None
    verified: bool = True
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> GrowthIndicator:
        if _ANSWERS[self.indicator] != self.measure:
            raise ValueError(f"indicator {self.indicator!r} does not answer measure {self.measure!r}")
        by_length = self.measure == "weight_for_length"
        if by_length != (self.lengths is not None):
            raise ValueError("weight-for-length and weight-for-height need lengths; the others take none")
        if self.ages.min is None or self.ages.max is None:
            raise ValueError("an indicator's ages need a min and a max (the table's range)")
        if not self.verified and not self.note:
            raise ValueError("an unverified indicator needs a note saying what could not be verified")
        return self


class GrowthStandard(KBItem):
    """A growth standard or reference and the indicators it provides."""

    kind: Literal["growth_standard"]
    name: str = Field(min_length=1, description="The standard as it is usually cited.")
    indicators: tuple[GrowthIndicator, ...] = Field(min_length=1)


def _overlaps(ranges: list[tuple[str, AgeRange]]) -> list[str]:
    def start(entry: tuple[str, AgeRange]) -> int:
        low = entry[1].min
        return low.span_in_days()[0] if low is not None else 0

    problems = []
    for (first, earlier), (second, later) in itertools.pairwise(sorted(ranges, key=start)):
        end, begin = earlier.max, later.min
        if end is None or begin is None or not (end == begin or end.always_shorter_than(begin)):
            problems.append(f"{first} and {second} both apply at some ages")
    return problems


def _cross_check(kb: KnowledgeBase) -> list[str]:
    by_measure: dict[str, list[tuple[str, AgeRange]]] = defaultdict(list)
    for standard in kb.of(GrowthStandard):
        for indicator in standard.indicators:
            by_measure[indicator.measure].append((f"{standard.id}/{indicator.indicator}", indicator.ages))
    return [problem for ranges in by_measure.values() for problem in _overlaps(ranges)]


TOPIC = Topic(
    name="growth_standards",
    title="Growth standards (WHO)",
    item_type=GrowthStandard,
    cross_check=_cross_check,
)

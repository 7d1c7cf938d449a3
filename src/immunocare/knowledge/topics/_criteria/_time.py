"""Age ranges for criteria, on the calendar-exact ISO 8601 durations of :mod:`immunocare.domain.ages`.

Durations in criteria are :class:`~immunocare.domain.ages.Duration` values written as ISO 8601
text (``P1Y``, ``P12M``, ``P2W``); :data:`IsoDuration` is the field type.

>>> AgeRange(max="P12M").contains(date(2025, 1, 31), date(2026, 1, 30))
True
"""

from __future__ import annotations

from datetime import date

from pydantic import Field, model_validator

from immunocare.domain.ages import age_at_least
from immunocare.knowledge._base import KBModel

from ..reference_intervals import AgeDuration

__all__ = ["AgeBand", "AgeRange", "IsoDuration"]

IsoDuration = AgeDuration
"""A duration field, written in files as ISO 8601 text of years, months, weeks and days."""


class AgeRange(KBModel):
    """Ages from ``min`` (included) up to ``max`` (excluded); a missing bound is open."""

    min: IsoDuration | None = None
    max: IsoDuration | None = None

    @model_validator(mode="after")
    def _ordered(self) -> AgeRange:
        if self.min is not None and self.max is not None and not self.min.always_shorter_than(self.max):
            raise ValueError(f"age range {self.min}–{self.max} is empty")
        return self

    def contains(self, birth_date: date, on: date) -> bool:
        """Whether someone born on ``birth_date`` is in the range on ``on``."""
        above = self.min is None or age_at_least(birth_date, on, self.min)
        return above and (self.max is None or not age_at_least(birth_date, on, self.max))


class AgeBand(KBModel):
    """One age band of an age-dependent threshold."""

    age: AgeRange = AgeRange()
    value: float = Field(ge=0)

"""Calendar-correct ages written as ISO 8601 durations (``P0D``, ``P2W``, ``P3M``, ``P1Y6M``).

Reference intervals, vaccination windows and the command line speak of ages as durations of
years, months, weeks and days. Months and years are calendar units: adding them moves the date
in the calendar and clamps to the last day of a shorter month, so a child born on 31 January is
one month old on 29 February of a leap year.

>>> add_duration(date(2024, 1, 31), "P1M")
datetime.date(2024, 2, 29)
>>> age_at_least(date(2020, 5, 17), date(2023, 5, 16), "P3Y")
False
>>> age_at_least(date(2020, 5, 17), date(2023, 5, 17), "P3Y")
True
>>> duration_label("P1Y6M")
'1 year 6 months'
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

__all__ = ["Duration", "add_duration", "age_at_least", "duration_label", "latest_birth", "parse_duration"]

_PATTERN = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")
_HINT = "use ISO 8601 years, months, weeks and days, e.g. P2W or P1Y6M"
_UNITS = (("year", "years"), ("month", "months"), ("week", "weeks"), ("day", "days"))
_CYCLE_START = date(2000, 1, 1)
_CYCLE_DAYS = 1461  # one four-year leap cycle of birth dates


@dataclass(frozen=True, eq=False)
class Duration:
    """A span of whole years, months, weeks and days.

    Two durations are equal when they move every date to the same date (``P1Y`` equals
    ``P12M``, ``P1W`` equals ``P7D``); ``str()`` gives the ISO 8601 form as written.

    >>> Duration.parse("P12M") == Duration.parse("P1Y")
    True
    >>> str(Duration(months=3))
    'P3M'
    """

    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0

    def __post_init__(self) -> None:
        if min(self.years, self.months, self.weeks, self.days) < 0:
            raise ValueError("a duration cannot be negative")

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Read an ISO 8601 duration; anything but whole years, months, weeks and days is refused.

        >>> Duration.parse("P2W")
        Duration(years=0, months=0, weeks=2, days=0)
        >>> Duration.parse("PT12H")
        Traceback (most recent call last):
        ...
        ValueError: 'PT12H' is not an age: use ISO 8601 years, months, weeks and days, e.g. P2W or P1Y6M
        """
        match = _PATTERN.match(text.strip()) if isinstance(text, str) else None
        if match is None or not any(match.groups()):
            raise ValueError(f"{text!r} is not an age: {_HINT}")
        years, months, weeks, days = (int(part) if part else 0 for part in match.groups())
        return cls(years=years, months=months, weeks=weeks, days=days)

    @property
    def total_months(self) -> int:
        """The calendar part: years and months, in months."""
        return self.years * 12 + self.months

    @property
    def total_days(self) -> int:
        """The fixed part: weeks and days, in days."""
        return self.weeks * 7 + self.days

    def add_to(self, start: date) -> date:
        """The date this long after ``start``: months first (clamped to the month's end), then days.

        >>> Duration(years=1).add_to(date(2024, 2, 29))
        datetime.date(2025, 2, 28)
        """
        return _add_months(start, self.total_months) + timedelta(days=self.total_days)

    def subtract_from(self, end: date) -> date:
        """The date this long before ``end``: months first (clamped to the month's end), then days.

        >>> Duration(weeks=4).subtract_from(date(2026, 3, 1))
        datetime.date(2026, 2, 1)
        """
        return _add_months(end, -self.total_months) - timedelta(days=self.total_days)

    def span_in_days(self) -> tuple[int, int]:
        """The shortest and longest this duration lasts in days, over every birth date of a leap cycle.

        >>> Duration(months=1).span_in_days()
        (28, 31)
        """
        shortest, longest = _month_span_days(self.total_months)
        return shortest + self.total_days, longest + self.total_days

    def always_shorter_than(self, other: Duration) -> bool:
        """Whether this duration ends before ``other`` whatever the birth date.

        >>> Duration(weeks=6).always_shorter_than(Duration(months=3))
        True
        >>> Duration(days=30).always_shorter_than(Duration(months=1))
        False
        """
        return self.span_in_days()[1] < other.span_in_days()[0]

    @property
    def label(self) -> str:
        """The duration in words: ``'3 months'``, ``'12 years'``, ``'1 year 6 months'``, ``'0 days'``."""
        parts = [
            f"{count} {singular if count == 1 else plural}"
            for count, (singular, plural) in zip(
                (self.years, self.months, self.weeks, self.days), _UNITS, strict=True
            )
            if count
        ]
        return " ".join(parts) or "0 days"

    def __str__(self) -> str:
        text = "".join(
            f"{count}{unit}"
            for count, unit in zip((self.years, self.months, self.weeks, self.days), "YMWD", strict=True)
            if count
        )
        return f"P{text or '0D'}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Duration):
            return NotImplemented
        return (self.total_months, self.total_days) == (other.total_months, other.total_days)

    def __hash__(self) -> int:
        return hash((self.total_months, self.total_days))


def _add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@cache
def _month_span_days(months: int) -> tuple[int, int]:
    starts = (_CYCLE_START + timedelta(days=offset) for offset in range(_CYCLE_DAYS))
    spans = [(_add_months(start, months) - start).days for start in starts]
    return min(spans), max(spans)


def parse_duration(text: str | Duration) -> Duration:
    """A :class:`Duration` from its ISO 8601 text (a :class:`Duration` is returned as it is).

    >>> parse_duration("P18Y")
    Duration(years=18, months=0, weeks=0, days=0)
    >>> parse_duration("P1.5Y")
    Traceback (most recent call last):
    ...
    ValueError: 'P1.5Y' is not an age: use ISO 8601 years, months, weeks and days, e.g. P2W or P1Y6M
    """
    return text if isinstance(text, Duration) else Duration.parse(text)


def add_duration(start: date, duration: str | Duration) -> date:
    """``start`` plus a duration, calendar-correct.

    >>> add_duration(date(2023, 1, 31), "P1M")
    datetime.date(2023, 2, 28)
    >>> add_duration(date(2024, 3, 1), "P2W")
    datetime.date(2024, 3, 15)
    """
    return parse_duration(duration).add_to(start)


def age_at_least(birth_date: date, on: date, duration: str | Duration) -> bool:
    """Whether someone born on ``birth_date`` has reached the age ``duration`` on the day ``on``.

    True exactly when ``on >= birth_date + duration``:

    >>> age_at_least(date(2024, 1, 31), date(2024, 2, 28), "P1M")
    False
    >>> age_at_least(date(2024, 1, 31), date(2024, 2, 29), "P1M")
    True
    """
    return on >= add_duration(birth_date, duration)


def latest_birth(on: date, duration: str | Duration) -> date:
    """The last birth date of someone who has reached the age ``duration`` on the day ``on``.

    Reaching an age only gets later as birth does, so ``age_at_least(birth, on, duration)`` holds
    exactly when ``birth <= latest_birth(on, duration)``:

    >>> latest_birth(date(2024, 2, 28), "P1M")
    datetime.date(2024, 1, 28)
    >>> latest_birth(date(2025, 2, 28), "P1Y")
    datetime.date(2024, 2, 29)
    """
    span = parse_duration(duration)
    birth = span.subtract_from(on)
    while span.add_to(birth + timedelta(days=1)) <= on:
        birth += timedelta(days=1)
    while span.add_to(birth) > on:
        birth -= timedelta(days=1)
    return birth


def duration_label(duration: str | Duration) -> str:
    """A duration in words, for people.

    >>> duration_label("P3M")
    '3 months'
    >>> duration_label("P12Y")
    '12 years'
    >>> duration_label("P0D")
    '0 days'
    """
    return parse_duration(duration).label

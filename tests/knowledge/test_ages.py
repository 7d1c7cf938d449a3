"""Calendar-correct ages: ISO 8601 durations, date arithmetic, birthdays."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from immunocare.domain.ages import (
    Duration,
    add_duration,
    age_at_least,
    duration_label,
    latest_birth,
    parse_duration,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("P0D", Duration(), id="birth"),
        pytest.param("P2W", Duration(weeks=2), id="two-weeks"),
        pytest.param("P3M", Duration(months=3), id="three-months"),
        pytest.param("P18Y", Duration(years=18), id="adult"),
        pytest.param("P1Y6M", Duration(years=1, months=6), id="eighteen-months-as-years-and-months"),
        pytest.param("P1Y2M3W4D", Duration(1, 2, 3, 4), id="every-unit"),
        pytest.param(" P2Y ", Duration(years=2), id="cli-argument-with-spaces"),
    ],
)
def test_parse_reads_years_months_weeks_days(text: str, expected: Duration) -> None:
    parsed = parse_duration(text)
    assert (parsed.years, parsed.months, parsed.weeks, parsed.days) == (
        expected.years,
        expected.months,
        expected.weeks,
        expected.days,
    )
    assert str(parsed) == text.strip()


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("P", id="no-component"),
        pytest.param("PT12H", id="hours"),
        pytest.param("P1DT1H", id="date-and-time"),
        pytest.param("P1.5Y", id="fraction"),
        pytest.param("-P1Y", id="negative"),
        pytest.param("1Y", id="missing-P"),
        pytest.param("p1y", id="lower-case"),
        pytest.param("P1M1Y", id="units-out-of-order"),
        pytest.param("18", id="bare-number"),
    ],
)
def test_parse_refuses_anything_else_with_a_clear_message(text: str) -> None:
    with pytest.raises(ValueError, match="is not an age: use ISO 8601 years, months, weeks and days"):
        parse_duration(text)


def test_a_negative_duration_cannot_be_built() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        Duration(months=-1)


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        pytest.param(date(2024, 1, 31), "P1M", date(2024, 2, 29), id="jan-31-plus-month-leap-year"),
        pytest.param(date(2023, 1, 31), "P1M", date(2023, 2, 28), id="jan-31-plus-month-common-year"),
        pytest.param(date(2024, 2, 29), "P1Y", date(2025, 2, 28), id="leap-day-birthday"),
        pytest.param(date(2024, 2, 29), "P4Y", date(2028, 2, 29), id="leap-day-four-years"),
        pytest.param(date(2024, 12, 31), "P2M", date(2025, 2, 28), id="across-new-year"),
        pytest.param(date(2024, 3, 1), "P2W", date(2024, 3, 15), id="weeks"),
        pytest.param(date(2024, 1, 31), "P1M1D", date(2024, 3, 1), id="months-then-days"),
        pytest.param(date(2020, 5, 17), "P0D", date(2020, 5, 17), id="zero"),
    ],
)
def test_add_duration_is_calendar_correct(start: date, duration: str, expected: date) -> None:
    assert add_duration(start, duration) == expected


@pytest.mark.parametrize(
    ("birth", "on", "duration", "expected"),
    [
        pytest.param(date(2020, 5, 17), date(2023, 5, 16), "P3Y", False, id="day-before-3rd-birthday"),
        pytest.param(date(2020, 5, 17), date(2023, 5, 17), "P3Y", True, id="on-3rd-birthday"),
        pytest.param(date(2024, 1, 31), date(2024, 2, 28), "P1M", False, id="month-end-birth-day-before"),
        pytest.param(date(2024, 1, 31), date(2024, 2, 29), "P1M", True, id="month-end-birth-one-month"),
        pytest.param(date(2024, 2, 29), date(2025, 2, 27), "P1Y", False, id="leap-day-child-day-before"),
        pytest.param(date(2024, 2, 29), date(2025, 2, 28), "P1Y", True, id="leap-day-child-first-birthday"),
        pytest.param(date(2024, 6, 1), date(2024, 5, 31), "P0D", False, id="before-birth"),
        pytest.param(date(2024, 6, 1), date(2024, 6, 1), "P0D", True, id="day-of-birth"),
    ],
)
def test_age_at_least_is_true_from_the_anniversary_on(
    birth: date, on: date, duration: str, expected: bool
) -> None:
    assert age_at_least(birth, on, duration) is expected


@pytest.mark.parametrize(
    ("text", "label"),
    [
        pytest.param("P0D", "0 days", id="birth"),
        pytest.param("P1D", "1 day", id="singular"),
        pytest.param("P3M", "3 months", id="months"),
        pytest.param("P12Y", "12 years", id="years"),
        pytest.param("P1Y6M", "1 year 6 months", id="mixed"),
        pytest.param("P2W", "2 weeks", id="weeks"),
    ],
)
def test_label_reads_as_words(text: str, label: str) -> None:
    assert duration_label(text) == label


@pytest.mark.parametrize(
    ("left", "right"),
    [
        pytest.param("P1Y", "P12M", id="year-is-twelve-months"),
        pytest.param("P1W", "P7D", id="week-is-seven-days"),
        pytest.param("P2Y", "P24M", id="two-years"),
    ],
)
def test_calendar_equal_durations_are_equal(left: str, right: str) -> None:
    assert parse_duration(left) == parse_duration(right)
    assert hash(parse_duration(left)) == hash(parse_duration(right))


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        pytest.param("P6W", "P3M", True, id="six-weeks-before-three-months"),
        pytest.param("P13W", "P1Y", True, id="thirteen-weeks-before-a-year"),
        pytest.param("P30D", "P1M", False, id="thirty-days-not-always-before-a-month"),
        pytest.param("P3M", "P13W", False, id="depends-on-birth-date"),
        pytest.param("P1Y", "P1Y", False, id="not-shorter-than-itself"),
    ],
)
def test_always_shorter_than_holds_for_every_birth_date(left: str, right: str, expected: bool) -> None:
    assert parse_duration(left).always_shorter_than(parse_duration(right)) is expected


@pytest.mark.parametrize("duration", ["P18Y", "P1M", "P2M", "P1Y6M", "P29D", "P2W", "P0D"])
def test_latest_birth_is_the_last_birth_date_that_has_reached_the_age(duration: str) -> None:
    for offset in range(0, 4 * 366, 7):
        on = date(2023, 1, 1) + timedelta(days=offset)
        birth = latest_birth(on, duration)
        assert age_at_least(birth, on, duration), (on, birth)
        assert not age_at_least(birth + timedelta(days=1), on, duration), (on, birth)

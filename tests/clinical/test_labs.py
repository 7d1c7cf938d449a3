"""Laboratory results against references for the age and sex at collection, and derived counts."""

from __future__ import annotations

from datetime import date

import pytest

from immunocare.clinical.labs import Flag, LabBook, read_labs, trend
from immunocare.domain import Comparator, ReferenceInterval
from immunocare.knowledge import KnowledgeBase

from .builders import lab, record


@pytest.mark.parametrize(
    ("birth", "day", "value", "unit", "flag"),
    [
        (date(2020, 1, 1), date(2026, 1, 1), 3.0, "g/L", Flag.LOW),
        (date(2020, 1, 1), date(2026, 1, 1), 9.0, "g/L", Flag.NORMAL),
        (date(2020, 1, 1), date(2026, 1, 1), 300, "mg/dL", Flag.LOW),
        (date(2020, 1, 1), date(2026, 1, 1), 30.0, "g/L", Flag.HIGH),
        (date(1980, 1, 1), date(2026, 1, 1), 6.0, "g/L", Flag.LOW),
    ],
    ids=["child-low", "child-normal", "child-low-in-mg-dl", "child-high", "adult-6-g-l-is-low-for-an-adult"],
)
def test_igg_against_the_preferred_table(
    kb: KnowledgeBase, birth: date, day: date, value: float, unit: str, flag: Flag
) -> None:
    reading = read_labs(record(birth, labs=(lab(kb, "igg", value, day, unit),)), kb)[0]

    assert reading.flag is flag
    assert reading.value is not None and reading.value.unit == "g/L"
    assert reading.reference is not None and reading.reference.table_id == "ri.igg.mayo"


def test_the_age_band_changes_on_the_birthday(kb: KnowledgeBase) -> None:
    birth = date(2022, 1, 1)
    before = read_labs(record(birth, labs=(lab(kb, "igg", 5.0, date(2023, 12, 31)),)), kb)[0]
    after = read_labs(record(birth, labs=(lab(kb, "igg", 5.0, date(2024, 1, 1)),)), kb)[0]

    assert before.reference is not None and after.reference is not None
    assert before.reference.band != after.reference.band


def test_the_laboratory_own_interval_comes_first(kb: KnowledgeBase) -> None:
    own = ReferenceInterval(unit="mg/dL", low=700, high=1600, text="adult")
    reading = read_labs(
        record(
            date(2020, 1, 1),
            labs=(lab(kb, "igg", 6.5, date(2026, 1, 1), reference_interval=own, laboratory="City Lab"),),
        ),
        kb,
    )[0]

    assert reading.reference is not None and reading.reference.from_laboratory
    assert (reading.reference.low, reading.reference.high) == (7.0, 16.0)
    assert reading.flag is Flag.LOW
    assert reading.distance == "93% of the lower limit (7)"


@pytest.mark.parametrize(
    ("comparator", "value", "flag"),
    [(Comparator.LT, 0.07, Flag.LOW), (Comparator.LT, 5.0, Flag.UNKNOWN), (Comparator.GT, 40.0, Flag.HIGH)],
    ids=["below-detection-is-low", "a-bound-above-the-limit-cannot-tell", "above-a-bound-over-the-limit"],
)
def test_results_reported_as_bounds(
    kb: KnowledgeBase, comparator: Comparator, value: float, flag: Flag
) -> None:
    reading = read_labs(
        record(date(2014, 1, 1), labs=(lab(kb, "iga", value, date(2026, 1, 1), comparator=comparator),)), kb
    )[0]

    assert reading.flag is flag


def test_a_percentage_and_a_lymphocyte_count_give_the_absolute_count(kb: KnowledgeBase) -> None:
    day = date(2026, 1, 1)
    labs = (lab(kb, "lymphocytes", 2.0, day, specimen="S1"), lab(kb, "cd19_pct", 10, day, specimen="S1"))
    book = LabBook.of(record(date(2015, 1, 1), labs=labs), kb)

    (derived,) = book.of_analyte("cd19_abs")
    assert derived.value is not None and derived.value.value == pytest.approx(0.2)
    assert derived.derived_from == (labs[1], labs[0])
    assert {e.item_id for e in derived.evidence()} == {item.id for item in labs}


def test_no_derived_count_when_the_laboratory_reported_one(kb: KnowledgeBase) -> None:
    day = date(2026, 1, 1)
    labs = (
        lab(kb, "lymphocytes", 2.0, day, specimen="S1"),
        lab(kb, "cd19_pct", 10, day, specimen="S1"),
        lab(kb, "cd19_abs", 0.25, day, specimen="S1"),
    )

    assert len(LabBook.of(record(date(2015, 1, 1), labs=labs), kb).of_analyte("cd19_abs")) == 1


def test_trend_of_an_analyte(kb: KnowledgeBase) -> None:
    labs = (
        lab(kb, "igg", 3.0, date(2024, 1, 1)),
        lab(kb, "igg", 5.0, date(2026, 1, 1)),
        lab(kb, "iga", 1.0, date(2025, 1, 1)),
    )
    book = LabBook.of(record(date(2000, 1, 1), labs=labs), kb)

    rising = trend(book.of_analyte("igg"))
    assert rising is not None and rising.direction == "rising"
    assert rising.change_per_year == pytest.approx(1.0, rel=0.01)
    assert trend(book.of_analyte("iga")) is None

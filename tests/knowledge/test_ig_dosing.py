"""Immunoglobulin dosing rules: real tables, the adjusted-weight formula, and refused bad rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import pydantic
import pytest
import yaml

from immunocare.domain import Sex
from immunocare.domain.units import Quantity
from immunocare.errors import KnowledgeBaseError, ValidationError
from immunocare.knowledge import KnowledgeBase, load_knowledge_base
from immunocare.knowledge.topics.ig_dosing import (
    AntibodyFailureDefinition,
    Criterion,
    DoseWeightFormula,
    Eligibility,
    IgDosingItem,
    IgRegimen,
    MeaslesExposureDose,
    RampUp,
    TroughTarget,
)

T = TypeVar("T")
ADAPTER: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(IgDosingItem)


def get(kb: KnowledgeBase, item_id: str, kind: type[T]) -> T:
    item = kb.get(item_id)
    assert isinstance(item, kind)
    return item


def test_every_dosing_rule_round_trips_through_its_schema(kb: KnowledgeBase) -> None:
    items = kb.topics["ig_dosing"]
    assert len(items) >= 20
    for item in items:
        assert ADAPTER.validate_python(item.model_dump(mode="json", exclude={"local"})) == item


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        pytest.param("ibw_male", Quantity(50, "kg"), id="male-base-50kg"),
        pytest.param("ibw_female", Quantity(45.5, "kg"), id="female-base-45.5kg"),
        pytest.param("ibw_per_step", Quantity(2.3, "kg"), id="2.3kg-per-step"),
        pytest.param("height_step", Quantity(1, "[in_i]"), id="step-is-one-inch"),
        pytest.param("height_reference", Quantity(60, "[in_i]"), id="over-60-inches"),
        pytest.param("adjustment_factor", 0.4, id="factor-0.4"),
    ],
)
def test_nba_adjusted_weight_coefficients(kb: KnowledgeBase, field: str, expected: object) -> None:
    assert getattr(get(kb, "nba_dose_weight", DoseWeightFormula), field) == expected


@pytest.mark.parametrize(
    ("sex", "height_in", "actual_kg", "ideal_kg", "dose_kg"),
    [
        pytest.param(Sex.MALE, 70, 100, 73.0, 83.8, id="obese-man-5ft10"),
        pytest.param(Sex.FEMALE, 64, 90, 54.7, 68.82, id="obese-woman-5ft4"),
        pytest.param(Sex.MALE, 60, 50, 50.0, 50.0, id="man-at-ideal-weight"),
    ],
)
def test_nba_formula_evaluates_from_data(
    kb: KnowledgeBase, sex: Sex, height_in: float, actual_kg: float, ideal_kg: float, dose_kg: float
) -> None:
    formula = get(kb, "nba_dose_weight", DoseWeightFormula)
    height = Quantity(height_in, "[in_i]")
    assert formula.ideal_weight(sex=sex, height=height).value == pytest.approx(ideal_kg)
    assert formula.dose_weight(
        sex=sex, height=height, actual=Quantity(actual_kg, "kg")
    ).value == pytest.approx(dose_kg)


def test_nba_formula_refuses_a_sex_it_does_not_define(kb: KnowledgeBase) -> None:
    formula = get(kb, "nba_dose_weight", DoseWeightFormula)
    with pytest.raises(ValidationError, match="sex"):
        formula.ideal_weight(sex=Sex.UNKNOWN, height=Quantity(170, "cm"))


def test_eu_sid_eligibility_criteria(kb: KnowledgeBase) -> None:
    rule = get(kb, "sid_eligibility_eu", Eligibility)
    assert [c.id for c in rule.criteria] == [
        "severe_or_recurrent_infections",
        "ineffective_antimicrobials",
        "antibody_failure_or_low_igg",
    ]
    psaf, low_igg = rule.criteria[2].any_of
    assert psaf.defined_by == "sid_psaf"
    assert low_igg.lab is not None
    assert (low_igg.lab.analyte, low_igg.lab.comparator, low_igg.lab.value) == (
        "igg",
        "<",
        Quantity(4, "g/L"),
    )
    assert get(kb, "sid_psaf", AntibodyFailureDefinition).fold_rise == 2


def test_eu_pid_ivig_regimen(kb: KnowledgeBase) -> None:
    regimen = get(kb, "eu_ivig_pid_regimen", IgRegimen)
    assert regimen.loading is not None and regimen.maintenance is not None
    assert (regimen.loading.low, regimen.loading.high) == (Quantity(0.4, "g/kg"), Quantity(0.8, "g/kg"))
    assert (regimen.maintenance.low, regimen.maintenance.high) == (Quantity(0.2, "g/kg"), None)
    assert (regimen.maintenance.interval_from, regimen.maintenance.interval_to) == (
        Quantity(3, "wk"),
        Quantity(4, "wk"),
    )
    assert (regimen.steady_state_from, regimen.steady_state_to) == (Quantity(3, "mo"), Quantity(6, "mo"))
    target = get(kb, regimen.trough_target or "", TroughTarget)
    assert (target.comparator, target.minimum) == (">=", Quantity(6, "g/L"))


@pytest.mark.parametrize(
    ("target_id", "applies_to", "minimum", "above_baseline", "verified"),
    [
        pytest.param("eu_trough_ivig", "pid", Quantity(6, "g/L"), None, True, id="eu-rev5-at-least-6"),
        pytest.param(
            "eu_trough_ivig_older_wording", "pid", Quantity(5, "g/L"), None, True, id="older-5-to-6"
        ),
        pytest.param("trough_agammaglobulinaemia", "xla", Quantity(5, "g/L"), None, True, id="xla-above-5"),
        pytest.param("trough_cvid", "cvid", None, Quantity(3, "g/L"), True, id="cvid-3-above-untreated"),
        pytest.param(
            "trough_bronchiectasis_uk", "pid", Quantity(8, "g/L"), None, False, id="bronchiectasis-unverified"
        ),
    ],
)
def test_trough_targets_by_diagnosis(
    kb: KnowledgeBase,
    target_id: str,
    applies_to: str,
    minimum: Quantity | None,
    above_baseline: Quantity | None,
    verified: bool,
) -> None:
    target = get(kb, target_id, TroughTarget)
    assert applies_to in target.applies_to
    assert (target.minimum, target.above_baseline, target.verified) == (minimum, above_baseline, verified)


def test_hyqvia_ramp_up_weeks_and_doses(kb: KnowledgeBase) -> None:
    ramp = get(kb, "hyqvia_us_ramp_up", RampUp)
    assert [(s.week, s.weeks_of_dose, s.optional) for s in ramp.steps] == [
        (1, 1, False),
        (2, 2, False),
        (4, 3, False),
        (7, 4, True),
    ]


def test_measles_exposure_dose(kb: KnowledgeBase) -> None:
    rule = get(kb, "measles_exposure_ivig_us", MeaslesExposureDose)
    assert (rule.dose, rule.within, rule.titre_above) == (
        Quantity(400, "mg/kg"),
        Quantity(6, "d"),
        Quantity(240, "m[IU]/mL"),
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param(
            {
                "id": "x",
                "text": "x",
                "lab": {"analyte": "igg", "comparator": "<", "value": "4 g/L"},
                "any_of": [{"id": "y", "text": "y"}],
            },
            "alternatives",
            id="criterion-with-alternatives-and-own-test",
        ),
        pytest.param(
            {"id": "x", "text": "x", "lab": {"analyte": "igg", "comparator": "<", "value": "4 mg/kg"}},
            "mass concentration",
            id="igg-threshold-in-a-dose-unit",
        ),
    ],
)
def test_bad_criteria_are_refused(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=message):
        Criterion.model_validate(raw)


def test_ramp_up_that_does_not_rise_is_refused(kb: KnowledgeBase) -> None:
    data = get(kb, "hyqvia_us_ramp_up", RampUp).model_dump(mode="json", exclude={"local"})
    data["steps"][2]["weeks_of_dose"] = 2
    with pytest.raises(pydantic.ValidationError, match="must rise"):
        RampUp.model_validate(data)


@pytest.mark.parametrize(
    ("item_id", "spoil", "message"),
    [
        pytest.param(
            "measles_exposure_ivig_us",
            {"products": ["privigen_us", "no_such_product"]},
            "names product 'no_such_product'",
            id="dosing-rule-citing-a-missing-product",
        ),
        pytest.param(
            "eu_ivig_pid_regimen",
            {"trough_target": "no_such_target"},
            "names trough target 'no_such_target'",
            id="regimen-with-a-missing-trough-target",
        ),
        pytest.param(
            "hyqvia_us_ramp_up",
            {"product": "eu_trough_ivig"},
            "names product 'eu_trough_ivig'",
            id="ramp-up-naming-a-non-product",
        ),
    ],
)
def test_cross_check_refuses_dangling_references(
    kb: KnowledgeBase, tmp_path: Path, item_id: str, spoil: dict[str, Any], message: str
) -> None:
    data = kb.get(item_id).model_dump(mode="json", exclude={"local"}) | spoil
    (tmp_path / "ig_dosing").mkdir()
    text = yaml.safe_dump({"items": [data]}, allow_unicode=True)
    (tmp_path / "ig_dosing" / "site.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(overlay_dir=tmp_path)
    assert any(message in problem for problem in caught.value.problems)

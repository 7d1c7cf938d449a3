"""Immunoglobulin dose calculators against the worked examples of labels and guidelines."""

from __future__ import annotations

import pytest

from immunocare.clinical.immunoglobulin import (
    PlanRequest,
    dose_weights,
    find_product,
    fscig_ramp_up,
    ig_plan,
    infusion_schedules,
    label_doses,
    measles_exposure_dose,
    round_to_presentations,
    scig_from_ivig,
)
from immunocare.domain import IgRoute, Quantity, Sex
from immunocare.errors import ValidationError
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.ig_products import IgProduct


def product(kb: KnowledgeBase, item_id: str) -> IgProduct:
    item = kb.get(item_id)
    assert isinstance(item, IgProduct)
    return item


@pytest.mark.parametrize(
    ("product_id", "ivig_g", "weeks", "expected"),
    [
        ("hizentra_us", 40, 4, ["13.7 g every 1 wk", "27.4 g every 2 wk"]),
        ("cuvitru_us", 40, 4, ["13 g every 1 wk", "26 g every 2 wk"]),
        ("gamunex_c_us", 30, 3, ["13.7 g every 1 wk"]),
        ("xembify_us", 35, 4, ["11.99 g every 1 wk", "23.98 g every 2 wk"]),
    ],
    ids=[
        "hizentra-label-example-40g-4wk",
        "cuvitru-factor-1.30",
        "gamunex-c-no-longer-sc-interval-in-kb",
        "xembify-factor-1.37",
    ],
)
def test_scig_from_ivig_uses_the_label_factor(
    kb: KnowledgeBase, product_id: str, ivig_g: float, weeks: float, expected: list[str]
) -> None:
    doses = scig_from_ivig(
        kb, product(kb, product_id), dose=Quantity(ivig_g, "g"), interval=Quantity(weeks, "wk")
    )
    assert [d.shown() for d in doses] == expected
    assert all(s.item_id == product_id and s.verified for d in doses for s in d.sources)


def test_scig_conversion_needs_a_label_factor(kb: KnowledgeBase) -> None:
    with pytest.raises(ValidationError, match="product: the Hizentra label \\(hizentra_eu\\)"):
        scig_from_ivig(kb, product(kb, "hizentra_eu"), dose=Quantity(40, "g"), interval=Quantity(4, "wk"))


@pytest.mark.parametrize(
    ("field", "dose", "interval"),
    [
        ("from_ivig_interval_weeks", Quantity(40, "g"), Quantity(0, "wk")),
        ("from_ivig_dose", Quantity(0, "g"), Quantity(4, "wk")),
        ("from_ivig_dose", Quantity(40, "mL"), Quantity(4, "wk")),
    ],
    ids=["interval-0", "dose-0", "dose-not-a-mass"],
)
def test_bad_previous_dose_names_the_field(
    kb: KnowledgeBase, field: str, dose: Quantity, interval: Quantity
) -> None:
    with pytest.raises(ValidationError) as caught:
        scig_from_ivig(kb, product(kb, "hizentra_us"), dose=dose, interval=interval)
    assert caught.value.issues[0].field == field


@pytest.mark.parametrize(
    ("dose_g", "weeks", "expected"),
    [
        (30, 4, ["Week 1: 7.5 g", "Week 2: 15 g", "Week 4: 22.5 g", "Week 7 (if required): 30 g"]),
        (30, 3, ["Week 1: 10 g", "Week 2: 20 g", "Week 4: 30 g"]),
    ],
    ids=["hyqvia-label-example-30g-4wk", "3-week-interval-stops-at-3-weeks-dose"],
)
def test_hyqvia_ramp_up(kb: KnowledgeBase, dose_g: float, weeks: float, expected: list[str]) -> None:
    steps = fscig_ramp_up(
        kb, product(kb, "hyqvia_us"), dose=Quantity(dose_g, "g"), interval=Quantity(weeks, "wk")
    )
    assert [f"{s.label}: {s.shown()}" for s in steps] == expected


@pytest.mark.parametrize(
    ("actual", "height_cm", "sex", "expected_kg"),
    [
        (110, 165, Sex.FEMALE, 78.15),  # IBW 45.5 + 2.3 × 4.96 in = 56.91; + 0.4 × 53.09
        (120, 170, Sex.MALE, 87.56),  # IBW 50 + 2.3 × 6.93 in = 65.94; + 0.4 × 54.06
        (70, 152.4, Sex.MALE, 58.0),  # 60 inches: IBW is the 50 kg base; + 0.4 × 20
    ],
    ids=["obese-woman", "obese-man", "height-at-the-reference"],
)
def test_nba_adjusted_dose_weight(
    kb: KnowledgeBase, actual: float, height_cm: float, sex: Sex, expected_kg: float
) -> None:
    weights = dose_weights(kb, actual=Quantity(actual, "kg"), height=Quantity(height_cm, "cm"), sex=sex)
    assert weights.actual == Quantity(actual, "kg")
    assert weights.adjusted[0].value.value == pytest.approx(expected_kg, abs=0.01)
    assert weights.adjusted[0].sources[0].item_id == "nba_dose_weight"


def test_adjusted_weight_is_left_out_without_height_or_sex(kb: KnowledgeBase) -> None:
    assert dose_weights(kb, actual=Quantity(90, "kg"), height=Quantity(170, "cm")).adjusted == ()


@pytest.mark.parametrize(
    ("product_id", "dose_g", "down", "up"),
    [
        ("hizentra_us", 13.7, "13 g: 1 × 10 g, 1 × 2 g, 1 × 1 g", "14 g: 1 × 10 g, 1 × 4 g"),
        ("privigen_us", 28, "25 g: 1 × 20 g, 1 × 5 g", "30 g: 1 × 20 g, 1 × 10 g"),
        ("privigen_us", 3, None, "5 g: 1 × 5 g"),
        ("cutaquig_us", 5.3, "5.3 g: 1 × 3.3 g, 1 × 2 g", "5.3 g: 1 × 3.3 g, 1 × 2 g"),
        ("panzyga_us", 40, "40 g: 1 × 30 g, 1 × 10 g", "40 g: 1 × 30 g, 1 × 10 g"),
    ],
    ids=[
        "hizentra-13.7g",
        "privigen-28g-measles",
        "below-the-smallest-vial",
        "cutaquig-exact",
        "panzyga-exact",
    ],
)
def test_vial_rounding(kb: KnowledgeBase, product_id: str, dose_g: float, down: str | None, up: str) -> None:
    rounding = round_to_presentations(product(kb, product_id), Quantity(dose_g, "g"))
    assert rounding is not None
    assert (rounding.down.describe() if rounding.down else None) == down
    assert rounding.up.describe() == up


def test_no_rounding_without_read_vial_sizes(kb: KnowledgeBase) -> None:
    assert round_to_presentations(product(kb, "xembify_us"), Quantity(10, "g")) is None


@pytest.mark.parametrize(
    ("product_id", "weight_kg", "expected"),
    [
        ("privigen_us", 70, ["21 mL/h", "336 mL/h"]),  # 0.5 and 8 mg/kg/min of 100 mg/mL = 0.3, 4.8 mL/kg/h
        ("gammagard_liquid_us", 20, ["10 mL/h", "100 mL/h"]),  # 0.5 then 5 mL/kg/h
        ("octagam_10_eu", 50, ["30 mL/h", "360 mL/h"]),  # 0.01 and 0.12 mL/kg/min
        ("octagam_5_us", 60, ["36 mL/h", "239.8 mL/h"]),  # 3.33 mg/kg/min of 50 mg/mL
    ],
    ids=[
        "privigen-mg-per-kg-min",
        "gammagard-ml-per-kg-h",
        "octagam10-ml-per-kg-min",
        "octagam5-maintenance",
    ],
)
def test_iv_rate_steps(kb: KnowledgeBase, product_id: str, weight_kg: float, expected: list[str]) -> None:
    (schedule,) = infusion_schedules(
        kb, product(kb, product_id), dose=None, weight=Quantity(weight_kg, "kg"), route=IgRoute.IV
    )
    assert [line.shown() for line in schedule.lines] == expected
    assert schedule.decided


def test_sc_schedule_by_weight_band_and_sites(kb: KnowledgeBase) -> None:
    schedules = infusion_schedules(
        kb,
        product(kb, "gammagard_liquid_us"),
        dose=Quantity(10, "g"),
        weight=Quantity(30, "kg"),
        route=IgRoute.SC,
    )
    (below_40,) = schedules
    assert below_40.title == "SC, infusions from 1, weight below 40 kg"
    assert {line.label: line.shown() for line in below_40.lines} == {
        "Rate per site, step 1": "15 mL/h",
        "Rate per site, step 2": "20 mL/h",
        "Largest volume per site": "20 mL",
        "Volume to infuse": "100 mL",
        "Sites needed": "5",
        "Time at the top rate (20 mL per site)": "1 h",
    }
    assert below_40.warnings == ()


def test_sc_schedule_warns_beyond_the_label_sites(kb: KnowledgeBase) -> None:
    schedules = infusion_schedules(
        kb, product(kb, "cuvitru_us"), dose=Quantity(60, "g"), weight=Quantity(80, "kg")
    )
    later = next(s for s in schedules if "from 3" in s.title)
    assert "Sites needed" in [line.label for line in later.lines]
    assert later.warnings == (
        "5 sites at 60 mL/h exceed the label's total of 240 mL/h",
        "5 sites exceed the label's 4",
    )


def test_age_bands_are_undecided_without_an_age(kb: KnowledgeBase) -> None:
    xembify = product(kb, "xembify_us")
    without_age = infusion_schedules(kb, xembify, dose=Quantity(10, "g"), weight=Quantity(30, "kg"))
    with_age = infusion_schedules(
        kb, xembify, dose=Quantity(10, "g"), weight=Quantity(30, "kg"), age=Quantity(8, "a")
    )
    assert [s.decided for s in without_age] == [False, False]
    assert [(s.title, s.decided) for s in with_age] == [
        ("SC, infusions from 1, age from 2 years, age below 10 years", True)
    ]


def test_iv_doses_for_a_weight(kb: KnowledgeBase) -> None:
    doses = label_doses(kb, product(kb, "privigen_us"), IgRoute.IV, Quantity(70, "kg"))
    assert doses[0].shown() == "14–56 g every 3–4 wk"
    assert doses[0].sources[0].item_id == "privigen_us"
    assert {d.sources[0].item_id for d in doses[1:]} == {"eu_ivig_pid_regimen"}


def test_measles_exposure_dose_only_where_a_label_gives_it(kb: KnowledgeBase) -> None:
    (dose,) = measles_exposure_dose(kb, product(kb, "panzyga_us"), Quantity(25, "kg"))
    assert dose.shown() == "10 g" and dose.label == "Measles exposure: one extra dose within 6 days"
    assert measles_exposure_dose(kb, product(kb, "kiovig_eu"), Quantity(25, "kg")) == ()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"weight": Quantity(0, "kg")}, "weight", "must be above 0 kg"),
        ({"weight": Quantity(500, "kg")}, "weight", "must be below 300 kg"),
        ({"weight": None}, "weight", "a body weight is needed"),
        ({"product": "Hizentr"}, "product", "close names: Hizentra"),
        ({"product": "Hizentra"}, "product", "hizentra_eu (EU label), hizentra_us (US label)"),
        ({"route": IgRoute.IV}, "route", "is given by sc, not iv"),
        ({"from_ivig_interval": Quantity(0, "wk")}, "from_ivig_interval_weeks", "must be above 0"),
        ({"from_ivig_interval": None}, "from_ivig_interval_weeks", "together"),
        ({"use_adjusted_weight": True}, "height", "needs the height and the sex"),
    ],
    ids=[
        "weight-0",
        "weight-500",
        "weight-missing",
        "unknown-product",
        "ambiguous-brand",
        "route-not-on-label",
        "interval-0",
        "interval-missing",
        "adjusted-without-height",
    ],
)
def test_bad_plan_input_names_the_field(
    kb: KnowledgeBase, overrides: dict[str, object], field: str, message: str
) -> None:
    values: dict[str, object] = {
        "weight": Quantity(70, "kg"),
        "product": "hizentra_us",
        "route": IgRoute.SC,
        "from_ivig_dose": Quantity(40, "g"),
        "from_ivig_interval": Quantity(4, "wk"),
        **overrides,
    }
    with pytest.raises(ValidationError) as caught:
        ig_plan(kb, PlanRequest(**values))  # type: ignore[arg-type]
    assert caught.value.issues[0].field == field
    assert message in caught.value.issues[0].message


def test_plan_by_adjusted_weight(kb: KnowledgeBase) -> None:
    plan = ig_plan(
        kb,
        PlanRequest(
            weight=Quantity(110, "kg"),
            height=Quantity(165, "cm"),
            sex=Sex.FEMALE,
            product="privigen",
            route=IgRoute.IV,
            use_adjusted_weight=True,
        ),
    )
    assert plan.dosing_weight.value == pytest.approx(78.15)
    assert plan.doses[0].shown() == "15.63–62.52 g every 3–4 wk"
    assert [r.dose for r in plan.rounding] == [Quantity(31.26, "g")]  # the measles-exposure dose


def test_find_product_ignores_case_and_spacing(kb: KnowledgeBase) -> None:
    assert find_product(kb, "gamunex-c").id == "gamunex_c_us"

"""Immunoglobulin products: the real label data, and the checks that refuse bad product data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pydantic
import pytest
import yaml

from immunocare.domain import IgRoute
from immunocare.domain.units import Quantity
from immunocare.errors import KnowledgeBaseError
from immunocare.knowledge import KnowledgeBase, load_knowledge_base
from immunocare.knowledge.topics.ig_products import IgProduct, When


def product(kb: KnowledgeBase, product_id: str) -> IgProduct:
    item = kb.get(product_id)
    assert isinstance(item, IgProduct)
    return item


def raw(kb: KnowledgeBase, product_id: str) -> dict[str, Any]:
    """A real product as file data, to be spoiled by a test."""
    return product(kb, product_id).model_dump(mode="json", exclude={"local"})


def test_every_product_round_trips_through_its_schema(kb: KnowledgeBase) -> None:
    products = kb.topics["ig_products"]
    assert len(products) >= 15
    for item in products:
        assert IgProduct.model_validate(item.model_dump(exclude={"local"})) == item


@pytest.mark.parametrize(
    ("product_id", "from_route", "factor"),
    [
        pytest.param("hizentra_us", IgRoute.IV, 1.37, id="hizentra-from-ivig-1.37"),
        pytest.param("cuvitru_us", IgRoute.IV, 1.30, id="cuvitru-from-ivig-1.30"),
        pytest.param("cuvitru_us", IgRoute.FSC, 1.30, id="cuvitru-from-hyqvia-1.30"),
        pytest.param("cuvitru_us", IgRoute.SC, 1.0, id="cuvitru-from-other-scig-same-dose"),
        pytest.param("xembify_us", IgRoute.IV, 1.37, id="xembify-from-ivig-1.37"),
        pytest.param("gamunex_c_us", IgRoute.IV, 1.37, id="gamunex-c-sc-from-ivig-1.37"),
        pytest.param("gammagard_liquid_us", IgRoute.IV, 1.37, id="gammagard-sc-from-ivig-1.37"),
        pytest.param("cutaquig_us", IgRoute.IV, 1.30, id="cutaquig-current-label-1.30"),
    ],
)
def test_sc_conversion_factor_from_label(
    kb: KnowledgeBase, product_id: str, from_route: IgRoute, factor: float
) -> None:
    conversions = [c for c in product(kb, product_id).sc_conversions if from_route in c.from_routes]
    assert [c.factor for c in conversions] == [factor]


@pytest.mark.parametrize(
    ("product_id", "grams"),
    [
        pytest.param("gamunex_c_us", [1, 2.5, 5, 10, 20, 40], id="gamunex-c-bottles"),
        pytest.param("panzyga_us", [1, 2.5, 5, 10, 20, 30], id="panzyga-bottles"),
        pytest.param("kiovig_eu", [1, 2.5, 5, 10, 20, 30], id="kiovig-vials"),
        pytest.param("cutaquig_us", [1, 1.65, 2, 3.3, 4, 8], id="cutaquig-16.5pct-vials"),
        pytest.param("hyqvia_eu", [2.5, 5, 10, 20, 30], id="hyqvia-dual-vial-units"),
    ],
)
def test_vial_sizes_for_rounding(kb: KnowledgeBase, product_id: str, grams: list[float]) -> None:
    assert [p.content.value_in("g") for p in product(kb, product_id).presentations] == grams


@pytest.mark.parametrize(
    ("product_id", "first", "last"),
    [
        pytest.param("privigen_us", "0.5 mg/kg/min", "8 mg/kg/min", id="privigen-0.5-to-8"),
        pytest.param("panzyga_us", "1 mg/kg/min", "14 mg/kg/min", id="panzyga-1-to-14"),
        pytest.param("gammagard_liquid_us", "0.5 mL/kg/h", "5 mL/kg/h", id="gammagard-iv-0.5-to-5"),
        pytest.param("octagam_10_eu", "0.01 mL/kg/min", "0.12 mL/kg/min", id="octagam-10-eu"),
    ],
)
def test_iv_rate_schedule_from_label(kb: KnowledgeBase, product_id: str, first: str, last: str) -> None:
    (schedule,) = [s for s in product(kb, product_id).rate_schedules if s.route is IgRoute.IV]
    assert (schedule.steps[0].rate, schedule.steps[-1].rate) == (_q(first), _q(last))


def _q(text: str) -> Quantity:
    value, unit = text.split(" ")
    return Quantity(float(value), unit)


@pytest.mark.parametrize(
    ("product_id", "weight", "per_site_max_rate", "volume_per_site"),
    [
        pytest.param("gammagard_liquid_us", 70, "30 mL/h", "30 mL", id="gammagard-sc-adult-40kg-plus"),
        pytest.param("gammagard_liquid_us", 25, "20 mL/h", "20 mL", id="gammagard-sc-child-under-40kg"),
        pytest.param("gamunex_c_us", 20, "10 mL/h", None, id="gamunex-c-sc-under-25kg"),
    ],
)
def test_sc_schedule_chosen_by_weight(
    kb: KnowledgeBase, product_id: str, weight: float, per_site_max_rate: str, volume_per_site: str | None
) -> None:
    schedules = [
        s
        for s in product(kb, product_id).rate_schedules
        if s.route is IgRoute.SC and s.when.matches(weight=Quantity(weight, "kg"))
    ]
    assert len(schedules) == 1
    assert schedules[0].steps[-1].rate == _q(per_site_max_rate)
    assert schedules[0].volume_per_site_max == (_q(volume_per_site) if volume_per_site else None)


@pytest.mark.parametrize(
    ("when", "age", "weight", "expected"),
    [
        pytest.param({"weight_below": "40 kg"}, None, 39.9, True, id="just-under-40kg"),
        pytest.param({"weight_below": "40 kg"}, None, 40, False, id="upper-bound-exclusive"),
        pytest.param({"age_from": "2 a", "age_below": "10 a"}, 2, None, True, id="lower-bound-inclusive"),
        pytest.param({"age_from": "10 a"}, None, 30, None, id="age-needed-but-missing"),
        pytest.param({"group": "adults"}, 40, 70, None, id="label-group-without-age"),
    ],
)
def test_when_bands(
    when: dict[str, str], age: float | None, weight: float | None, expected: bool | None
) -> None:
    band = When.model_validate(when)
    patient_age = Quantity(age, "a") if age is not None else None
    patient_weight = Quantity(weight, "kg") if weight is not None else None
    assert band.matches(age=patient_age, weight=patient_weight) is expected


def _spoil(data: dict[str, Any], case: str) -> None:
    if case == "no-concentration":
        del data["concentration"]
    elif case == "non-ucum-rate-unit":
        data["rate_schedules"][0]["steps"][0]["rate"] = "0.5 ml/kg/hr"
    elif case == "non-increasing-rates":
        data["rate_schedules"][0]["steps"].reverse()
    elif case == "sc-factor-on-iv-only-product":
        data["sc_conversions"] = [{"from_routes": ["iv"], "factor": 1.37}]
    elif case == "vial-grams-not-matching-strength":
        data["presentations"][0]["volume"] = "100 mL"
    elif case == "iv-rate-per-site":
        data["rate_schedules"][0]["steps"] = [{"rate": "20 mL/h"}]


@pytest.mark.parametrize(
    ("case", "message"),
    [
        pytest.param("no-concentration", "concentration", id="product-without-concentration"),
        pytest.param("non-ucum-rate-unit", "not a UCUM unit", id="rate-step-with-non-ucum-unit"),
        pytest.param("non-increasing-rates", "rate steps must increase", id="non-increasing-rate-schedule"),
        pytest.param(
            "sc-factor-on-iv-only-product", "need an SC route", id="sc-conversion-on-iv-only-product"
        ),
        pytest.param(
            "vial-grams-not-matching-strength", "does not match", id="vial-inconsistent-with-strength"
        ),
        pytest.param("iv-rate-per-site", "per kg", id="iv-rate-given-per-site"),
    ],
)
def test_bad_copy_of_privigen_is_refused(kb: KnowledgeBase, case: str, message: str) -> None:
    data = raw(kb, "privigen_us")
    _spoil(data, case)
    with pytest.raises(pydantic.ValidationError, match=message):
        IgProduct.model_validate(data)


def test_overlay_with_a_product_without_concentration_fails_to_load(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    data = raw(kb, "hizentra_us")
    data["id"] = "hizentra_site_copy"
    del data["concentration"]
    (tmp_path / "ig_products").mkdir()
    text = yaml.safe_dump({"items": [data]}, allow_unicode=True)
    (tmp_path / "ig_products" / "site.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(overlay_dir=tmp_path)
    assert any("site.yaml#0: concentration" in problem for problem in caught.value.problems)

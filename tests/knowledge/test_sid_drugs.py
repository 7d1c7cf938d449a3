"""Drugs that cause secondary immunodeficiency: classification, thresholds, monitoring, bad data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pydantic
import pytest
import yaml

from immunocare.domain import Quantity
from immunocare.domain.ages import Duration
from immunocare.errors import KnowledgeBaseError
from immunocare.knowledge import KnowledgeBase, load_knowledge_base
from immunocare.knowledge.topics.sid_drugs import (
    DoseEquivalence,
    DrugClass,
    MonitoringRule,
    SidDrugItem,
    classify_medication,
)

ADAPTER: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(SidDrugItem)


def drug_class(kb: KnowledgeBase, class_id: str) -> DrugClass:
    item = kb.get(class_id)
    assert isinstance(item, DrugClass)
    return item


def test_every_sid_drug_item_round_trips_through_its_schema(kb: KnowledgeBase) -> None:
    items = kb.topics["sid_drugs"]
    assert len(items) >= 25
    for item in items:
        assert ADAPTER.validate_python(item.model_dump(mode="json", exclude={"local"})) == item


@pytest.mark.parametrize(
    ("name", "atc", "class_ids"),
    [
        pytest.param("Rituximab", None, {"sid_anti_cd20"}, id="rituximab-by-name"),
        pytest.param(None, "L04AG12", {"sid_anti_cd20"}, id="ofatumumab-MS-by-ATC"),
        pytest.param("ocrelizumab", None, {"sid_b_cell_depleting_other"}, id="ocrelizumab"),
        pytest.param(None, "L01XL04", {"sid_car_t"}, id="tisagenlecleucel-by-ATC"),
        pytest.param("teclistamab", None, {"sid_myeloma_bispecifics"}, id="teclistamab"),
        pytest.param(None, "L01AA09", {"sid_alkylating_agents"}, id="bendamustine-by-ATC-group"),
        pytest.param("cyclophosphamide", None, {"sid_alkylating_agents"}, id="cyclophosphamide"),
        pytest.param(
            "azathioprine",
            None,
            {"sid_antimetabolites", "sid_transplant_immunosuppressants"},
            id="azathioprine-two-classes",
        ),
        pytest.param(
            "Mycophenolate mofetil", None, {"sid_transplant_immunosuppressants"}, id="mycophenolate-synonym"
        ),
        pytest.param(None, "H02AB07", {"sid_systemic_corticosteroids"}, id="prednisone-by-ATC"),
        pytest.param("phenytoin", None, {"sid_antiepileptics"}, id="phenytoin"),
        pytest.param(None, "L01EL01", {"sid_btk_inhibitors"}, id="ibrutinib-by-ATC"),
        pytest.param("IVIG", None, {"sid_immunoglobulin_replacement"}, id="IVIG-synonym"),
        pytest.param("paracetamol", "N02BE01", set(), id="unrelated-drug"),
    ],
)
def test_a_recorded_medication_is_classified(
    kb: KnowledgeBase, name: str | None, atc: str | None, class_ids: set[str]
) -> None:
    assert {c.id for c in classify_medication(kb, name=name, atc=atc)} == class_ids


@pytest.mark.parametrize(
    ("daily_mg", "days", "weight_kg", "met"),
    [
        pytest.param(20, 14, 70, True, id="prednisone-20mg-14-days-adult-meets"),
        pytest.param(40, 30, 70, True, id="prednisone-40mg-a-month-meets"),
        pytest.param(20, 13, 70, False, id="13-days-too-short"),
        pytest.param(15, 14, 70, False, id="15mg-too-low-for-an-adult"),
        pytest.param(20, 14, 8, True, id="infant-8kg-20mg-is-above-2mg-per-kg"),
        pytest.param(16, 14, 8, False, id="infant-8kg-16mg-is-exactly-2mg-per-kg"),
        pytest.param(20, 14, None, None, id="weight-unknown-undetermined"),
        pytest.param(20, 10, None, False, id="short-course-needs-no-weight"),
    ],
)
def test_high_dose_corticosteroid_threshold(
    kb: KnowledgeBase, daily_mg: float, days: float, weight_kg: float | None, met: bool | None
) -> None:
    threshold = drug_class(kb, "sid_systemic_corticosteroids").high_dose
    assert threshold is not None
    weight = Quantity(weight_kg, "kg") if weight_kg is not None else None
    assert (
        threshold.met_by(daily_dose=Quantity(daily_mg, "mg"), duration=Quantity(days, "d"), weight=weight)
        is met
    )


def test_dexamethasone_is_converted_to_prednisone_with_an_unverified_table(kb: KnowledgeBase) -> None:
    table = kb.get("sid_corticosteroid_equivalence")
    assert isinstance(table, DoseEquivalence)
    assert not table.verified
    assert table.to_reference("Dexamethasone", Quantity(3, "mg")) == Quantity(20, "mg")
    assert table.to_reference("budesonide", Quantity(9, "mg")) is None


@pytest.mark.parametrize(
    ("class_id", "trigger"),
    [
        pytest.param("sid_anti_cd20", "before_first_dose", id="rituximab-baseline-IgG"),
        pytest.param("sid_anti_cd20", "on_treatment", id="rituximab-periodic-IgG"),
        pytest.param("sid_car_t", "before_first_dose", id="CAR-T-baseline-IgG"),
        pytest.param("sid_antiepileptics", "recurrent_infections", id="antiepileptic-with-infections"),
    ],
)
def test_no_igg_on_record_leads_to_a_cited_igg_measurement(
    kb: KnowledgeBase, class_id: str, trigger: str
) -> None:
    advice = [
        rule
        for rule in kb.of(MonitoringRule)
        if class_id in rule.drug_classes
        and rule.trigger == trigger
        and rule.action == "measure_immunoglobulins"
    ]
    assert advice
    assert all("IgG" in rule.measure and rule.verified and kb.cite(rule) for rule in advice)


def test_rituximab_periodic_monitoring_interval_is_data(kb: KnowledgeBase) -> None:
    rule = kb.get("sid_monitor_anti_cd20_periodic")
    assert isinstance(rule, MonitoringRule)
    assert rule.interval == Duration(months=6)


@pytest.mark.parametrize(
    ("igg", "unit", "consider"),
    [
        pytest.param(350, "mg/dL", True, id="IgG-350mg-dL"),
        pytest.param(4.0, "g/L", True, id="IgG-4g-L-is-400mg-dL"),
        pytest.param(4.5, "g/L", False, id="IgG-4.5g-L"),
    ],
)
def test_igg_replacement_after_car_t_is_considered_below_the_threshold(
    kb: KnowledgeBase, igg: float, unit: str, consider: bool
) -> None:
    rule = kb.get("sid_monitor_car_t_igrt")
    assert isinstance(rule, MonitoringRule)
    assert rule.action == "consider_igrt"
    assert all(threshold.holds(Quantity(igg, unit)) for threshold in rule.when) is consider


CLASS = {
    "kind": "drug_class",
    "id": "site_drug_class",
    "title": "A site drug class",
    "members": [{"name": "examplumab", "atc": ["L04AG99"]}],
    "mechanism": "Example.",
    "effects": ["hypogammaglobulinaemia"],
    "citations": [{"source": "who_atc_ddd_2026", "where": "L04AG"}],
    "verified": True,
}


@pytest.mark.parametrize(
    ("item", "message"),
    [
        pytest.param(
            CLASS | {"members": [{"name": "examplumab", "atc": ["L04AG9"]}]},
            "an ATC code looks like",
            id="bad-atc",
        ),
        pytest.param(CLASS | {"atc_groups": ["l04"]}, "an ATC code looks like", id="bad-atc-group"),
        pytest.param(CLASS | {"members": []}, "needs members or ATC groups", id="empty-class"),
        pytest.param(
            {
                "kind": "monitoring",
                "id": "site_monitor",
                "title": "Site monitoring",
                "drug_classes": ["sid_no_such_class"],
                "trigger": "on_treatment",
                "action": "measure_immunoglobulins",
                "measure": ["IgG"],
                "advice": "Measure IgG.",
                "citations": [{"source": "who_atc_ddd_2026", "where": "x"}],
                "verified": True,
            },
            "site_monitor: unknown drug class 'sid_no_such_class'",
            id="monitoring-unknown-class",
        ),
    ],
)
def test_bad_drug_data_is_refused(tmp_path: Path, item: dict[str, Any], message: str) -> None:
    folder = tmp_path / "sid_drugs"
    folder.mkdir()
    (folder / "site.yaml").write_text(yaml.safe_dump({"items": [item]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(overlay_dir=tmp_path)
    assert any(message in problem for problem in caught.value.problems), caught.value.problems

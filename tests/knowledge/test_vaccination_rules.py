"""Vaccination rules for immunodeficient patients, read from the data, and refused bad rules."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pydantic
import pytest
import yaml

from immunocare.domain import Quantity
from immunocare.domain.ages import Duration
from immunocare.errors import KnowledgeBaseError
from immunocare.knowledge import KnowledgeBase, load_knowledge_base
from immunocare.knowledge.topics.vaccination_rules import (
    AgeRange,
    AntibodyInterval,
    HouseholdRule,
    ImmunodeficiencyCategory,
    RevaccinationStep,
    Treatment,
    VaccinationItem,
    VaccineRule,
    Window,
)
from immunocare.knowledge.topics.vaccines import Vaccine

ADAPTER: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(VaccinationItem)


def categories_for(kb: KnowledgeBase, *, iuis: str | None = None, gene: str | None = None) -> set[str]:
    return {
        c.id
        for c in kb.of(ImmunodeficiencyCategory)
        if (iuis is not None and iuis in c.iuis) or (gene is not None and gene in c.genes)
    }


def statuses(kb: KnowledgeBase, applies_to: set[str], cvx: str) -> set[str]:
    (vaccine,) = [v for v in kb.of(Vaccine) if v.cvx == cvx]
    return {
        rule.status
        for rule in kb.of(VaccineRule)
        if applies_to & set(rule.applies_to) and rule.vaccines.matches(vaccine)
    }


def test_every_vaccination_item_round_trips_through_its_schema(kb: KnowledgeBase) -> None:
    items = kb.topics["vaccination_rules"]
    assert len(items) >= 100
    for item in items:
        assert ADAPTER.validate_python(item.model_dump(mode="json", exclude={"local"})) == item


@pytest.mark.parametrize(
    ("iuis", "gene", "category"),
    [
        pytest.param("3.1", None, "vr_cat_severe_antibody_deficiency", id="XLA-IUIS-3.1"),
        pytest.param("3.2", None, "vr_cat_severe_antibody_deficiency", id="CVID-IUIS-3.2"),
        pytest.param("3.4", None, "vr_cat_less_severe_antibody_deficiency", id="sIgAD-IUIS-3.4"),
        pytest.param("1.1", None, "vr_cat_complete_t_cell_defect", id="T-B+-SCID"),
        pytest.param("5.3", None, "vr_cat_chronic_granulomatous_disease", id="CGD-IUIS-5.3"),
        pytest.param(None, "CYBB", "vr_cat_chronic_granulomatous_disease", id="CGD-by-gene"),
        pytest.param(None, "WAS", "vr_cat_partial_t_cell_defect", id="WAS-by-gene"),
        pytest.param(None, "ITGB2", "vr_cat_phagocytic_undefined", id="LAD1-by-gene"),
        pytest.param(None, "IFNGR1", "vr_cat_ifng_il12_axis", id="IFNGR1-by-gene"),
    ],
)
def test_a_diagnosis_maps_to_its_category(
    kb: KnowledgeBase, iuis: str | None, gene: str | None, category: str
) -> None:
    assert category in categories_for(kb, iuis=iuis, gene=gene)


@pytest.mark.parametrize(
    ("iuis", "cvx", "expected", "absent"),
    [
        pytest.param("3.1", "03", "contraindicated", None, id="XLA-MMR-contraindicated"),
        pytest.param("3.1", "94", "contraindicated", None, id="XLA-MMRV-contraindicated"),
        pytest.param("3.1", "19", "contraindicated", None, id="XLA-BCG-contraindicated"),
        pytest.param("3.1", "33", "effectiveness_uncertain", None, id="XLA-PPSV23-uncertain"),
        pytest.param("3.1", "133", "recommended", "contraindicated", id="XLA-PCV-recommended"),
        pytest.param("3.4", "02", "contraindicated", None, id="sIgAD-OPV-contraindicated"),
        pytest.param("3.4", "19", "contraindicated", None, id="sIgAD-BCG-contraindicated"),
        pytest.param("3.4", "37", "contraindicated", None, id="sIgAD-yellow-fever-contraindicated"),
        pytest.param("3.4", "03", "appears_safe", "contraindicated", id="sIgAD-MMR-appears-safe"),
        pytest.param("3.4", "21", "appears_safe", "contraindicated", id="sIgAD-varicella-appears-safe"),
        pytest.param("3.4", "116", "appears_safe", "contraindicated", id="sIgAD-rotavirus-appears-safe"),
        pytest.param("5.3", "19", "contraindicated", None, id="CGD-BCG-contraindicated"),
        pytest.param("5.3", "25", "contraindicated", None, id="CGD-Ty21a-contraindicated"),
        pytest.param("5.3", "03", "appears_safe", "contraindicated", id="CGD-MMR-live-viral-safe"),
        pytest.param("1.2", "116", "contraindicated", None, id="SCID-rotavirus-contraindicated"),
        pytest.param("1.2", "10", None, "contraindicated", id="SCID-IPV-not-contraindicated"),
        pytest.param("8", "108", "recommended", "contraindicated", id="complement-MenACWY-recommended"),
    ],
)
def test_vaccine_status_by_category(
    kb: KnowledgeBase, iuis: str, cvx: str, expected: str | None, absent: str | None
) -> None:
    found = statuses(kb, categories_for(kb, iuis=iuis), cvx)
    assert expected is None or expected in found
    assert absent is None or absent not in found


@pytest.mark.parametrize(
    ("treatment", "cvx", "status", "anchor", "end"),
    [
        pytest.param(
            "vr_tx_high_dose_corticosteroids",
            "03",
            "contraindicated",
            "treatment_stop",
            Duration(months=1),
            id="steroids-MMR-until-1-month",
        ),
        pytest.param(
            "vr_tx_b_cell_depletion",
            "150",
            "likely_ineffective",
            "last_dose",
            Duration(months=6),
            id="rituximab-influenza-6-months",
        ),
        pytest.param(
            "vr_tx_car_t", "03", "not_recommended", "last_dose", Duration(months=3), id="CAR-T-MMR-3-months"
        ),
        pytest.param(
            "vr_tx_chemotherapy",
            "21",
            "contraindicated",
            "treatment_stop",
            Duration(months=3),
            id="chemo-varicella-3-months",
        ),
        pytest.param(
            "vr_tx_hsct", "03", "contraindicated", "transplant", Duration(months=24), id="HSCT-MMR-24-months"
        ),
    ],
)
def test_treatment_windows(
    kb: KnowledgeBase, treatment: str, cvx: str, status: str, anchor: str, end: Quantity
) -> None:
    (vaccine,) = [v for v in kb.of(Vaccine) if v.cvx == cvx]
    windows = [
        rule.window
        for rule in kb.of(VaccineRule)
        if treatment in rule.applies_to and rule.status == status and rule.vaccines.matches(vaccine)
    ]
    assert any(w is not None and w.anchor == anchor and w.end == end for w in windows)


def test_treatments_map_to_known_drug_classes(kb: KnowledgeBase) -> None:
    steroids = kb.get("vr_tx_high_dose_corticosteroids")
    assert isinstance(steroids, Treatment)
    assert steroids.high_dose_only
    assert steroids.drug_classes == ("sid_systemic_corticosteroids",)


@pytest.mark.parametrize(
    ("cvx", "status"),
    [
        pytest.param("02", "not_to_be_given", id="household-OPV-not-given"),
        pytest.param("75", "not_to_be_given", id="household-ACAM2000-not-given"),
        pytest.param("03", "recommended", id="household-MMR-recommended"),
        pytest.param("116", "recommended", id="household-rotavirus-recommended"),
        pytest.param("37", "may_receive", id="household-yellow-fever-for-travel"),
        pytest.param("149", "may_receive", id="household-LAIV-may-receive"),
    ],
)
def test_household_contacts(kb: KnowledgeBase, cvx: str, status: str) -> None:
    (vaccine,) = [v for v in kb.of(Vaccine) if v.cvx == cvx]
    assert status in {rule.status for rule in kb.of(HouseholdRule) if rule.vaccines.matches(vaccine)}


def test_laiv_for_household_contacts_of_a_scid_patient_is_an_exception(kb: KnowledgeBase) -> None:
    rule = kb.get("vr_household_laiv")
    assert isinstance(rule, HouseholdRule)
    (scid,) = [e for e in rule.exceptions if "esid_scid" in e.esid]
    assert scid.status == "not_to_be_given"
    assert scid.precaution_period == Duration(days=7)


@pytest.mark.parametrize(
    ("dose_mg_per_kg", "months"),
    [
        pytest.param(400, 8, id="replacement-400mg-kg-8-months"),
        pytest.param(1000, 10, id="1g-kg-10-months"),
        pytest.param(2000, 11, id="2g-kg-11-months"),
    ],
)
def test_interval_after_immunoglobulin_before_measles_vaccine(
    kb: KnowledgeBase, dose_mg_per_kg: float, months: float
) -> None:
    dose = Quantity(dose_mg_per_kg, "mg/kg")
    (row,) = [
        r
        for r in kb.of(AntibodyInterval)
        if r.dose_from.value_in("mg/kg") <= dose.value <= r.dose_to.value_in("mg/kg")
    ]
    assert row.interval == Duration(months=months)


def test_hsct_revaccination_plan_is_ordered_in_time(kb: KnowledgeBase) -> None:
    steps = [s for s in kb.of(RevaccinationStep) if s.applies_to == "vr_tx_hsct"]
    starts = {s.id: s.window.start for s in steps if s.window.start is not None}
    assert starts["vr_revacc_hsct_pcv"].always_shorter_than(starts["vr_revacc_hsct_ppsv23"])
    assert starts["vr_revacc_hsct_ppsv23"].always_shorter_than(starts["vr_revacc_hsct_mmr"])
    pcv = kb.get("vr_revacc_hsct_pcv")
    assert isinstance(pcv, RevaccinationStep)
    assert pcv.doses == 3


@pytest.mark.parametrize(
    ("on", "inside"),
    [
        pytest.param(date(2025, 1, 30), False, id="11-months"),
        pytest.param(date(2025, 1, 31), True, id="12-months-on-the-birthday"),
        pytest.param(date(2029, 1, 30), True, id="59-months"),
        pytest.param(date(2029, 1, 31), False, id="5-years"),
    ],
)
def test_hib_age_range_for_antibody_deficiency(kb: KnowledgeBase, on: date, inside: bool) -> None:
    rule = kb.get("vr_severe_antibody_hib")
    assert isinstance(rule, VaccineRule)
    assert rule.age is not None
    assert rule.age.contains(birth_date=date(2024, 1, 31), on=on) is inside


def test_bad_windows_and_ages_are_refused() -> None:
    with pytest.raises(pydantic.ValidationError, match="must end after it starts"):
        Window.model_validate({"anchor": "transplant", "start": "P1M", "end": "P4W"})
    with pytest.raises(pydantic.ValidationError, match="ISO 8601"):
        Window.model_validate({"anchor": "transplant", "end": "1 month"})
    with pytest.raises(pydantic.ValidationError, match="below_age must be above from_age"):
        AgeRange.model_validate({"from_age": "P2Y", "below_age": "P1Y"})


RULE = {
    "kind": "rule",
    "id": "site_rule",
    "title": "A site rule",
    "applies_to": ["vr_cat_severe_antibody_deficiency"],
    "vaccines": {"groups": ["measles"]},
    "status": "contraindicated",
    "reason": "Example.",
    "citations": [{"source": "rubin2014", "where": "x"}],
    "verified": True,
}


@pytest.mark.parametrize(
    ("item", "message"),
    [
        pytest.param(
            RULE | {"vaccines": {"groups": ["measels"]}},
            "unknown vaccine group 'measels'",
            id="unknown-group",
        ),
        pytest.param(RULE | {"vaccines": {"cvx": ["998"]}}, "unknown CVX code '998'", id="unknown-cvx"),
        pytest.param(
            RULE | {"vaccines": {"classes": ["attenuated"]}}, "vaccines.classes", id="unknown-vaccine-class"
        ),
        pytest.param(
            RULE | {"vaccines": {"groups": ["ebola"], "classes": ["live_bacterial"]}},
            "the vaccine selector picks no vaccine",
            id="selector-picks-nothing",
        ),
        pytest.param(
            RULE | {"applies_to": ["vr_cat_no_such"]},
            "unknown category or treatment 'vr_cat_no_such'",
            id="unknown-category",
        ),
        pytest.param(
            {
                "kind": "treatment",
                "id": "site_treatment",
                "title": "A site treatment",
                "evidence": "medication",
                "drug_classes": ["sid_no_such_class"],
                "citations": [{"source": "rubin2014", "where": "x"}],
                "verified": True,
            },
            "site_treatment: unknown drug class 'sid_no_such_class'",
            id="unknown-drug-class",
        ),
        pytest.param(
            {
                "kind": "treatment",
                "id": "site_treatment",
                "title": "A site treatment",
                "evidence": "medication",
                "drug_classes": ["sid_anti_cd20"],
                "high_dose_only": True,
                "citations": [{"source": "rubin2014", "where": "x"}],
                "verified": True,
            },
            "drug class 'sid_anti_cd20' has no high-dose threshold",
            id="high-dose-without-threshold",
        ),
    ],
)
def test_bad_rules_are_refused(tmp_path: Path, item: dict[str, Any], message: str) -> None:
    folder = tmp_path / "vaccination_rules"
    folder.mkdir()
    (folder / "site.yaml").write_text(yaml.safe_dump({"items": [item]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(overlay_dir=tmp_path)
    assert any(message in problem for problem in caught.value.problems), caught.value.problems

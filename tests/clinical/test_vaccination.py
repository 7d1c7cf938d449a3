"""Vaccination safety: every rule row of the knowledge base, each treatment state, and key patients."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from immunocare.clinical.criteria import Evaluation
from immunocare.clinical.vaccination import (
    Decision,
    Exposure,
    VaccinationState,
    decide,
    vaccination_plan,
    vaccination_section,
)
from immunocare.clinical.vaccination._decide import PRECEDENCE
from immunocare.domain import DiagnosisStatus, PatientRecord, Quantity
from immunocare.knowledge import KnowledgeBase, load_knowledge_base
from immunocare.knowledge.topics.vaccination_rules import (
    ImmunodeficiencyCategory,
    Treatment,
    VaccineRule,
)
from immunocare.knowledge.topics.vaccines import Vaccine
from tests.clinical.builders import record
from tests.factories import make_diagnosis, make_growth, make_infusion, make_medication, make_vaccination

AS_OF = date(2026, 6, 1)
_KB = load_knowledge_base()
_BIRTHS = tuple(date.fromisoformat(d) for d in ("2026-04-15", "2025-10-15", "2025-04-15", "2023-03-01",
                                                  "2014-01-01", "1996-01-01"))  # fmt: skip
"""Patients aged about 6 weeks, 7 and 13 months, 3, 12 and 30 years on AS_OF."""


def _rule_targets() -> list[tuple[str, str]]:
    return [(rule.id, target) for rule in _KB.of(VaccineRule) for target in rule.applies_to]


def _birth_inside(rule: VaccineRule) -> date:
    for birth in _BIRTHS:
        if rule.age is None or rule.age.contains(birth_date=birth, on=AS_OF):
            return birth
    raise AssertionError(f"{rule.id}: no test age fits {rule.age}")


def _only(kb: KnowledgeBase, target: str, *, stop: date | None = None) -> VaccinationState:
    item = kb.get(target)
    assert isinstance(item, ImmunodeficiencyCategory | Treatment)
    if isinstance(item, ImmunodeficiencyCategory):
        return VaccinationState(categories=(Exposure(item, "test", ()),), treatments=())
    exposure = Exposure(item, "test", (), start=AS_OF - timedelta(days=400), stop=stop)
    return VaccinationState(categories=(), treatments=(exposure,))


def _by_cvx(decisions: tuple[Decision, ...]) -> dict[str, Decision]:
    return {d.vaccine.cvx: d for d in decisions}


@pytest.mark.parametrize(("rule_id", "target"), _rule_targets())
def test_every_rule_row_decides_its_vaccines_for_its_category_or_ongoing_treatment(
    kb: KnowledgeBase, rule_id: str, target: str
) -> None:
    rule = kb.get(rule_id)
    assert isinstance(rule, VaccineRule)
    decisions = _by_cvx(decide(kb, _only(kb, target), AS_OF, _birth_inside(rule)))
    selected = rule.vaccines.select(kb.of(Vaccine))
    assert selected
    for vaccine in selected:
        decision = decisions[vaccine.cvx]
        (use,) = [u for u in decision.uses if u.rule.id == rule_id]
        if rule.conditions or rule.requires:
            assert not use.decisive and set(rule.conditions) <= set(use.conditions)
        else:
            assert decision.status is not None
            assert PRECEDENCE.index(decision.status) <= PRECEDENCE.index(rule.status)


@pytest.mark.parametrize(("rule_id", "target"), _rule_targets())
def test_a_rule_with_ages_does_not_hold_outside_them(kb: KnowledgeBase, rule_id: str, target: str) -> None:
    rule = kb.get(rule_id)
    assert isinstance(rule, VaccineRule)
    outside = [b for b in _BIRTHS if rule.age is not None and not rule.age.contains(birth_date=b, on=AS_OF)]
    for birth in outside:
        decisions = decide(kb, _only(kb, target), AS_OF, birth)
        assert all(u.rule.id != rule_id for d in decisions for u in d.uses)


_WINDOWED = [
    (rule.id, target)
    for rule in _KB.of(VaccineRule)
    if rule.window is not None and rule.window.anchor != "transplant" and rule.window.end is not None
    for target in rule.applies_to
    if isinstance(_KB.get(target), Treatment)
]


@pytest.mark.parametrize(("rule_id", "target"), _WINDOWED)
def test_a_treatment_rule_holds_until_its_window_ends_after_the_last_dose(
    kb: KnowledgeBase, rule_id: str, target: str
) -> None:
    rule = kb.get(rule_id)
    assert isinstance(rule, VaccineRule) and rule.window is not None and rule.window.end is not None
    birth = _birth_inside(rule)
    low, high = rule.window.end.span_in_days()

    def holds(stopped_days_ago: int) -> bool:
        state = _only(kb, target, stop=AS_OF - timedelta(days=stopped_days_ago))
        return any(u.rule.id == rule_id for d in decide(kb, state, AS_OF, birth) for u in d.uses)

    assert holds(0) and holds(low - 1)
    assert not holds(high + 1)


@pytest.mark.parametrize("target", [t.id for t in _KB.of(Treatment) if t.evidence == "medication"])
def test_a_medication_rule_without_a_window_stops_holding_when_the_medication_stops(
    kb: KnowledgeBase, target: str
) -> None:
    unwindowed = {r.id for r in kb.of(VaccineRule) if target in r.applies_to and r.window is None}
    birth = _BIRTHS[-1]
    stopped = decide(kb, _only(kb, target, stop=AS_OF - timedelta(days=1)), AS_OF, birth)
    assert not {u.rule.id for d in stopped for u in d.uses} & unwindowed


def _status(patient: PatientRecord, kb: KnowledgeBase, cvx: str, on: date = AS_OF) -> str | None:
    decisions = _by_cvx(vaccination_plan(Evaluation(patient, kb, on)).decisions)
    return decisions[cvx].status if cvx in decisions else None


def _scid_infant() -> PatientRecord:
    scid = make_diagnosis(
        id=1, code="D81.2", display="SCID", iuis_category="1.1", status=DiagnosisStatus.SUSPECTED
    )
    return record(date(2026, 3, 1), diagnoses=(scid,))


def test_a_suspected_scid_infant_gets_no_live_vaccine(kb: KnowledgeBase) -> None:
    patient = _scid_infant()
    for live in ("03", "116", "119", "19", "02"):  # MMR, RV5, RV1, BCG, OPV
        assert _status(patient, kb, live) == "contraindicated"
    assert _status(patient, kb, "133") == "recommended"  # PCV13


def test_xla_on_replacement_live_vaccines_contraindicated_and_measles_response_blunted(
    kb: KnowledgeBase,
) -> None:
    patient = record(
        date(2018, 1, 1),
        diagnoses=(make_diagnosis(id=1),),
        infusions=(make_infusion(given_on=date(2026, 5, 1), id=3),),
        vaccinations=(make_vaccination(cvx="03", vaccine="MMR", given_on=date(2019, 1, 15), id=9),),
    )
    assert _status(patient, kb, "03") == "contraindicated"
    assert _status(patient, kb, "02") == "contraindicated"
    assert _status(patient, kb, "21") == "likely_ineffective"  # varicella, through the IGIV rule
    assert _status(patient, kb, "133") == "recommended"
    assert _status(patient, kb, "33") == "recommended"  # PPSV23: recommended, effectiveness uncertain
    plan = vaccination_plan(Evaluation(patient, kb, AS_OF))
    (past,) = plan.past_doses
    assert past.vaccination.id == 9 and past.uses[0].rule.id == "vr_severe_antibody_live_contraindicated"


def test_cgd_live_bacterial_vaccines_contraindicated_live_viral_appear_safe(kb: KnowledgeBase) -> None:
    cgd = make_diagnosis(id=1, code="D71", display="Chronic granulomatous disease", iuis_category="5.3")
    patient = record(date(2015, 1, 1), diagnoses=(cgd,))
    assert _status(patient, kb, "19") == "contraindicated"  # BCG
    assert _status(patient, kb, "25") == "contraindicated"  # Ty21a
    assert _status(patient, kb, "03") == "appears_safe"


def test_complement_deficiency_no_vaccine_contraindicated_meningococcal_recommended(
    kb: KnowledgeBase,
) -> None:
    c5 = make_diagnosis(id=1, code="D84.1", display="C5 deficiency", iuis_category="8")
    patient = record(date(2000, 1, 1), diagnoses=(c5,))
    decisions = vaccination_plan(Evaluation(patient, kb, AS_OF)).decisions
    assert not [d for d in decisions if d.status == "contraindicated"]
    assert _status(patient, kb, "136") == "recommended"
    assert _status(patient, kb, "03") == "likely_effective"


def test_rituximab_blunts_inactivated_vaccines_for_six_months_after_the_last_dose(kb: KnowledgeBase) -> None:
    last = date(2026, 4, 1)
    rituximab = make_medication(name="rituximab", code="L01FA01", start=date(2026, 1, 1), stop=last, id=4)
    patient = record(date(1970, 1, 1), medications=(rituximab,))
    assert _status(patient, kb, "150") == "likely_ineffective"  # IIV4
    assert _status(patient, kb, "03") == "not_recommended"
    assert _status(patient, kb, "150", on=date(2026, 10, 2)) is None


def test_steroids_count_above_the_high_dose_threshold_and_unknown_doses_are_left_to_confirm(
    kb: KnowledgeBase,
) -> None:
    prednisolone = make_medication(name="prednisolone", code="H02AB06", start=date(2026, 5, 1), stop=None,
                                   dose=None, dose_interval=None, id=5)  # fmt: skip
    patient = record(date(1970, 1, 1), medications=(prednisolone,))
    assert _status(patient, kb, "03") is None
    low = make_medication(name="prednisolone", code="H02AB06", start=date(2026, 5, 1), stop=None,
                          dose=Quantity(5, "mg"), dose_interval=Quantity(1, "d"), id=5)  # fmt: skip
    weight = make_growth(measured_on=date(2026, 5, 1), value=Quantity(70, "kg"))
    adult = record(date(1970, 1, 1), medications=(low,), growth=(weight,))
    assert vaccination_plan(Evaluation(adult, kb, AS_OF)).decisions == ()
    high = replace(low, dose=Quantity(40, "mg"))
    on_high = record(date(1970, 1, 1), medications=(high,), growth=(weight,))
    assert _status(on_high, kb, "03") == "contraindicated"  # live viral during therapy


def test_the_section_explains_the_state_and_recommends_from_the_deciding_rules(kb: KnowledgeBase) -> None:
    section = vaccination_section(Evaluation(_scid_infant(), kb, AS_OF))
    assert section.key == "vaccination"
    state = section.findings[0]
    assert "Complete T-cell defect" in state.title or "Complete T-cell defect" in state.explanation
    actions = [r.action for r in section.recommendations]
    assert actions[0] == "vr_complete_t_cell_live_contraindicated"
    first = section.recommendations[0]
    assert "MMR" in first.rationale and first.citations == ("cdc_acip_altered_immunocompetence",)
    unverified = [r for r in section.recommendations if r.action == "vr_complete_t_cell_ineffective"]
    assert unverified and not unverified[0].verified


def test_no_category_or_treatment_is_undetermined_not_silent(kb: KnowledgeBase) -> None:
    section = vaccination_section(Evaluation(record(date(2000, 1, 1)), kb, AS_OF))
    (state,) = section.findings
    assert state.status.value == "undetermined" and section.recommendations == ()


def test_after_rituximab_the_reinforcement_step_is_due_six_months_after_the_last_dose(
    kb: KnowledgeBase,
) -> None:
    rituximab = make_medication(
        name="rituximab", code="L01FA01", start=date(2026, 1, 1), stop=date(2026, 4, 1), id=4
    )
    section = vaccination_section(Evaluation(record(date(1970, 1, 1), medications=(rituximab,)), kb, AS_OF))
    (step,) = [r for r in section.recommendations if r.action == "vr_revacc_b_cell_depletion"]
    assert "due from 2026-10-01" in step.text and "rituximab" in step.rationale
    ongoing = replace(rituximab, stop=None)
    section = vaccination_section(Evaluation(record(date(1970, 1, 1), medications=(ongoing,)), kb, AS_OF))
    (step,) = [r for r in section.recommendations if r.action == "vr_revacc_b_cell_depletion"]
    assert "6 months after" in step.text and "ends" in step.text


def test_household_contacts_of_an_immunodeficient_patient_get_no_opv(kb: KnowledgeBase) -> None:
    plan = vaccination_plan(Evaluation(_scid_infant(), kb, AS_OF))
    statuses = {advice.rule.id: advice.status for advice in plan.household}
    assert statuses["vr_household_opv"] == "not_to_be_given"
    assert statuses["vr_household_mmr"] == "recommended"
    assert vaccination_plan(Evaluation(record(date(2000, 1, 1)), kb, AS_OF)).household == ()


def test_a_recent_transplant_stops_laiv_for_household_contacts(kb: KnowledgeBase) -> None:
    from immunocare.clinical.vaccination._after import household_advice

    evaluation = Evaluation(_scid_infant(), kb, AS_OF)
    state = vaccination_plan(evaluation).state
    before = {a.rule.id: a.status for a in vaccination_plan(evaluation).household}
    assert before["vr_household_laiv"] == "may_receive"  # no exception applies yet
    hsct = kb.get("vr_tx_hsct")
    assert isinstance(hsct, Treatment)
    treated = Exposure(hsct, "HSCT", (), start=AS_OF - timedelta(days=30))
    advice = {a.rule.id: a for a in household_advice(evaluation, replace(state, treatments=(treated,)))}
    assert advice["vr_household_laiv"].status == "not_to_be_given"
    assert advice["vr_household_laiv"].exceptions[0].when.startswith("the patient received an HSCT")


def _transplanted(on: date | None) -> PatientRecord:
    status = make_diagnosis(
        id=2, code="Z94.84", display="Stem cells transplant status", iuis_category=None, diagnosed_on=on
    )
    return record(date(1996, 1, 1), diagnoses=(status,))


def test_a_transplant_recorded_by_its_status_code_keeps_live_vaccines_off_for_24_months(
    kb: KnowledgeBase,
) -> None:
    patient = _transplanted(date(2025, 12, 1))
    plan = vaccination_plan(Evaluation(patient, kb, AS_OF))
    (hsct,) = plan.state.treatments
    assert (hsct.item.id, hsct.start, hsct.evidence[0].item_id) == ("vr_tx_hsct", date(2025, 12, 1), 2)
    mmr = _by_cvx(plan.decisions)["03"]
    assert mmr.status == "contraindicated"
    assert "vr_hsct_live_first_24_months" in {use.rule.id for use in mmr.deciding}
    later = _by_cvx(vaccination_plan(Evaluation(patient, kb, date(2028, 6, 1))).decisions)["03"]
    assert "vr_hsct_live_first_24_months" not in {use.rule.id for use in later.uses}
    section = vaccination_section(Evaluation(patient, kb, AS_OF))
    assert {r.action for r in section.recommendations} >= {"vr_revacc_hsct_pcv", "vr_revacc_hsct_influenza"}


def test_an_undated_transplant_leaves_the_window_for_the_clinician_to_confirm(kb: KnowledgeBase) -> None:
    (hsct,) = vaccination_plan(Evaluation(_transplanted(None), kb, AS_OF)).state.treatments
    assert hsct.start is None and "date is not recorded" in hsct.conditions[0]


def test_vaccines_are_timed_before_a_planned_immunosuppressive_treatment(kb: KnowledgeBase) -> None:
    rituximab = make_medication(name="rituximab", code="L01FA01", start=date(2026, 7, 1), stop=None, id=4)
    patient = record(date(1970, 1, 1), medications=(rituximab,))
    plan = vaccination_plan(Evaluation(patient, kb, AS_OF))
    assert plan.state.treatments == () and [p.item.id for p in plan.state.planned] == [
        "vr_tx_b_cell_depletion"
    ]
    by_rule = {t.rule.id: t.give_by for t in plan.timing}
    assert by_rule == {
        "vr_timing_live_before_immunosuppression": date(2026, 6, 3),
        "vr_timing_inactivated_before_immunosuppression": date(2026, 6, 17),
    }
    section = vaccination_section(Evaluation(patient, kb, date(2026, 6, 10)))
    advice = {r.action: r.text for r in section.recommendations}
    assert advice["vr_timing_live_before_immunosuppression"].endswith("That day has passed.")
    assert (
        "by 2026-06-17, 2 weeks before the planned start."
        in advice["vr_timing_inactivated_before_immunosuppression"]
    )


@pytest.mark.parametrize(
    ("grams", "given_on", "until"),
    [
        pytest.param(8, date(2025, 12, 1), "2026-08-01", id="400mg/kg-8-months"),
        pytest.param(4, date(2025, 12, 1), "2026-08-01", id="200mg/kg-takes-the-next-higher-row"),
        pytest.param(40, date(2025, 8, 1), "2026-07-01", id="2g/kg-11-months"),
    ],
)
def test_measles_and_varicella_vaccines_wait_the_antibody_interval_after_the_latest_dose(
    kb: KnowledgeBase, grams: float, given_on: date, until: str
) -> None:
    infusion = make_infusion(given_on=given_on, dose=Quantity(grams, "g"), id=3)
    weight = make_growth(measured_on=date(2025, 7, 1), value=Quantity(20, "kg"), id=5)
    patient = record(date(2018, 1, 1), infusions=(infusion,), growth=(weight,))
    (exposure,) = vaccination_plan(Evaluation(patient, kb, AS_OF)).state.treatments
    assert f"until {until}" in exposure.because and not exposure.conditions
    assert _status(patient, kb, "21") == "likely_ineffective"
    after = date.fromisoformat(until)
    assert vaccination_plan(Evaluation(patient, kb, after)).state.treatments == ()


def test_without_a_weight_an_old_dose_leaves_the_interval_to_confirm(kb: KnowledgeBase) -> None:
    recent = record(date(2018, 1, 1), infusions=(make_infusion(given_on=date(2026, 5, 1), id=3),))
    (exposure,) = vaccination_plan(Evaluation(recent, kb, AS_OF)).state.treatments
    assert "within 8 months of it" in exposure.because and not exposure.conditions
    old = record(date(2018, 1, 1), infusions=(make_infusion(given_on=date(2025, 1, 1), id=3),))
    (exposure,) = vaccination_plan(Evaluation(old, kb, AS_OF)).state.treatments
    assert exposure.conditions and "no weight" in exposure.conditions[0]


def test_hiv_and_asplenia_are_recognised_from_their_icd10_codes(kb: KnowledgeBase) -> None:
    hiv = make_diagnosis(id=1, code="B20", display="HIV disease", iuis_category=None)
    splenectomy = make_diagnosis(
        id=2, code="Z90.81", display="Acquired absence of spleen", iuis_category=None
    )
    patient = record(date(1980, 1, 1), diagnoses=(hiv, splenectomy))
    section = vaccination_section(Evaluation(patient, kb, AS_OF))
    state = section.findings[0]
    assert "HIV infection: HIV disease (B20" in state.explanation
    assert "Asplenia or splenic dysfunction: Acquired absence of spleen (Z90.81" in state.explanation
    assert state.verified and "icd10cm" in state.citations
    assert _status(patient, kb, "19") == "contraindicated"  # BCG
    assert _status(patient, kb, "136") == "recommended"  # meningococcal conjugate


def test_chronic_kidney_disease_by_its_code_brings_its_rules_shown_unverified(kb: KnowledgeBase) -> None:
    ckd = make_diagnosis(id=1, code="N18.5", display="Chronic kidney disease, stage 5", iuis_category=None)
    section = vaccination_section(Evaluation(record(date(1960, 1, 1), diagnoses=(ckd,)), kb, AS_OF))
    state = section.findings[0]
    assert "Chronic renal disease: Chronic kidney disease, stage 5 (N18.5" in state.explanation
    assert not state.verified, "the category's source row was not read"

"""The individualized care plan: therapies from the plan sections, goals, monitoring, infections, team."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from immunocare.clinical.careplan import PLAN_SECTIONS, PlanItemKind, care_plan
from immunocare.clinical.criteria import Evaluation
from immunocare.domain import CareRole, PatientRecord, Recommendation, Section, Urgency
from immunocare.knowledge import KnowledgeBase
from tests.clinical.builders import lab, record
from tests.factories import make_care_team_member, make_diagnosis, make_infusion

AS_OF = date(2026, 6, 1)
BIRTH = date(1980, 1, 1)


def xla_on_ivig(kb: KnowledgeBase, trough: float | None = 4.2, **items: Any) -> PatientRecord:
    labs = [lab(kb, "igg", 1.0, date(2025, 1, 10))]
    if trough is not None:
        labs.append(lab(kb, "igg", trough, date(2026, 5, 20)))
    infusions = tuple(make_infusion(given_on=date(2025, m, 15), id=100 + m) for m in (2, 3, 4))
    return record(BIRTH, diagnoses=(make_diagnosis(id=1),), infusions=infusions, labs=tuple(labs), **items)


def test_every_recommendation_of_the_plan_sections_is_a_therapy(kb: KnowledgeBase) -> None:
    evaluation = Evaluation(xla_on_ivig(kb), kb, AS_OF)
    plan = care_plan(evaluation)
    advice = [r for build in PLAN_SECTIONS for r in build(evaluation).recommendations]
    therapies = plan.of_kind(PlanItemKind.THERAPY)
    assert [t.text for t in therapies] == [r.text for r in advice]
    sections = [build(evaluation) for build in PLAN_SECTIONS]
    assert [t.id for t in therapies] == [
        f"therapy.{x.key}.{r.action}" for x in sections for r in x.recommendations
    ]
    assert therapies[0].id == "therapy.immunoglobulin.ig_dose_raise"
    assert "therapy.vaccination.vr_severe_antibody_live_contraindicated" in [t.id for t in therapies]
    therapy = therapies[0]
    assert therapy.citations == advice[0].citations and therapy.rationale == advice[0].rationale
    live = plan.item("therapy.vaccination.vr_severe_antibody_live_contraindicated")
    assert live is not None and live.title == kb.get("vr_severe_antibody_live_contraindicated").title
    assert therapy.title == "Immunoglobulin replacement", "an action the KB does not hold: the section"


def test_item_ids_survive_recomputation_and_are_unique(kb: KnowledgeBase) -> None:
    first = care_plan(Evaluation(xla_on_ivig(kb), kb, AS_OF))
    later = care_plan(Evaluation(xla_on_ivig(kb), kb, date(2026, 7, 1)))
    assert [i.id for i in first.items] == [i.id for i in later.items]
    assert len({i.id for i in first.items}) == len(first.items)
    assert first.item("therapy.immunoglobulin.ig_dose_raise") is not None
    assert first.item("no.such.item") is None


def test_a_new_section_builder_adds_its_recommendations(kb: KnowledgeBase, monkeypatch: Any) -> None:
    advice = Recommendation(action="start_trial", text="Consider a trial.", rationale="r",
                            urgency=Urgency.SOON, citations=("bonilla2015",), verified=False)  # fmt: skip

    def trial(evaluation: Evaluation) -> Section:
        return Section(key="trial", title="Trial", recommendations=(advice, advice))

    import immunocare.clinical.careplan._plan as plan_module

    monkeypatch.setattr(plan_module, "PLAN_SECTIONS", (*PLAN_SECTIONS, trial))
    plan = care_plan(Evaluation(xla_on_ivig(kb), kb, AS_OF))
    added = [t for t in plan.of_kind(PlanItemKind.THERAPY) if t.title == "Trial"]
    assert [t.id for t in added] == ["therapy.trial.start_trial", "therapy.trial.start_trial.2"]
    assert all(t.urgency is Urgency.SOON and t.verified is False for t in added)


def test_goals_name_the_trough_target_from_the_knowledge_base(kb: KnowledgeBase) -> None:
    plan = care_plan(Evaluation(xla_on_ivig(kb), kb, AS_OF))
    goals = {g.id: g for g in plan.of_kind(PlanItemKind.GOAL)}
    target = goals["goal.eu_trough_ivig"]
    assert "6 g/L" in target.title and "latest trough" in target.text
    assert "ema_ivig_core_smpc_rev5" in target.citations and target.verified
    general = goals["goal.goal_prevent_infections"]
    assert not general.verified and general.citations == ("bonilla2015",)


def test_monitoring_on_replacement_comes_from_ig_dosing(kb: KnowledgeBase) -> None:
    plan = care_plan(Evaluation(xla_on_ivig(kb), kb, AS_OF))
    monitoring = {m.id: m for m in plan.of_kind(PlanItemKind.MONITORING)}
    trough = monitoring["monitoring.igrt_monitoring.trough_igg"]
    assert trough.text == "Every 3–6 months."
    assert trough.citations == ("bmj_bp_hypogammaglobulinaemia",) and trough.verified
    assert "no published consensus" in trough.rationale
    saved = monitoring["monitoring.igrt_monitoring.serum_sample_saved"]
    assert saved.text == "At least every year, and at any change of product."


def test_without_replacement_no_ig_monitoring_nor_ig_infection_advice(kb: KnowledgeBase) -> None:
    plan = care_plan(Evaluation(record(BIRTH, diagnoses=(make_diagnosis(id=1),)), kb, AS_OF))
    assert plan.of_kind(PlanItemKind.MONITORING) == ()
    infection = {i.id for i in plan.of_kind(PlanItemKind.INFECTION_ACTION)}
    assert "infection.infection_fever" in infection
    assert "infection.infection_on_immunoglobulin" not in infection
    assert {m.role for m in plan.team} == {CareRole.IMMUNOLOGIST, CareRole.GENERAL_PRACTITIONER}


def test_infection_action_plan_is_shown_unverified(kb: KnowledgeBase) -> None:
    plan = care_plan(Evaluation(xla_on_ivig(kb), kb, AS_OF))
    actions = plan.of_kind(PlanItemKind.INFECTION_ACTION)
    assert "infection.infection_on_immunoglobulin" in {a.id for a in actions}
    assert all(not a.verified and a.citations for a in actions)


def test_team_from_the_record_else_the_roles_needed(kb: KnowledgeBase) -> None:
    needed = care_plan(Evaluation(xla_on_ivig(kb), kb, AS_OF)).team
    assert {m.role for m in needed} == {CareRole.IMMUNOLOGIST, CareRole.GENERAL_PRACTITIONER, CareRole.NURSE}
    assert all(m.name is None and not m.verified for m in needed)
    member = make_care_team_member(id=9)
    own = care_plan(Evaluation(replace(xla_on_ivig(kb), care_team=(member,)), kb, AS_OF)).team
    assert [(m.role, m.name) for m in own] == [(CareRole.IMMUNOLOGIST, "Dr Amara Eze")]


def test_a_patient_without_immunodeficiency_gets_no_general_plan(kb: KnowledgeBase) -> None:
    plan = care_plan(Evaluation(record(BIRTH), kb, AS_OF))
    assert plan.items == () and plan.team == ()


def test_an_indicated_patient_not_yet_on_replacement_is_advised_to_consider_starting(
    kb: KnowledgeBase,
) -> None:
    plan = care_plan(Evaluation(record(BIRTH, diagnoses=(make_diagnosis(id=1),)), kb, AS_OF))
    therapy = plan.of_kind(PlanItemKind.THERAPY)[0]
    assert therapy.id == "therapy.immunoglobulin.ig_start_consider"
    assert "(met: Primary immunodeficiency for which Ig replacement is indicated)" in therapy.text
    assert therapy.citations


def test_the_assessment_plan_is_the_plan_of_its_own_sections(kb: KnowledgeBase) -> None:
    from immunocare.clinical.assess import assess

    assessment = assess(xla_on_ivig(kb), kb, AS_OF)
    by_key = {section.key: section for section in assessment.sections}
    plan = care_plan(Evaluation(xla_on_ivig(kb), kb, AS_OF))
    therapies = [f for f in by_key["care_plan"].findings if f.rule_id.startswith("therapy.")]
    assert [f.rule_id for f in therapies] == [t.id for t in plan.of_kind(PlanItemKind.THERAPY)]

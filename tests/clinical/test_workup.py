"""The work-up plan: which presenting patterns a record shows, and which staged tests are done or to order."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

import pytest

from immunocare.clinical.criteria import Evaluation
from immunocare.clinical.workup import StepStatus, WorkupPlan, workup_plan
from immunocare.domain import (
    FindingStatus,
    InfectionEpisode,
    InfectionSite,
    LabResult,
    PatientRecord,
    Quantity,
    Severity,
    Urgency,
)
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.workup import WorkupPattern
from tests.clinical import esid_cases
from tests.factories import (
    CET,
    make_family_history,
    make_genetic_finding,
    make_infection,
    make_lab,
    make_patient,
    make_phenotype,
)

AS_OF = date(2026, 3, 1)
SCHOOL_CHILD = date(2019, 5, 10)
ADULT = date(1990, 5, 10)
INFANT = date(2025, 11, 1)


def _plan(kb: KnowledgeBase, birth: date = SCHOOL_CHILD, as_of: date = AS_OF, **items: Any) -> WorkupPlan:
    record = PatientRecord(patient=make_patient(birth_date=birth), **items)
    return workup_plan(Evaluation(record, kb, as_of))


def _status(plan: WorkupPlan, pattern_id: str) -> FindingStatus:
    return next(f.status for f in plan.findings if f.rule_id == pattern_id)


def _infections(site: InfectionSite, *onsets: date, **overrides: Any) -> tuple[InfectionEpisode, ...]:
    fields: dict[str, Any] = {
        "end": None,
        "abscess": False,
        "severity": Severity.MODERATE,
        "antibiotic_courses": (),
    }
    return tuple(make_infection(site=site, onset=onset, **(fields | overrides)) for onset in onsets)


def _lab(loinc: str, analyte: str, value: Quantity, day: date, **overrides: Any) -> LabResult:
    fields: dict[str, Any] = {"comparator": None, "value_text": None, "reference_interval": None}
    collected = datetime(day.year, day.month, day.day, 9, 0, tzinfo=CET)
    return make_lab(loinc=loinc, analyte=analyte, value=value, collected_at=collected, **(fields | overrides))


EARS = _infections(InfectionSite.EAR, date(2025, 2, 1), date(2025, 4, 1), date(2025, 6, 1), date(2025, 9, 1))
TWO_EARS = EARS[:2]
PNEUMONIAS = _infections(InfectionSite.LUNG, date(2024, 1, 10), date(2025, 10, 2))
ABSCESSES = (
    *_infections(InfectionSite.SKIN, date(2025, 1, 5), abscess=True, organism="Staphylococcus aureus"),
    *_infections(InfectionSite.DEEP_ORGAN, date(2025, 8, 5), abscess=True, organism="Serratia marcescens"),
)
INFANT_SEPSIS = _infections(InfectionSite.BLOOD, date(2026, 1, 20), severity=Severity.SEVERE)


@pytest.mark.parametrize(
    ("pattern_id", "birth", "items", "status"),
    [
        pytest.param(
            "workup_pattern_recurrent_ent_airway",
            SCHOOL_CHILD,
            {"infections": EARS},
            FindingStatus.MET,
            id="child-four-ear-infections-in-a-year",
        ),
        pytest.param(
            "workup_pattern_recurrent_ent_airway",
            SCHOOL_CHILD,
            {"infections": TWO_EARS},
            FindingStatus.NOT_MET,
            id="child-two-ear-infections-is-not-recurrent",
        ),
        pytest.param(
            "workup_pattern_recurrent_ent_airway",
            ADULT,
            {"infections": TWO_EARS},
            FindingStatus.MET,
            id="adult-two-ear-infections-in-a-year",
        ),
        pytest.param(
            "workup_pattern_recurrent_ent_airway",
            SCHOOL_CHILD,
            {"phenotypes": (make_phenotype(),)},
            FindingStatus.MET,
            id="recurrent-respiratory-infections-recorded",
        ),
        pytest.param(
            "workup_pattern_pneumonia_bronchiectasis",
            SCHOOL_CHILD,
            {"infections": PNEUMONIAS},
            FindingStatus.MET,
            id="two-pneumonias",
        ),
        pytest.param(
            "workup_pattern_pneumonia_bronchiectasis",
            SCHOOL_CHILD,
            {"infections": PNEUMONIAS[:1]},
            FindingStatus.NOT_MET,
            id="one-pneumonia",
        ),
        pytest.param(
            "workup_pattern_failure_to_thrive_infancy",
            INFANT,
            {
                "phenotypes": (
                    make_phenotype(hpo_id="HP:0001508", label="Failure to thrive", onset=date(2026, 1, 15)),
                )
            },
            FindingStatus.MET,
            id="failure-to-thrive-from-early-infancy",
        ),
        pytest.param(
            "workup_pattern_failure_to_thrive_infancy",
            SCHOOL_CHILD,
            {
                "phenotypes": (
                    make_phenotype(hpo_id="HP:0001508", label="Failure to thrive", onset=date(2024, 6, 1)),
                )
            },
            FindingStatus.NOT_MET,
            id="failure-to-thrive-from-age-five",
        ),
        pytest.param(
            "workup_pattern_severe_infection_infant",
            INFANT,
            {"infections": INFANT_SEPSIS},
            FindingStatus.MET,
            id="infant-with-severe-sepsis",
        ),
        pytest.param(
            "workup_pattern_severe_infection_infant",
            SCHOOL_CHILD,
            {"infections": INFANT_SEPSIS},
            FindingStatus.NOT_MET,
            id="severe-infection-after-infancy",
        ),
        pytest.param(
            "workup_pattern_recurrent_pyogenic",
            SCHOOL_CHILD,
            {"infections": ABSCESSES},
            FindingStatus.MET,
            id="two-skin-abscesses",
        ),
        pytest.param(
            "workup_pattern_recurrent_neisseria",
            ADULT,
            {"phenotypes": (make_phenotype(hpo_id="HP:0005430", label="Recurrent Neisserial infections"),)},
            FindingStatus.MET,
            id="recurrent-neisseria",
        ),
        pytest.param(
            "workup_pattern_immune_dysregulation",
            SCHOOL_CHILD,
            {"phenotypes": (make_phenotype(hpo_id="HP:0001890", label="Autoimmune hemolytic anemia"),)},
            FindingStatus.MET,
            id="autoimmune-haemolytic-anaemia-is-autoimmunity",
        ),
        pytest.param(
            "workup_pattern_syndromic",
            SCHOOL_CHILD,
            {
                "phenotypes": (
                    make_phenotype(hpo_id="HP:0001251", label="Ataxia"),
                    make_phenotype(hpo_id="HP:0001009", label="Telangiectasia"),
                )
            },
            FindingStatus.MET,
            id="ataxia-with-telangiectasia",
        ),
        pytest.param(
            "workup_pattern_syndromic",
            SCHOOL_CHILD,
            {"phenotypes": (make_phenotype(hpo_id="HP:0001251", label="Ataxia"),)},
            FindingStatus.NOT_MET,
            id="ataxia-alone",
        ),
        pytest.param(
            "workup_pattern_family_history",
            ADULT,
            {"family_history": (make_family_history(),)},
            FindingStatus.MET,
            id="uncle-with-immunodeficiency",
        ),
    ],
)
def test_presenting_pattern_is_recognised(
    kb: KnowledgeBase, pattern_id: str, birth: date, items: dict[str, Any], status: FindingStatus
) -> None:
    assert _status(_plan(kb, birth, **items), pattern_id) is status


def test_a_record_without_a_pattern_has_no_plan(kb: KnowledgeBase) -> None:
    plan = _plan(kb, infections=TWO_EARS)
    assert (plan.plans, plan.recommendations) == ((), ())
    assert len(plan.findings) == len(kb.of(WorkupPattern))


def test_a_met_pattern_explains_itself_with_its_evidence(kb: KnowledgeBase) -> None:
    plan = _plan(kb, infections=ABSCESSES)
    (pyogenic,) = plan.plans
    assert pyogenic.finding.rule_id == "workup_pattern_recurrent_pyogenic"
    assert pyogenic.finding.explanation.startswith("Recurrent pyogenic infections:")
    assert len(pyogenic.finding.evidence) == 2
    assert not pyogenic.finding.verified


NORMAL_NEUTROPHILS = _lab("26499-4", "Neutrophils", Quantity(4.1, "10*9/L"), date(2026, 1, 5))
LOW_IGG = _lab("2465-3", "IgG", Quantity(1.2, "g/L"), date(2026, 1, 5))
LATER_IGG = _lab("2465-3", "IgG", Quantity(1.2, "g/L"), date(2026, 6, 5))
CD3 = _lab("8122-4", "CD3+ T cells", Quantity(0.2, "10*9/L"), date(2026, 2, 2))


def _steps(plan: WorkupPlan, protocol: str, level: str) -> dict[str, StepStatus]:
    stage = next(s for p in plan.plans if p.protocol == protocol for s in p.stages if s.level.value == level)
    return {step.test: step.status for step in stage.steps}


@pytest.mark.parametrize(
    ("labs", "statuses"),
    [
        pytest.param(
            (),
            {
                "full_blood_count": StepStatus.TO_ORDER,
                "immunoglobulins": StepStatus.TO_ORDER,
                "serum_ige": StepStatus.TO_ORDER,
            },
            id="nothing-done-yet",
        ),
        pytest.param(
            (NORMAL_NEUTROPHILS, LOW_IGG),
            {
                "full_blood_count": StepStatus.DONE,
                "immunoglobulins": StepStatus.ABNORMAL,
                "serum_ige": StepStatus.TO_ORDER,
            },
            id="normal-neutrophils-done-low-igg-abnormal",
        ),
        pytest.param(
            (LATER_IGG,),
            {
                "full_blood_count": StepStatus.TO_ORDER,
                "immunoglobulins": StepStatus.TO_ORDER,
                "serum_ige": StepStatus.TO_ORDER,
            },
            id="result-after-the-day-of-the-plan-does-not-count",
        ),
    ],
)
def test_first_line_steps_are_marked_done_abnormal_or_to_order(
    kb: KnowledgeBase, labs: tuple[LabResult, ...], statuses: dict[str, StepStatus]
) -> None:
    plan = _plan(kb, infections=ABSCESSES, labs=labs)
    assert _steps(plan, "workup_protocol_phagocyte", "first_line") == statuses


def test_a_panel_is_laid_out_as_its_tests(kb: KnowledgeBase) -> None:
    plan = _plan(kb, infections=EARS, labs=(LOW_IGG,))
    (antibody,) = plan.plans
    first = antibody.stages[0]
    assert [(s.test, s.panel) for s in first.steps] == [
        ("full_blood_count", "first_line_tests"),
        ("immunoglobulins", "first_line_tests"),
        ("complement_screen", "first_line_tests"),
        ("serum_ige", None),
    ]
    assert first.steps[1].evidence and first.steps[1].status is StepStatus.ABNORMAL


def test_next_stage_is_the_first_with_a_test_to_order_and_carries_the_condition_to_go_on(
    kb: KnowledgeBase,
) -> None:
    first_line = (
        NORMAL_NEUTROPHILS,
        LOW_IGG,
        _lab("19113-0", "IgE", Quantity(20, "k[IU]/L"), date(2026, 1, 5)),
    )
    plan = _plan(kb, infections=ABSCESSES, labs=first_line)
    (phagocyte,) = plan.plans
    assert phagocyte.next_stage is not None and phagocyte.next_stage.level.value == "second_line"
    (order,) = plan.recommendations
    assert order.text.startswith("Staged tests for a suspected phagocyte defect — second line stage: order")
    assert "oxidative" in order.text.lower()
    assert "abnormal results: Serum immunoglobulins IgG, IgA and IgM" in order.rationale
    assert "test neutrophil oxidative function" in order.rationale
    assert order.based_on == ("workup_pattern_recurrent_pyogenic", "workup_protocol_phagocyte")


@pytest.mark.parametrize(
    ("birth", "items", "protocol", "urgency"),
    [
        pytest.param(
            INFANT,
            {"infections": INFANT_SEPSIS},
            "workup_protocol_combined",
            Urgency.URGENT,
            id="suspected-scid-is-urgent",
        ),
        pytest.param(
            SCHOOL_CHILD,
            {"infections": EARS},
            "workup_protocol_antibody",
            Urgency.ROUTINE,
            id="ent-is-routine",
        ),
        pytest.param(
            ADULT,
            {"phenotypes": (make_phenotype(hpo_id="HP:0005430", label="Recurrent Neisserial infections"),)},
            "workup_protocol_complement",
            Urgency.ROUTINE,
            id="neisseria-complement-screen",
        ),
    ],
)
def test_the_first_line_is_recommended_with_the_pattern_urgency(
    kb: KnowledgeBase, birth: date, items: dict[str, Any], protocol: str, urgency: Urgency
) -> None:
    (order,) = _plan(kb, birth, **items).recommendations
    assert (order.action, order.based_on[-1], order.urgency) == ("order_tests", protocol, urgency)
    assert "— first line stage: order" in order.text
    assert not order.verified


def test_two_patterns_of_one_protocol_give_one_recommendation(kb: KnowledgeBase) -> None:
    plan = _plan(kb, infections=(*EARS, *PNEUMONIAS))
    assert {p.finding.rule_id for p in plan.plans} == {
        "workup_pattern_recurrent_ent_airway",
        "workup_pattern_pneumonia_bronchiectasis",
    }
    (order,) = plan.recommendations
    assert order.based_on == (
        "workup_pattern_recurrent_ent_airway",
        "workup_pattern_pneumonia_bronchiectasis",
        "workup_protocol_antibody",
    )
    assert {"devries2012", "jmf_warning_signs", "respres2018_pid_lung"} <= set(order.citations)


INFANT_LYMPHOCYTES = _lab("26474-7", "Lymphocytes", Quantity(1.1, "10*9/L"), date(2026, 2, 2))
INFANT_IGG = _lab("2465-3", "IgG", Quantity(2.0, "g/L"), date(2026, 2, 2))
INFANT_IGE = _lab("19113-0", "IgE", Quantity(2, "k[IU]/L"), date(2026, 2, 2))


def _hiv(text: str) -> LabResult:
    return _lab("56888-1", "HIV 1+2 Ab + p24 Ag", None, date(2026, 2, 2), value_text=text)


FIRST_LINE_DONE = (INFANT_LYMPHOCYTES, INFANT_IGG, INFANT_IGE, _hiv("Non-reactive"))


@pytest.mark.parametrize(
    ("labs", "hiv", "next_level"),
    [
        pytest.param((), StepStatus.TO_ORDER, "first_line", id="nothing-done-first-line-next"),
        pytest.param(
            (INFANT_LYMPHOCYTES, CD3),
            StepStatus.TO_ORDER,
            "first_line",
            id="subsets-done-do-not-skip-the-first-line",
        ),
        pytest.param(FIRST_LINE_DONE, StepStatus.DONE, "second_line", id="first-line-done-hiv-non-reactive"),
        pytest.param(
            (*FIRST_LINE_DONE[:3], _hiv("Reactive")),
            StepStatus.ABNORMAL,
            "second_line",
            id="hiv-reactive-is-abnormal",
        ),
        pytest.param(
            (*FIRST_LINE_DONE, CD3), StepStatus.DONE, "specialised", id="subsets-done-specialised-next"
        ),
    ],
)
def test_suspected_scid_stages_advance_as_results_arrive(
    kb: KnowledgeBase, labs: tuple[LabResult, ...], hiv: StepStatus, next_level: str
) -> None:
    plan = _plan(kb, INFANT, infections=INFANT_SEPSIS, labs=labs)
    (combined,) = plan.plans
    assert _steps(plan, "workup_protocol_combined", "first_line")["hiv_test"] is hiv
    assert combined.next_stage is not None and combined.next_stage.level.value == next_level
    (order,) = plan.recommendations
    assert order.urgency is Urgency.URGENT


def test_a_work_up_with_every_test_done_recommends_nothing(kb: KnowledgeBase) -> None:
    labs = (INFANT_LYMPHOCYTES, INFANT_IGG, _lab("4485-9", "C3", Quantity(1.0, "g/L"), date(2026, 2, 2)))
    plan = _plan(
        kb,
        ADULT,
        family_history=(make_family_history(),),
        labs=labs,
        genetic_findings=(make_genetic_finding(),),
    )
    (screening,) = plan.plans
    assert screening.next_stage is None
    assert _steps(plan, "workup_protocol_screening", "genetic") == {"genetic_testing": StepStatus.ABNORMAL}
    assert plan.recommendations == ()


def _case_plan(kb: KnowledgeBase, case: esid_cases.Case) -> WorkupPlan:
    return workup_plan(Evaluation(case.record, kb, case.as_of))


def test_met_scid_criteria_move_the_work_up_on_to_genetic_studies(kb: KnowledgeBase) -> None:
    plan = _case_plan(kb, esid_cases.scid(kb))
    (combined,) = plan.plans
    assert combined.diagnosis is not None
    assert [f.rule_id for f in combined.diagnosis.findings] == ["esid_scid"]
    assert combined.next_stage is not None and combined.next_stage.level.value == "genetic"
    (order,) = plan.recommendations
    assert order.text.endswith("genetic stage: order Genetic testing for inborn errors of immunity.")
    assert order.urgency is Urgency.URGENT
    assert "Criteria met: Severe combined immunodeficiency (SCID)" in order.rationale
    assert "Not done from the earlier stages: " in order.rationale and "Serum IgE" in order.rationale
    assert order.based_on[-1] == "workup_on_diagnosis_combined"
    assert "seidel2019" in order.citations and not order.verified


def test_met_cgd_criteria_end_the_phagocyte_work_up(kb: KnowledgeBase) -> None:
    case = esid_cases.cgd(kb)
    plan = _case_plan(kb, dataclasses.replace(case, roles={**case.roles, "abscesses": ABSCESSES}))
    phagocyte = [p for p in plan.plans if p.protocol == "workup_protocol_phagocyte"]
    assert phagocyte and all(p.next_stage is None for p in phagocyte)
    assert "leukocyte_adhesion_markers" in {s.test for s in phagocyte[0].passed_over}
    assert not [r for r in plan.recommendations if "workup_protocol_phagocyte" in r.based_on]


def test_a_milder_antibody_deficiency_goes_on_stage_by_stage(kb: KnowledgeBase) -> None:
    case = esid_cases.selective_iga_deficiency(kb)
    assert esid_cases.evaluate(kb, case, "esid_selective_iga_deficiency").status is FindingStatus.MET
    plan = _case_plan(kb, dataclasses.replace(case, roles={**case.roles, "ears": EARS}))
    (antibody,) = plan.plans
    assert antibody.diagnosis is None and antibody.passed_over == ()
    assert antibody.next_stage is not None and antibody.next_stage.level.value != "genetic"

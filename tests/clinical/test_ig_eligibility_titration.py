"""Ig replacement eligibility (PID diagnoses, EU 2019 SID criteria) and trough titration, as tables."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from immunocare.clinical.assess import assess
from immunocare.clinical.immunoglobulin import (
    bronchiectasis_evidence,
    pid_indication,
    sid_eligibility,
    titrate,
    trough_targets,
)
from immunocare.domain import (
    CourseEffect,
    DiagnosisStatus,
    FindingStatus,
    GrowthKind,
    IgRoute,
    ImagingFinding,
    ImagingFindingKind,
    PatientRecord,
    Quantity,
    Severity,
)
from immunocare.knowledge import KnowledgeBase
from tests.clinical.builders import course, episode, lab, record
from tests.factories import make_diagnosis, make_growth, make_imaging, make_infusion, make_phenotype

AS_OF = date(2026, 6, 1)
BIRTH = date(1980, 1, 1)
CLL = make_diagnosis(code="C91.10", display="Chronic lymphocytic leukaemia", iuis_category=None, id=7)


@pytest.mark.parametrize(
    ("diagnosis", "status"),
    [
        (make_diagnosis(id=1), FindingStatus.MET),
        (make_diagnosis(code="D83.9", display="CVID", iuis_category="3.2", id=2), FindingStatus.MET),
        (make_diagnosis(code="D81.1", display="SCID", iuis_category="1", id=3), FindingStatus.MET),
        (make_diagnosis(status=DiagnosisStatus.REFUTED, id=4), FindingStatus.UNDETERMINED),
        (make_diagnosis(code="D80.2", display="Selective IgA deficiency", id=5), FindingStatus.UNDETERMINED),
    ],
    ids=["xla", "cvid", "scid", "refuted-xla-does-not-count", "iga-deficiency-not-listed"],
)
def test_pid_indication(kb: KnowledgeBase, diagnosis: Any, status: FindingStatus) -> None:
    finding = pid_indication(record(BIRTH, diagnoses=(diagnosis,)), kb)
    assert finding.status is status
    if status is FindingStatus.MET:
        assert finding.evidence[0].item_id == diagnosis.id
        # only the SCID code titles were re-read; the other ICD-10-CM mappings are unverified
        assert finding.verified is diagnosis.code.startswith("D81")
    else:
        assert finding.missing and "ema_ivig_core_smpc_rev5" in finding.citations


def sid_parts(kb: KnowledgeBase, **items: Any) -> tuple[FindingStatus, dict[str, FindingStatus]]:
    (finding,) = sid_eligibility(record(BIRTH, diagnoses=(CLL,), **items), kb, AS_OF)
    return finding.status, {p.rule_id: p.status for f in finding.parts for p in f.walk()}


def test_sid_all_criteria_met_by_low_igg(kb: KnowledgeBase) -> None:
    infections = (
        episode(date(2026, 1, 5), severity=Severity.SEVERE, hospitalised=True,
                antibiotic_courses=(course(date(2026, 1, 5), date(2026, 1, 12), CourseEffect.NONE),)),
    )  # fmt: skip
    status, parts = sid_parts(kb, infections=infections, labs=(lab(kb, "igg", 3.1, date(2026, 2, 1)),))
    assert status is FindingStatus.MET
    assert parts == {
        "severe_or_recurrent_infections": FindingStatus.MET,
        "ineffective_antimicrobials": FindingStatus.MET,
        "antibody_failure_or_low_igg": FindingStatus.MET,
        "psaf": FindingStatus.UNDETERMINED,
        "igg_below_4": FindingStatus.MET,
    }


def test_sid_lists_what_is_unmet(kb: KnowledgeBase) -> None:
    infections = (
        episode(date(2026, 1, 5), antibiotic_courses=(course(date(2026, 1, 5), None, CourseEffect.GOOD),)),
    )
    (finding,) = sid_eligibility(
        record(BIRTH, diagnoses=(CLL,), infections=infections, labs=(lab(kb, "igg", 6.5, date(2026, 2, 1)),)),
        kb,
        AS_OF,
    )
    assert finding.status is FindingStatus.NOT_MET
    assert "Ineffective antimicrobial treatment" in finding.explanation
    assert "Severe or recurrent infections" in finding.explanation
    parts = {p.rule_id: p.status for f in finding.parts for p in f.walk()}
    assert parts["igg_below_4"] is FindingStatus.NOT_MET and parts["psaf"] is FindingStatus.UNDETERMINED
    assert any("2-fold rise" in m for m in finding.missing)


def test_sid_without_data_is_undetermined_or_unmet(kb: KnowledgeBase) -> None:
    status, parts = sid_parts(kb)
    assert status is FindingStatus.NOT_MET
    assert parts["severe_or_recurrent_infections"] is FindingStatus.NOT_MET
    assert parts["igg_below_4"] is FindingStatus.UNDETERMINED


def on_ivig(kb: KnowledgeBase, trough: float | None, *, baseline: float = 1.0, **items: Any) -> Any:
    labs = [lab(kb, "igg", baseline, date(2025, 1, 10))]
    if trough is not None:
        labs.append(lab(kb, "igg", trough, date(2026, 5, 20)))
    infusions = tuple(make_infusion(given_on=date(2025, m, 15), id=100 + m) for m in (2, 3, 4))
    return record(BIRTH, diagnoses=(make_diagnosis(id=1),), infusions=infusions, labs=tuple(labs), **items)


@pytest.mark.parametrize(
    ("trough", "infections", "action"),
    [
        (4.2, 0, "ig_dose_raise"),
        (7.0, 0, "ig_dose_keep"),
        (7.0, 2, "ig_dose_raise"),
        (11.0, 0, "ig_dose_lower"),
        (None, 0, "measure_trough_igg"),
    ],
    ids=[
        "xla-trough-below-6",
        "xla-at-target",
        "breakthrough-infections",
        "above-benefit-ceiling",
        "no-trough",
    ],
)
def test_titration_suggestion(kb: KnowledgeBase, trough: float | None, infections: int, action: str) -> None:
    episodes = tuple(episode(date(2025, 9, 1 + n)) for n in range(infections))
    result = titrate(on_ivig(kb, trough, infections=episodes), kb, AS_OF)
    (advice,) = result.recommendations
    assert advice.action == action
    assert advice.citations and advice.rationale


def test_raise_estimates_the_extra_dose_from_lee_2020(kb: KnowledgeBase) -> None:
    (advice,) = titrate(on_ivig(kb, 4.54), kb, AS_OF).recommendations
    # target 6 g/L (EU IVIG) − 4.54 = 1.46 g/L; 0.73 g/L per 100 mg/kg → 200 mg/kg
    assert "about 200 mg/kg more per dose" in advice.rationale
    assert "lee2020" in advice.citations


def test_no_ivig_dose_estimate_on_scig(kb: KnowledgeBase) -> None:
    base = on_ivig(kb, 4.2)
    scig = tuple(
        make_infusion(given_on=i.given_on, route=IgRoute.SC, sites=2, id=i.id) for i in base.infusions
    )
    changed = PatientRecord(patient=base.patient, infusions=scig, labs=base.labs, diagnoses=base.diagnoses)
    (advice,) = titrate(changed, kb, AS_OF).recommendations
    assert advice.action == "ig_dose_raise" and "mg/kg more per dose" not in advice.rationale


def test_trough_findings_and_steady_state(kb: KnowledgeBase) -> None:
    result = titrate(on_ivig(kb, 5.5), kb, AS_OF)
    by_rule = {f.rule_id: f for f in result.findings}
    assert by_rule["eu_trough_ivig"].status is FindingStatus.NOT_MET
    assert by_rule["trough_agammaglobulinaemia"].status is FindingStatus.MET
    assert by_rule["eu_ivig_pid_regimen_steady_state"].status is FindingStatus.MET
    early = titrate(on_ivig(kb, 5.5), kb, date(2025, 3, 20))
    assert {f.rule_id: f.status for f in early.findings}[
        "eu_ivig_pid_regimen_steady_state"
    ] is FindingStatus.NOT_MET


def test_cvid_target_is_above_the_untreated_igg(kb: KnowledgeBase) -> None:
    cvid = make_diagnosis(code="D83.9", display="CVID", id=2)
    base = on_ivig(kb, 5.5, baseline=3.0)
    changed = PatientRecord(patient=base.patient, infusions=base.infusions, labs=base.labs, diagnoses=(cvid,))
    result = titrate(changed, kb, AS_OF)
    finding = {f.rule_id: f for f in result.findings}["trough_cvid"]
    assert finding.status is FindingStatus.NOT_MET and "target >= 6 g/L" in finding.explanation


@pytest.mark.parametrize(
    ("items", "found"),
    [
        ({"phenotypes": (make_phenotype(hpo_id="HP:0002110", label="Bronchiectasis", id=9),)}, True),
        (
            {"phenotypes": (make_phenotype(hpo_id="HP:0002110", label="Bronchiectasis", excluded=True),)},
            False,
        ),
        ({"diagnoses": (make_diagnosis(code="J47.9", display="Bronchiectasis", iuis_category=None),)}, True),
        (
            {"imaging": (make_imaging(findings=(ImagingFinding(kind=ImagingFindingKind.BRONCHIECTASIS),)),)},
            True,
        ),
        (
            {"imaging": (make_imaging(findings=(ImagingFinding(kind=ImagingFindingKind.CONSOLIDATION),)),)},
            False,
        ),
        ({}, False),
    ],
    ids=["hpo-observed", "hpo-excluded", "icd10-j47", "ct-bronchiectasis", "ct-consolidation", "none"],
)
def test_bronchiectasis_detection(kb: KnowledgeBase, items: dict[str, Any], found: bool) -> None:
    assert bool(bronchiectasis_evidence(record(BIRTH, **items), kb)) is found


def test_bronchiectasis_raises_the_target_with_an_unverified_source(kb: KnowledgeBase) -> None:
    lungs = (make_phenotype(hpo_id="HP:0002110", label="Bronchiectasis", id=9),)
    result = titrate(on_ivig(kb, 7.0, phenotypes=lungs), kb, AS_OF)
    (advice,) = result.recommendations
    assert advice.action == "ig_dose_raise" and not advice.verified
    assert "Bronchiectasis" in advice.rationale
    assert {f.rule_id: f.verified for f in result.findings}["trough_bronchiectasis_uk"] is False


def test_no_titration_without_infusions(kb: KnowledgeBase) -> None:
    result = titrate(record(BIRTH, diagnoses=(make_diagnosis(),)), kb, AS_OF)
    assert result.findings == () and result.recommendations == ()


def test_assessment_has_the_immunoglobulin_section(kb: KnowledgeBase) -> None:
    growth = (
        make_growth(kind=GrowthKind.WEIGHT, measured_on=date(2025, 4, 1), value=Quantity(20, "kg"), id=50),
    )
    section = assess(on_ivig(kb, 7.0, growth=growth), kb, AS_OF).section("immunoglobulin")
    assert section is not None and section.title == "Immunoglobulin replacement"
    by_rule = {f.rule_id: f for f in section.findings}
    assert by_rule["ig_indication_pid"].status is FindingStatus.MET
    assert "sid_eligibility_eu" not in by_rule  # SID criteria only when no PID indication is found
    regimen = by_rule["ig_current_regimen"].explanation
    assert "Privigen (Intravenous (IVIG)) 6 g on 2025-04-15, 4.4 weeks after the previous infusion" in regimen
    assert "0.30 g/kg at 20 kg" in regimen
    assert [r.action for r in section.recommendations] == ["ig_dose_keep"]


def test_a_secondary_cause_code_keeps_the_trough_targets_those_of_secondary_immunodeficiency(
    kb: KnowledgeBase,
) -> None:
    hiv = make_diagnosis(code="B20", display="HIV disease", iuis_category=None, id=8)
    cvid = make_diagnosis(code="D83.9", display="CVID", iuis_category="3.2", id=9)
    secondary = trough_targets(record(BIRTH, diagnoses=(hiv,)), kb, IgRoute.IV, bronchiectasis=False)
    primary = trough_targets(record(BIRTH, diagnoses=(cvid,)), kb, IgRoute.IV, bronchiectasis=False)
    assert secondary and all("sid" in t.applies_to for t in secondary)
    assert {t.id for t in primary} - {t.id for t in secondary}, "CVID has targets of its own"
    assert not [t for t in primary if t.applies_to == ("sid",)]

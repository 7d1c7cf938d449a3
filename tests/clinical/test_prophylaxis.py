"""Antimicrobial prophylaxis by patient group: who gets which advice, on what condition, at what dose."""

from __future__ import annotations

from datetime import date

import pytest

from immunocare.clinical.criteria import Evaluation
from immunocare.clinical.prophylaxis import prophylaxis_section
from immunocare.domain import (
    AcmgClass,
    CodeSystem,
    Diagnosis,
    DiagnosisStatus,
    Finding,
    FindingStatus,
    GrowthKind,
    GrowthMeasurement,
    PatientRecord,
    Quantity,
    Recommendation,
    Section,
    Sex,
    Zygosity,
)
from immunocare.knowledge import KnowledgeBase
from tests.clinical.builders import record
from tests.factories import make_diagnosis, make_genetic_finding, make_growth, make_medication, make_phenotype

AS_OF = date(2026, 3, 1)
SCID_CODED = make_diagnosis(
    code="D81.1", display="SCID", iuis_category=None, status=DiagnosisStatus.SUSPECTED, id=1
)
CGD = make_diagnosis(code="D71", display="Chronic granulomatous disease", iuis_category="5.3", id=2)
CVID = make_diagnosis(code="D83.9", display="Common variable immunodeficiency", iuis_category="3.2", id=3)
COMPLEMENT_CODED = make_diagnosis(code="D84.1", display="C7 deficiency", iuis_category=None, id=4)
BRONCHIECTASIS = make_phenotype(hpo_id="HP:0002110", label="Bronchiectasis", id=5)
SCID = {"scid_protect_from_exposure", "scid_pcp_prophylaxis", "scid_prompt_treatment"}
CGD_ALL = {"cgd_tmp_smx", "cgd_itraconazole", "cgd_interferon_gamma"}


def _section(kb: KnowledgeBase, patient: PatientRecord) -> Section:
    section = prophylaxis_section(Evaluation(patient, kb, AS_OF))
    assert (section.key, section.title) == ("prophylaxis", "Antimicrobial prophylaxis")
    for advice in section.recommendations:
        assert advice.rationale and advice.citations and advice.action in advice.based_on, advice
    return section


def _advice(section: Section) -> dict[str, Recommendation]:
    return {advice.action: advice for advice in section.recommendations}


def _finding(section: Section, rule_id: str) -> Finding:
    (finding,) = [f for f in section.findings if f.rule_id == rule_id]
    return finding


def _weighed(kg: float) -> GrowthMeasurement:
    return make_growth(kind=GrowthKind.WEIGHT, measured_on=date(2026, 2, 1), value=Quantity(kg, "kg"), id=9)


def test_a_coded_scid_infant_gets_the_scid_measures_from_the_code_alone(kb: KnowledgeBase) -> None:
    section = _section(kb, record(date(2025, 11, 1), diagnoses=(SCID_CODED,)))
    advice = _advice(section)
    assert set(advice) == SCID
    pcp = advice["scid_pcp_prophylaxis"]
    assert pcp.based_on == ("ig_dx_scid", "scid_pcp_prophylaxis") and pcp.verified
    assert "D81.1, suspected" in pcp.rationale and "grade C" in pcp.rationale
    assert "until T-cell function is restored (for the clinician to confirm)" in pcp.text
    assert "bonilla2015" in pcp.citations


@pytest.mark.parametrize(
    ("birth", "kg", "milligrams"),
    [
        pytest.param(date(2016, 1, 1), 30, "100 mg", id="child-10y-30kg"),
        pytest.param(date(2016, 1, 1), 55, "200 mg", id="child-10y-55kg"),
        pytest.param(date(2012, 1, 1), 40, "200 mg", id="teen-14y-40kg"),
    ],
)
def test_cgd_gets_three_prophylaxes_and_the_itraconazole_dose_for_age_and_weight(
    kb: KnowledgeBase, birth: date, kg: float, milligrams: str
) -> None:
    section = _section(kb, record(birth, diagnoses=(CGD,), growth=(_weighed(kg),)))
    advice = _advice(section)
    assert set(advice) == CGD_ALL
    assert f"itraconazole (oral): {milligrams} once a day" in advice["cgd_itraconazole"].text
    assert "IUIS 5.3" in advice["cgd_itraconazole"].rationale
    itraconazole = _finding(section, "cgd_itraconazole_dose")
    assert itraconazole.status is FindingStatus.MET and itraconazole.verified
    assert [e.item_id for e in itraconazole.evidence] == [9]


def test_an_unverified_dose_is_shown_as_unverified_and_kept_out_of_the_advice(kb: KnowledgeBase) -> None:
    section = _section(kb, record(date(2016, 1, 1), diagnoses=(CGD,), growth=(_weighed(30),)))
    tmp = _finding(section, "cgd_tmp_smx_dose")
    assert not tmp.verified and tmp.status is FindingStatus.MET
    assert "5 mg/kg a day in 2 doses (150 mg at 30 kg, 75 mg per dose)" in tmp.explanation
    advice = _advice(section)["cgd_tmp_smx"]
    assert "mg" not in advice.text and "unverified" in advice.text
    assert advice.verified and "cgd_tmp_smx_dose" not in advice.based_on


def test_a_child_without_a_weight_gets_the_advice_and_is_asked_for_the_weight(kb: KnowledgeBase) -> None:
    section = _section(kb, record(date(2016, 1, 1), diagnoses=(CGD,)))
    itraconazole = _finding(section, "cgd_itraconazole_dose")
    assert itraconazole.status is FindingStatus.UNDETERMINED
    assert itraconazole.missing == ("the patient's weight",)
    assert "Dose for this patient" not in _advice(section)["cgd_itraconazole"].text


def test_a_confirmed_cybb_variant_places_the_patient_in_the_cgd_group(kb: KnowledgeBase) -> None:
    variant = make_genetic_finding(
        gene="CYBB",
        zygosity=Zygosity.HEMIZYGOUS,
        acmg_class=AcmgClass.PATHOGENIC,
        hgvs="NM_000397.4:c.1A>G",
        id=1,
    )
    section = _section(kb, record(date(2016, 1, 1), Sex.MALE, genetic_findings=(variant,)))
    assert set(_advice(section)) == CGD_ALL
    assert "CYBB confirmed genetically" in _advice(section)["cgd_itraconazole"].rationale


def test_cvid_with_bronchiectasis_gets_azithromycin_with_the_trial_regimen(kb: KnowledgeBase) -> None:
    section = _section(kb, record(date(1980, 1, 1), diagnoses=(CVID,), phenotypes=(BRONCHIECTASIS,)))
    advice = _advice(section)["pad_lung_azithromycin"]
    assert "Condition met: Chronic infection-related lung disease" in advice.text
    assert "azithromycin (oral): 250 mg 3 times a week, for 2 years" in advice.text
    assert "pad_lung_azithromycin_dose" in advice.based_on


def test_cvid_without_lung_disease_is_not_advised_azithromycin_and_says_why(kb: KnowledgeBase) -> None:
    section = _section(kb, record(date(1980, 1, 1), diagnoses=(CVID,)))
    assert not section.recommendations
    finding = _finding(section, "pad_lung_azithromycin")
    assert finding.status is FindingStatus.NOT_MET
    assert "condition is not met: Chronic infection-related lung disease" in finding.explanation


def test_an_adolescent_outside_the_trial_ages_gets_no_dose(kb: KnowledgeBase) -> None:
    section = _section(kb, record(date(2010, 1, 1), diagnoses=(CVID,), phenotypes=(BRONCHIECTASIS,)))
    assert "Dose for this patient" not in _advice(section)["pad_lung_azithromycin"].text
    dose = _finding(section, "pad_lung_azithromycin_dose")
    assert dose.status is FindingStatus.NOT_MET and "age 16.2 years" in dose.explanation


def test_complement_deficiency_by_an_unverified_code_mapping_is_advised_as_unverified(
    kb: KnowledgeBase,
) -> None:
    section = _section(kb, record(date(2000, 1, 1), diagnoses=(COMPLEMENT_CODED,)))
    advice = _advice(section)["complement_meningococcal_vaccination"]
    assert not advice.verified and "ig_dx_complement_deficiency" in advice.based_on
    assert "icd10cm" in advice.citations


@pytest.mark.parametrize(
    ("diagnoses", "status"),
    [
        pytest.param((), FindingStatus.UNDETERMINED, id="no-diagnosis"),
        pytest.param(
            (make_diagnosis(code="D80.3", display="IgG subclass deficiency", iuis_category="3.4"),),
            FindingStatus.NOT_MET,
            id="group-without-prophylaxis",
        ),
        pytest.param(
            (
                make_diagnosis(
                    code="D81.1", display="SCID", iuis_category="1.1", status=DiagnosisStatus.REFUTED
                ),
            ),
            FindingStatus.UNDETERMINED,
            id="refuted-scid",
        ),
    ],
)
def test_no_group_says_so(kb: KnowledgeBase, diagnoses: tuple[Diagnosis, ...], status: FindingStatus) -> None:
    section = _section(kb, record(date(2000, 1, 1), diagnoses=diagnoses))
    assert not section.recommendations
    assert [(f.rule_id, f.status) for f in section.findings] == [("prophylaxis_indications", status)]


def test_prophylaxis_already_taken_is_named_as_in_place(kb: KnowledgeBase) -> None:
    on_itraconazole = make_medication(
        name="Sporanox",
        code="J02AC02",
        code_system=CodeSystem.ATC,
        start=date(2024, 5, 1),
        dose=Quantity(100, "mg"),
        dose_interval=Quantity(1, "d"),
        stop=None,
    )
    stopped = make_medication(
        name="co-trimoxazole",
        code="J01EE01",
        code_system=CodeSystem.ATC,
        start=date(2023, 1, 1),
        stop=date(2025, 1, 1),
    )
    patient = record(
        date(2016, 1, 1), diagnoses=(CGD,), growth=(_weighed(30),), medications=(on_itraconazole, stopped)
    )
    advice = _advice(_section(kb, patient))
    assert (
        "In place: the record shows Sporanox 100 mg a day since 2024-05-01."
        in advice["cgd_itraconazole"].text
    )
    assert "In place" not in advice["cgd_tmp_smx"].text


def test_asplenia_coded_by_its_status_code_gets_the_asplenia_advice(kb: KnowledgeBase) -> None:
    splenectomy = make_diagnosis(
        code="Z90.81", display="Acquired absence of spleen", iuis_category=None, id=6
    )
    advice = _advice(_section(kb, record(date(1980, 1, 1), diagnoses=(splenectomy,))))
    assert set(advice) == {"asplenia_prophylaxis"}
    assert (
        advice["asplenia_prophylaxis"].verified and "dx_asplenia" in advice["asplenia_prophylaxis"].based_on
    )

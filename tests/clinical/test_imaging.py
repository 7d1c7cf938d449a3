"""Imaging: findings read as HPO terms (and used by the criteria), and the studies the work-up advises."""

from __future__ import annotations

from datetime import date

import pytest

from immunocare.clinical.criteria import Evaluation
from immunocare.clinical.imaging import ORDER_IMAGING, imaging_phenotypes
from immunocare.clinical.workup import workup_plan
from immunocare.domain import (
    BodySite,
    CodeSystem,
    Extent,
    FindingStatus,
    ImagingFinding,
    ImagingFindingKind,
    ItemKind,
    Modality,
    Sex,
)
from immunocare.knowledge import KnowledgeBase
from tests.clinical.builders import record
from tests.factories import make_diagnosis, make_imaging, make_phenotype

AS_OF = date(2026, 3, 1)
ADULT = date(1988, 3, 9)
K = ImagingFindingKind


def _study(site: BodySite, *kinds: ImagingFindingKind, on: date = date(2025, 6, 1)) -> object:
    return make_imaging(
        body_site=site, performed_on=on, findings=tuple(ImagingFinding(kind=k) for k in kinds), id=7
    )


@pytest.mark.parametrize(
    ("site", "kind", "terms"),
    [
        pytest.param(BodySite.CHEST, K.BRONCHIECTASIS, ["HP:0002110"], id="bronchiectasis"),
        pytest.param(
            BodySite.CHEST, K.BRONCHIAL_WALL_THICKENING, ["HP:0033542"], id="bronchial-wall-thickening"
        ),
        pytest.param(BodySite.CHEST, K.CONSOLIDATION, ["HP:0032177"], id="consolidation"),
        pytest.param(BodySite.CHEST, K.GLILD, ["HP:0030250", "HP:0033582"], id="glild"),
        pytest.param(BodySite.SINUSES, K.CHRONIC_SINUSITIS, ["HP:0011109"], id="chronic-sinusitis"),
        pytest.param(BodySite.ABDOMEN, K.LYMPHADENOPATHY, ["HP:0002716"], id="lymphadenopathy"),
        pytest.param(BodySite.ABDOMEN, K.SPLENOMEGALY, ["HP:0001744"], id="splenomegaly"),
    ],
)
def test_each_imaging_finding_maps_to_its_hpo_terms(
    kb: KnowledgeBase, site: BodySite, kind: ImagingFindingKind, terms: list[str]
) -> None:
    found = imaging_phenotypes(record(ADULT, imaging=(_study(site, kind),)), kb)
    assert [term.hpo_id for term in found] == terms
    for term in found:
        assert term.evidence.kind is ItemKind.IMAGING and term.evidence.item_id == 7
        assert kind.label in term.evidence.summary
        finding = term.as_finding()
        assert finding.status is FindingStatus.MET and finding.citations == ("hpo_release",)


def test_a_study_without_findings_shows_no_phenotype(kb: KnowledgeBase) -> None:
    assert imaging_phenotypes(record(ADULT, imaging=(_study(BodySite.CHEST),)), kb) == ()


def test_bronchiectasis_on_ct_meets_the_referral_rule_that_asks_for_it(kb: KnowledgeBase) -> None:
    ct = make_imaging(findings=(ImagingFinding(kind=K.BRONCHIECTASIS, extent=Extent.DIFFUSE),), id=7)
    with_ct = Evaluation(record(ADULT, imaging=(ct,)), kb, AS_OF).rule(
        "refer_recurrent_pneumonia_or_bronchiectasis"
    )
    without = Evaluation(record(ADULT), kb, AS_OF).rule("refer_recurrent_pneumonia_or_bronchiectasis")
    assert with_ct.status is FindingStatus.MET
    assert any(e.kind is ItemKind.IMAGING and e.item_id == 7 for e in with_ct.evidence)
    assert without.status is FindingStatus.NOT_MET


CVID = make_diagnosis(
    code="D83.9", system=CodeSystem.ICD10CM, display="Common variable immunodeficiency", id=3
)


def _advice(kb: KnowledgeBase, item_id: str, **items: object) -> object:
    plan = workup_plan(Evaluation(record(ADULT, Sex.FEMALE, **items), kb, AS_OF))
    return next(advice for advice in plan.imaging if advice.item.id == item_id)


def test_a_baseline_chest_ct_is_advised_at_the_diagnosis_of_cvid(kb: KnowledgeBase) -> None:
    advice = _advice(kb, "workup_imaging_baseline_chest_ct", diagnoses=(CVID,))
    assert advice.finding.status is FindingStatus.MET and advice.done is None
    assert advice.recommendation is not None
    assert advice.recommendation.action == ORDER_IMAGING
    assert advice.recommendation.text.startswith("Consider CT of the chest")
    assert advice.recommendation.citations == ("bonilla2015",) and not advice.recommendation.verified


def test_a_chest_ct_on_record_counts_as_done(kb: KnowledgeBase) -> None:
    ct = make_imaging(modality=Modality.CT, body_site=BodySite.CHEST, performed_on=date(2025, 1, 1), id=9)
    advice = _advice(kb, "workup_imaging_baseline_chest_ct", diagnoses=(CVID,), imaging=(ct,))
    assert advice.done == ct and advice.recommendation is None


def test_a_chest_x_ray_is_not_a_ct(kb: KnowledgeBase) -> None:
    film = make_imaging(modality=Modality.X_RAY, performed_on=date(2025, 1, 1), id=9)
    advice = _advice(kb, "workup_imaging_baseline_chest_ct", diagnoses=(CVID,), imaging=(film,))
    assert advice.done is None and advice.recommendation is not None


def test_no_chest_ct_is_advised_before_an_antibody_deficiency_is_diagnosed(kb: KnowledgeBase) -> None:
    advice = _advice(kb, "workup_imaging_baseline_chest_ct")
    assert advice.finding.status is FindingStatus.UNDETERMINED and advice.recommendation is None


def test_sinus_imaging_is_advised_with_chronic_sinusitis(kb: KnowledgeBase) -> None:
    sinusitis = make_phenotype(hpo_id="HP:0011109", label="Chronic sinusitis", id=4)
    advice = _advice(kb, "workup_imaging_sinus_ct", phenotypes=(sinusitis,))
    assert advice.recommendation is not None and "sinuses" in advice.recommendation.text

"""Antimicrobial prophylaxis: recommendations, dose bands by age and weight, and refused bad data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pydantic
import pytest
import yaml

from immunocare.domain.units import Quantity
from immunocare.errors import KnowledgeBaseError, ValidationError
from immunocare.knowledge import KnowledgeBase, load_knowledge_base
from immunocare.knowledge.topics.prophylaxis import (
    ProphylaxisDose,
    ProphylaxisItem,
    ProphylaxisRecommendation,
)

ADAPTER: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(ProphylaxisItem)


def dose(kb: KnowledgeBase, item_id: str) -> ProphylaxisDose:
    item = kb.get(item_id)
    assert isinstance(item, ProphylaxisDose)
    return item


def test_every_prophylaxis_item_round_trips_through_its_schema(kb: KnowledgeBase) -> None:
    items = kb.topics["prophylaxis"]
    assert len(items) >= 10
    for item in items:
        assert ADAPTER.validate_python(item.model_dump(mode="json", exclude={"local"})) == item


@pytest.mark.parametrize(
    ("diagnosis", "recommendation_ids"),
    [
        pytest.param("cgd", {"cgd_tmp_smx", "cgd_itraconazole", "cgd_interferon_gamma"}, id="cgd"),
        pytest.param(
            "scid", {"scid_protect_from_exposure", "scid_pcp_prophylaxis", "scid_prompt_treatment"}, id="scid"
        ),
        pytest.param("cvid", {"pad_lung_azithromycin"}, id="cvid-with-lung-disease"),
        pytest.param("complement_deficiency", {"complement_meningococcal_vaccination"}, id="complement"),
        pytest.param("asplenia", {"asplenia_prophylaxis"}, id="asplenia"),
    ],
)
def test_recommendations_by_diagnosis(
    kb: KnowledgeBase, diagnosis: str, recommendation_ids: set[str]
) -> None:
    found = {r.id for r in kb.of(ProphylaxisRecommendation) if diagnosis in r.diagnoses}
    assert found == recommendation_ids


@pytest.mark.parametrize(
    ("age_years", "weight_kg", "milligrams"),
    [
        pytest.param(14, 40, 200, id="teen-13-or-older-light-gets-200mg"),
        pytest.param(10, 55, 200, id="child-50kg-or-more-gets-200mg"),
        pytest.param(10, 30, 100, id="child-under-13-and-under-50kg-gets-100mg"),
        pytest.param(13, 49.9, 200, id="exactly-13-gets-200mg"),
    ],
)
def test_cgd_itraconazole_dose_band(
    kb: KnowledgeBase, age_years: float, weight_kg: float, milligrams: float
) -> None:
    band = dose(kb, "cgd_itraconazole_dose").band_for(
        age=Quantity(age_years, "a"), weight=Quantity(weight_kg, "kg")
    )
    assert band is not None
    assert (band.amount, band.per, band.administrations) == (Quantity(milligrams, "mg"), Quantity(1, "d"), 1)


def test_itraconazole_band_needs_the_weight_of_a_child_under_13(kb: KnowledgeBase) -> None:
    with pytest.raises(ValidationError, match="weight"):
        dose(kb, "cgd_itraconazole_dose").band_for(age=Quantity(10, "a"))


@pytest.mark.parametrize(
    ("age_years", "covered"),
    [
        pytest.param(40, True, id="adult-in-trial-range"),
        pytest.param(16, False, id="adolescent-outside-trial"),
        pytest.param(75, False, id="older-than-trial"),
    ],
)
def test_prima_azithromycin_regimen(kb: KnowledgeBase, age_years: float, covered: bool) -> None:
    regimen = dose(kb, "pad_lung_azithromycin_dose")
    band = regimen.band_for(age=Quantity(age_years, "a"))
    assert (band is not None) is covered
    assert regimen.duration == Quantity(2, "a")
    assert (regimen.bands[0].amount, regimen.bands[0].per, regimen.bands[0].administrations) == (
        Quantity(250, "mg"),
        Quantity(1, "wk"),
        3,
    )


def test_unverified_tmp_dose_is_marked(kb: KnowledgeBase) -> None:
    tmp = dose(kb, "cgd_tmp_smx_dose")
    assert not tmp.verified
    assert tmp.note is not None and "UNVERIFIED" in tmp.note
    assert kb.get("cgd_tmp_smx").verified


def test_a_catch_all_band_before_others_is_refused(kb: KnowledgeBase) -> None:
    data = dose(kb, "cgd_itraconazole_dose").model_dump(mode="json", exclude={"local"})
    data["bands"].reverse()
    with pytest.raises(pydantic.ValidationError, match="only the last band"):
        ProphylaxisDose.model_validate(data)


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        pytest.param(
            {"recommendation": "no_such_recommendation"},
            "which is not in the knowledge base",
            id="missing-recommendation",
        ),
        pytest.param(
            {"agent": "posaconazole"}, "is not an agent of cgd_itraconazole", id="agent-not-recommended"
        ),
    ],
)
def test_cross_check_refuses_bad_dose_links(
    kb: KnowledgeBase, tmp_path: Path, spoil: dict[str, Any], message: str
) -> None:
    data = dose(kb, "cgd_itraconazole_dose").model_dump(mode="json", exclude={"local"}) | spoil
    (tmp_path / "prophylaxis").mkdir()
    text = yaml.safe_dump({"items": [data]}, allow_unicode=True)
    (tmp_path / "prophylaxis" / "site.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(overlay_dir=tmp_path)
    assert any(message in problem for problem in caught.value.problems)


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        pytest.param({"diagnoses": [], "iuis": [], "esid": []}, "name the patients", id="nobody"),
        pytest.param({"condition": None}, "give the condition in words", id="tree-without-words"),
        pytest.param({"iuis": ["11"]}, "IUIS category", id="no-such-iuis-table"),
        pytest.param({"genes": ["not a gene"]}, "not a gene", id="bad-gene-symbol"),
    ],
)
def test_a_recommendation_must_say_whom_and_on_what_condition(spoil: dict[str, Any], message: str) -> None:
    data = {
        "id": "site_lung_azithromycin",
        "kind": "recommendation",
        "title": "Site rule",
        "diagnoses": ["cvid"],
        "condition": "Chronic lung disease",
        "when": {"kind": "phenotype", "id": "lung", "text": "Bronchiectasis", "hpo": ["HP:0002110"]},
        "purpose": "bacterial",
        "action": "Consider azithromycin.",
        "citations": [{"source": "milito2019", "where": "Abstract"}],
        "verified": True,
    }
    assert ProphylaxisRecommendation.model_validate(data).when is not None
    with pytest.raises(pydantic.ValidationError, match=message):
        ProphylaxisRecommendation.model_validate(data | spoil)

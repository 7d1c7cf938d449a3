"""Coded infections and antimicrobials (knowledge topic coded_conditions): lookups and bad data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pydantic
import pytest
import yaml

from immunocare.domain import CodeSystem, InfectionSite, PathogenClass
from immunocare.errors import KnowledgeBaseError
from immunocare.knowledge import KnowledgeBase, load_knowledge_base
from immunocare.knowledge.topics.coded_conditions import CodedConditionItem, infection_for, is_antimicrobial

ADAPTER: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(CodedConditionItem)


def test_every_item_round_trips_through_its_schema(kb: KnowledgeBase) -> None:
    items = kb.topics["coded_conditions"]
    assert len(items) >= 30
    for item in items:
        data = item.model_dump(mode="json", exclude={"local"})
        assert ADAPTER.validate_python(data).model_dump(mode="json", exclude={"local"}) == data


@pytest.mark.parametrize(
    ("system", "code", "site", "pathogen", "abscess"),
    [
        (CodeSystem.ICD10CM, "H66.90", InfectionSite.EAR, PathogenClass.UNKNOWN, False),
        (CodeSystem.ICD10CM, "J01.91", InfectionSite.SINUS, PathogenClass.UNKNOWN, False),
        (CodeSystem.ICD10CM, "J15.211", InfectionSite.LUNG, PathogenClass.BACTERIAL, False),
        (CodeSystem.ICD10CM, "J18.9", InfectionSite.LUNG, PathogenClass.UNKNOWN, False),
        (CodeSystem.ICD10CM, "A41.9", InfectionSite.BLOOD, PathogenClass.UNKNOWN, False),
        (CodeSystem.ICD10CM, "L02.214", InfectionSite.SKIN, PathogenClass.UNKNOWN, True),
        (CodeSystem.ICD10CM, "B37.0", InfectionSite.ORAL_FUNGAL, PathogenClass.FUNGAL, False),
        (CodeSystem.ICD10CM, "B37.9", InfectionSite.OTHER, PathogenClass.FUNGAL, False),
        (CodeSystem.ICD10CM, "A31.0", InfectionSite.LUNG, PathogenClass.NONTUBERCULOUS_MYCOBACTERIUM, False),
        (CodeSystem.ICD10CM, "A31.2", InfectionSite.OTHER, PathogenClass.NONTUBERCULOUS_MYCOBACTERIUM, False),
        (CodeSystem.SNOMED, "39288006", InfectionSite.EAR, PathogenClass.UNKNOWN, False),
        (CodeSystem.SNOMED, "73452002", InfectionSite.DEEP_ORGAN, PathogenClass.UNKNOWN, True),
        (CodeSystem.SNOMED, "4740000", InfectionSite.SKIN, PathogenClass.VIRAL, False),
    ],
    ids=[
        "acute-otitis-media",
        "recurrent-acute-sinusitis",
        "mrsa-pneumonia",
        "pneumonia-unspecified",
        "sepsis-unspecified",
        "groin-abscess",
        "oral-thrush-beats-candidiasis-nos",
        "candidiasis-unspecified",
        "pulmonary-ntm",
        "disseminated-mac",
        "snomed-purulent-otitis",
        "snomed-lung-abscess-is-an-organ-abscess",
        "snomed-shingles",
    ],
)
def test_an_infection_code_gives_its_episode(
    kb: KnowledgeBase,
    system: CodeSystem,
    code: str,
    site: InfectionSite,
    pathogen: PathogenClass,
    abscess: bool,
) -> None:
    found = infection_for(kb, system, code)

    assert found is not None
    assert (found.site, found.pathogen_class, found.abscess) == (site, pathogen, abscess)


@pytest.mark.parametrize(
    ("system", "code"),
    [
        (CodeSystem.ICD10CM, "H65.90"),
        (CodeSystem.ICD10CM, "J45.909"),
        (CodeSystem.ICD10CM, "D80.0"),
        (CodeSystem.SNOMED, "195967001"),
    ],
    ids=["otitis-media-with-effusion-is-no-infection", "asthma", "xla", "snomed-asthma"],
)
def test_other_codes_are_not_infections(kb: KnowledgeBase, system: CodeSystem, code: str) -> None:
    assert infection_for(kb, system, code) is None


@pytest.mark.parametrize(
    ("system", "code", "text", "antimicrobial"),
    [
        (CodeSystem.ATC, "J01CA04", "amoxicillin", True),
        (CodeSystem.ATC, "J04AB02", "rifampicin", True),
        (CodeSystem.RXNORM, "2193", None, True),
        (None, None, "Vancomycin 1000 MG Injection", True),
        (CodeSystem.ATC, "J02AC01", "fluconazole", False),
        (CodeSystem.ATC, "L01FA01", "rituximab", False),
        (None, None, "prednisolone 5 mg tablet", False),
    ],
    ids=[
        "amoxicillin-by-atc",
        "antimycobacterial-by-atc",
        "ceftriaxone-by-rxnorm",
        "vancomycin-by-name",
        "an-antimycotic-is-no-antibiotic",
        "rituximab",
        "prednisolone",
    ],
)
def test_antibiotics_are_told_by_atc_rxnorm_or_name(
    kb: KnowledgeBase,
    system: CodeSystem | None,
    code: str | None,
    text: str | None,
    antimicrobial: bool,
) -> None:
    assert (is_antimicrobial(kb, system=system, code=code, text=text) is not None) is antimicrobial


def _overlay(tmp_path: Path, items: list[dict[str, Any]]) -> Path:
    folder = tmp_path / "coded_conditions"
    folder.mkdir()
    (folder / "site.yaml").write_text(yaml.safe_dump({"items": items}), encoding="utf-8")
    return tmp_path


def _item(**overrides: Any) -> dict[str, Any]:
    return {
        "kind": "infection_codes",
        "id": "site_otitis",
        "title": "Local otitis codes",
        "site": "ear",
        "icd10cm": ["H70"],
        "citations": [{"source": "icd10cm", "where": "H70"}],
        "verified": True,
    } | overrides


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        (_item(icd10cm=["H6690"]), "an ICD-10-CM code looks like D80.1"),
        (_item(icd10cm=[], snomed=[]), "list ICD-10-CM or SNOMED CT codes"),
        (_item(icd10cm=["H66"]), "ICD-10-CM H66 is also listed by coded_otitis_media"),
        (_item(site="elbow"), "site"),
    ],
    ids=["malformed-code", "no-code", "code-listed-twice", "unknown-site"],
)
def test_bad_coded_condition_data_is_refused(tmp_path: Path, item: dict[str, Any], problem: str) -> None:
    with pytest.raises(KnowledgeBaseError, match=problem):
        load_knowledge_base(_overlay(tmp_path, [item]))

"""The analytes topic: LOINC codes, UCUM units, percentages and their populations.

Also home of two helpers the other laboratory-topic tests import: :func:`raw_item` (a real item as
written in its file, to corrupt a copy of) and :func:`load_overlay` (the real loader with a site
overlay folder).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pydantic
import pytest
import yaml

from immunocare.domain.units import UNITS
from immunocare.errors import KnowledgeBaseError
from immunocare.knowledge import KnowledgeBase, builtin_data, load_knowledge_base
from immunocare.knowledge._files import read_yaml_items
from immunocare.knowledge.topics.analytes import TOPIC, Analyte

ADAPTER: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(TOPIC.item_type)

PPSV23_SEROTYPES = {
    *("1", "2", "3", "4", "5", "6B", "7F", "8", "9N", "9V", "10A", "11A", "12F"),
    *("14", "15B", "17F", "18C", "19A", "19F", "20", "22F", "23F", "33F"),
}

RULE_ANALYTES = [
    *("igg", "iga", "igm", "ige", "igg1", "igg2", "igg3", "igg4"),
    *("wbc", "lymphocytes", "neutrophils", "albumin", "total_protein"),
    *(f"{subset}_{kind}" for subset in ("cd3", "cd4", "cd8", "cd19", "nk") for kind in ("abs", "pct")),
    *("tetanus_igg", "diphtheria_igg", "hib_igg", "pneumo_igg_st14", "pneumo_igg_st6b"),
    *("platelets", "c3", "c4", "naive_cd4_pct", "naive_cd8_pct", "switched_memory_b_pct", "tcr_gd_pct"),
]


def raw_item(topic: str, item_id: str) -> dict[str, Any]:
    """A deep copy of the item ``item_id`` as written in the built-in files of ``topic``."""
    for _, raw in read_yaml_items(builtin_data() / topic):
        if raw["id"] == item_id:
            return copy.deepcopy(raw)
    raise KeyError(item_id)


def load_overlay(tmp_path: Path, topic: str, *items: dict[str, Any]) -> KnowledgeBase:
    """The knowledge base loaded by the real loader with ``items`` as a site overlay of ``topic``."""
    folder = tmp_path / topic
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "site.yaml").write_text(
        yaml.safe_dump({"items": list(items)}, allow_unicode=True), encoding="utf-8"
    )
    return load_knowledge_base(overlay_dir=tmp_path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            {"loinc": ["2465-4"]}, "LOINC check digit should be 3, not 4", id="loinc-check-digit-typo"
        ),
        pytest.param({"loinc": ["24653"]}, "a LOINC code looks like 2465-3", id="loinc-without-dash"),
        pytest.param({"loinc": ["2465-3", "2465-3"]}, "listed twice", id="loinc-listed-twice"),
        pytest.param(
            {"loinc": []}, "a verified analyte needs at least one LOINC code", id="verified-no-loinc"
        ),
        pytest.param({"unit": "mg/dl"}, "not a UCUM unit", id="unit-not-ucum-spelling"),
        pytest.param({"unit": "mg%"}, "not a UCUM unit", id="unit-unknown"),
        pytest.param(
            {"percent_of": "lymphocytes"}, "belong to percentages", id="percent-of-on-a-concentration"
        ),
        pytest.param({"group": "hormone"}, "Input should be", id="unknown-group"),
        pytest.param({"serotype": "6b"}, "should match pattern", id="serotype-lower-case"),
        pytest.param({"loinc_code": "2465-3"}, "Extra inputs are not permitted", id="unknown-field"),
    ],
)
def test_schema_rejects_a_corrupted_copy_of_igg(change: dict[str, Any], message: str) -> None:
    raw = raw_item("analytes", "igg") | change
    with pytest.raises(pydantic.ValidationError, match=message):
        ADAPTER.validate_python(raw)


def test_a_percentage_must_name_its_population() -> None:
    raw = raw_item("analytes", "cd19_pct")
    del raw["percent_of"]
    with pytest.raises(pydantic.ValidationError, match="must say what it is a percentage of"):
        ADAPTER.validate_python(raw)


def test_an_unverified_analyte_may_wait_for_its_loinc_codes() -> None:
    analyte = ADAPTER.validate_python(raw_item("analytes", "pneumo_igg_st14"))
    assert (analyte.loinc, analyte.verified, analyte.serotype) == ((), False, "14")


@pytest.mark.parametrize(
    ("item", "message"),
    [
        pytest.param(
            raw_item("analytes", "cd19_pct")
            | {"id": "cd20_pct", "loinc": [], "verified": False, "note": "test"}
            | {"percent_of": "lymphocytez"},
            "cd20_pct: percent_of: unknown analyte 'lymphocytez'",
            id="percentage-of-unknown-analyte",
        ),
        pytest.param(
            raw_item("analytes", "igg") | {"id": "igg_plasma"},
            "igg_plasma: LOINC 2465-3 also reports 'igg'",
            id="one-loinc-code-for-two-analytes",
        ),
    ],
)
def test_loader_rejects_a_site_analyte_that_breaks_the_catalogue(
    tmp_path: Path, item: dict[str, Any], message: str
) -> None:
    with pytest.raises(KnowledgeBaseError, match=message):
        load_overlay(tmp_path, "analytes", item)


def test_a_site_overlay_gives_a_pneumococcal_analyte_its_laboratory_code(tmp_path: Path) -> None:
    site_code = "99999-5"  # well-formed (check digit 5), a test code rather than a real LOINC term
    site = raw_item("analytes", "pneumo_igg_st14") | {"loinc": [site_code], "verified": True}
    kb = load_overlay(tmp_path, "analytes", site)
    analyte = kb.get("pneumo_igg_st14")
    assert isinstance(analyte, Analyte)
    assert (analyte.loinc, analyte.local) == ((site_code,), True)


@pytest.mark.parametrize("analyte_id", RULE_ANALYTES)
def test_every_analyte_rules_use_exists_with_a_ucum_unit(kb: KnowledgeBase, analyte_id: str) -> None:
    analyte = kb.get(analyte_id)
    assert isinstance(analyte, Analyte)
    assert analyte.unit in UNITS


def test_every_percentage_names_its_population_as_an_absolute_count(kb: KnowledgeBase) -> None:
    percentages = [analyte for analyte in kb.of(Analyte) if analyte.unit == "%"]
    assert percentages
    for percentage in percentages:
        for related in (percentage.percent_of, percentage.absolute):
            if related is not None:
                counted = kb.get(related)
                assert isinstance(counted, Analyte)
                assert UNITS[counted.unit].dimension == "number concentration", (percentage.id, related)


@pytest.mark.parametrize(
    ("percentage", "population", "absolute"),
    [
        pytest.param("cd19_pct", "lymphocytes", "cd19_abs", id="b-cells-of-lymphocytes"),
        pytest.param("cd4_pct", "lymphocytes", "cd4_abs", id="helper-t-cells-of-lymphocytes"),
        pytest.param("switched_memory_b_pct", "cd19_abs", None, id="switched-memory-of-b-cells"),
        pytest.param("naive_cd4_pct", "cd4_abs", None, id="naive-of-helper-t-cells"),
    ],
)
def test_a_percentage_names_its_population(
    kb: KnowledgeBase, percentage: str, population: str, absolute: str | None
) -> None:
    analyte = kb.get(percentage)
    assert isinstance(analyte, Analyte)
    assert (analyte.percent_of, analyte.absolute) == (population, absolute)


def test_the_pneumococcal_analytes_are_the_23_ppsv23_serotypes(kb: KnowledgeBase) -> None:
    serotypes = [analyte.serotype for analyte in kb.of(Analyte) if analyte.serotype]
    assert sorted(serotypes) == sorted(PPSV23_SEROTYPES)


@pytest.mark.parametrize(
    ("code", "analyte_id"),
    [
        pytest.param("2465-3", "igg", id="igg-serum-or-plasma"),
        pytest.param("731-0", "lymphocytes", id="lymphocytes-automated-count"),
        pytest.param("24467-3", "cd4_abs", id="cd4-absolute"),
        pytest.param("8117-4", "cd19_pct", id="cd19-percent"),
        pytest.param("53935-3", "tetanus_igg", id="tetanus-arup"),
        pytest.param("40905-2", "pneumo_igg_st6b", id="pneumococcal-us-serotype-26-is-danish-6b"),
        pytest.param("27374-8", "pneumo_igg_st12f", id="pneumococcal-us-serotype-12-is-danish-12f"),
    ],
)
def test_a_loinc_code_leads_to_one_analyte(kb: KnowledgeBase, code: str, analyte_id: str) -> None:
    assert [analyte.id for analyte in kb.of(Analyte) if code in analyte.loinc] == [analyte_id]


def test_the_serotype_codes_read_under_us_numbers_stay_unverified(kb: KnowledgeBase) -> None:
    with_codes = {a.id: a for a in kb.of(Analyte) if a.serotype and a.loinc}
    assert sorted(with_codes) == ["pneumo_igg_st12f", "pneumo_igg_st6b"]
    assert not any(analyte.verified for analyte in with_codes.values())
    assert all("elexis_jubula_loinc_rows" in {c.source for c in a.citations} for a in with_codes.values())

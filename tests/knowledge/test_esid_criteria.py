"""ESID working definitions as criteria, and the criterion language they are written in."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, get_args

import pydantic
import pytest
import yaml

from immunocare.domain import ItemKind
from immunocare.errors import KnowledgeBaseError
from immunocare.knowledge import KnowledgeBase, load_knowledge_base
from immunocare.knowledge.topics._criteria import (
    CRITERION,
    AgeRange,
    Checklist,
    Criterion,
    LabThreshold,
    PhenotypeTerm,
    Rule,
    leaves,
    needs,
    nodes,
)
from immunocare.knowledge.topics.esid_criteria import EsidDefinition

ISSUE_DEFINITIONS = [
    "esid_agammaglobulinaemia",
    "esid_cvid",
    "esid_scid",
    "esid_atypical_scid",
    "esid_cid",
    "esid_csr_defect_higm",
    "esid_hies",
    "esid_selective_iga_deficiency",
    "esid_iga_with_igg_subclass_deficiency",
    "esid_isolated_igg_subclass_deficiency",
    "esid_specific_antibody_deficiency",
    "esid_unclassified_antibody_deficiency",
    "esid_cgd",
]


def _text(duration: object) -> str | None:
    return None if duration is None else str(duration)


def _bands(leaf: LabThreshold) -> list[tuple[str | None, str | None, float]]:
    return [(_text(band.age.min), _text(band.age.max), band.value) for band in leaf.bands]


def _definition(kb: KnowledgeBase, definition_id: str) -> EsidDefinition:
    definition = kb.get(definition_id)
    assert isinstance(definition, EsidDefinition)
    return definition


def _leaf(kb: KnowledgeBase, definition_id: str, leaf_id: str) -> Any:
    return next(leaf for leaf in leaves(_definition(kb, definition_id).criteria) if leaf.id == leaf_id)


@pytest.mark.parametrize("definition_id", ISSUE_DEFINITIONS)
def test_every_definition_named_in_the_issue_is_present(kb: KnowledgeBase, definition_id: str) -> None:
    definition = _definition(kb, definition_id)
    assert definition.scheme == "esid_registry_2019"
    assert "seidel2019" in {ref.source for ref in definition.citations}


@pytest.mark.parametrize(
    ("definition_id", "verified"),
    [
        pytest.param("esid_agammaglobulinaemia", True, id="agammaglobulinaemia-read"),
        pytest.param("esid_cvid", True, id="cvid-read"),
        pytest.param("esid_scid", True, id="scid-read"),
        pytest.param("esid_cid", True, id="cid-read"),
        pytest.param("esid_hies", True, id="hies-read"),
        pytest.param("esid_selective_iga_deficiency", True, id="siga-read-in-adaptation"),
        pytest.param("esid_specific_antibody_deficiency", True, id="spad-read-in-adaptation"),
        pytest.param("esid_csr_defect_higm", False, id="higm-copy-cut-off"),
        pytest.param("esid_atypical_scid", False, id="atypical-scid-omenn-clause-missing"),
        pytest.param("esid_isolated_igg_subclass_deficiency", False, id="igg-subclass-text-not-found"),
        pytest.param("esid_cgd", False, id="cgd-text-not-found"),
    ],
)
def test_verification_follows_what_was_read(kb: KnowledgeBase, definition_id: str, verified: bool) -> None:
    definition = _definition(kb, definition_id)
    assert definition.verified is verified
    assert verified or definition.note


@pytest.mark.parametrize(
    ("definition_id", "leaf_id", "bands"),
    [
        pytest.param(
            "esid_agammaglobulinaemia",
            "low_igg",
            [(None, "P12M", 200), ("P12M", None, 500)],
            id="agamma-igg-by-age",
        ),
        pytest.param(
            "esid_cvid",
            "cd4_low",
            [("P2Y", "P6Y", 300), ("P6Y", "P12Y", 250), ("P12Y", None, 200)],
            id="cvid-profound-t-cd4-per-ul",
        ),
        pytest.param(
            "esid_cvid",
            "naive_cd4_low",
            [("P2Y", "P6Y", 25), ("P6Y", "P16Y", 20), ("P16Y", None, 10)],
            id="cvid-profound-t-naive-cd4-pct",
        ),
        pytest.param(
            "esid_selective_iga_deficiency", "iga_below_7", [(None, None, 7)], id="siga-iga-below-7-mg-dl"
        ),
    ],
)
def test_age_dependent_numbers_are_data_in_the_tree(
    kb: KnowledgeBase, definition_id: str, leaf_id: str, bands: list[tuple[str | None, str | None, float]]
) -> None:
    leaf = _leaf(kb, definition_id, leaf_id)
    assert isinstance(leaf, LabThreshold)
    assert _bands(leaf) == bands


def test_only_unclassified_antibody_deficiency_excludes_every_other_definition(kb: KnowledgeBase) -> None:
    excluding = [d.id for d in kb.of(EsidDefinition) if d.excludes_all_others]
    assert excluding == ["esid_unclassified_antibody_deficiency"]


def test_cvid_says_what_to_order_when_data_are_missing(kb: KnowledgeBase) -> None:
    orders = {
        need.order for need in needs(_definition(kb, "esid_cvid").criteria) if need.kind is ItemKind.LABS
    }
    assert orders >= {
        "igg",
        "iga",
        "switched_memory_b_pct",
        "vaccine_antibody_response",
        "t_cell_proliferation",
    }


def test_ruling_out_hiv_needs_a_negative_test(kb: KnowledgeBase) -> None:
    checklist = kb.get("secondary_causes_hypogammaglobulinaemia")
    assert isinstance(checklist, Checklist)
    hiv = next(entry for entry in checklist.entries if entry.id == "hiv")
    assert {"labs: hiv_test (order hiv_test)"} <= {str(need) for need in needs(hiv.present)}


def test_every_hpo_term_in_the_rules_is_current(kb: KnowledgeBase) -> None:
    trees = [item.criteria for item in kb.of(EsidDefinition)]
    trees += [getattr(item, "criterion", None) or getattr(item, "trigger", None) for item in kb.of(Rule)]
    terms = {
        term
        for tree in trees
        if tree is not None
        for leaf in leaves(tree)
        if isinstance(leaf, PhenotypeTerm)
        for term in leaf.hpo
    }
    stale = [term for term in sorted(terms) if kb.hpo.term(term).obsolete]
    assert len(terms) > 20
    assert stale == []


LEAF = {"kind": "age", "id": "adult", "text": "adult", "at": "evaluation", "range": {"min": "P18Y"}}


@pytest.mark.parametrize(
    ("tree", "message"),
    [
        pytest.param(
            {"kind": "majority_of", "items": [LEAF]},
            "does not match any of the expected tags",
            id="unknown-kind",
        ),
        pytest.param(
            {"kind": "at_least", "n": 3, "items": [LEAF, LEAF]}, "needs 3 of only 2", id="n-above-children"
        ),
        pytest.param({"kind": "all_of", "items": []}, "at least 1 item", id="empty-group"),
        pytest.param(LEAF | {"range": {"min": "P6Y", "max": "P2Y"}}, "is empty", id="inverted-age-range"),
        pytest.param(
            {"kind": "lab_reference", "id": "x", "text": "x", "analyte": "igg", "relation": "below_sd"},
            "needs value",
            id="sd-without-number",
        ),
        pytest.param(
            {
                "kind": "lab_threshold",
                "id": "x",
                "text": "x",
                "analyte": "cd4_abs",
                "relation": "below",
                "unit": "/uL",
                "bands": [{"age": {"max": "P2Y"}, "value": 1}, {"age": {"min": "P6Y"}, "value": 1}],
            },
            "contiguous",
            id="gap-between-age-bands",
        ),
        pytest.param(
            {
                "kind": "lab_threshold",
                "id": "x",
                "text": "x",
                "analyte": "igg",
                "relation": "below",
                "unit": "mg/dl",
                "bands": [{"value": 1}],
            },
            "not a UCUM unit",
            id="non-ucum-unit",
        ),
        pytest.param(
            {"kind": "phenotype", "id": "x", "text": "x", "hpo": ["HP:12"]},
            "HP:0002721",
            id="malformed-hpo-id",
        ),
        pytest.param(
            {"kind": "genetic", "id": "x", "text": "x", "genes": ["btk"]}, "HGNC", id="lowercase-gene"
        ),
        pytest.param(
            {"kind": "exclusion", "id": "x", "text": "x"},
            "either definitions or all_others",
            id="empty-exclusion",
        ),
        pytest.param(
            {"kind": "medication", "id": "x", "text": "x"},
            "drug_classes, names or both",
            id="medication-naming-no-drug",
        ),
        pytest.param(
            {"kind": "growth", "id": "x", "text": "x", "measure": "weight_for_age"},
            "exactly one",
            id="growth-without-threshold",
        ),
    ],
)
def test_the_language_rejects_malformed_trees(tree: dict[str, Any], message: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=message):
        CRITERION.validate_python(tree)


def test_a_definition_with_a_leaf_id_used_twice_is_rejected(kb: KnowledgeBase) -> None:
    raw = _definition(kb, "esid_hies").model_dump(mode="json", exclude={"local"})
    raw["criteria"]["items"].append(raw["criteria"]["items"][0])
    with pytest.raises(pydantic.ValidationError, match="'ige_over_10x' is used more than once"):
        EsidDefinition.model_validate(raw)


def test_the_language_round_trips_through_json(kb: KnowledgeBase) -> None:
    tree = _definition(kb, "esid_cvid").criteria
    again = CRITERION.validate_json(CRITERION.dump_json(tree))
    assert again == tree
    assert len(list(nodes(again))) == len(list(nodes(tree)))


@pytest.mark.parametrize(
    ("birth", "on", "age", "inside"),
    [
        pytest.param(
            date(2020, 2, 29), date(2024, 2, 28), AgeRange(min="P4Y"), False, id="day-before-4th-birthday"
        ),
        pytest.param(date(2020, 2, 29), date(2024, 2, 29), AgeRange(min="P4Y"), True, id="on-4th-birthday"),
        pytest.param(
            date(2025, 1, 31), date(2026, 1, 30), AgeRange(max="P12M"), True, id="infant-under-12-months"
        ),
        pytest.param(
            date(2025, 1, 31), date(2026, 1, 31), AgeRange(max="P12M"), False, id="12-months-is-not-under"
        ),
    ],
)
def test_age_ranges_are_calendar_exact(birth: date, on: date, age: AgeRange, inside: bool) -> None:
    assert age.contains(birth, on) is inside


def test_every_kind_of_node_is_documented() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "knowledge" / "rule-language.md").read_text(encoding="utf-8")
    kinds = [get_args(model.model_fields["kind"].annotation)[0] for model in get_args(get_args(Criterion)[0])]
    assert len(kinds) == 20
    assert [kind for kind in kinds if f"### `{kind}`" not in doc and f"kind: {kind}" not in doc] == []


def test_an_age_range_of_equal_bounds_is_empty() -> None:
    with pytest.raises(pydantic.ValidationError, match="is empty"):
        AgeRange(min="P12M", max="P1Y")


def _overlay(tmp_path: Path, raw: dict[str, Any]) -> str:
    (tmp_path / "esid_criteria").mkdir()
    (tmp_path / "esid_criteria" / "site.yaml").write_text(yaml.safe_dump({"items": [raw]}), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as error:
        load_knowledge_base(overlay_dir=tmp_path)
    return "\n".join(error.value.problems)


@pytest.mark.parametrize(
    ("leaf", "problem"),
    [
        pytest.param(
            {
                "kind": "test_result",
                "id": "x",
                "text": "x",
                "test": "tea_leaf_reading",
                "results": ["absent"],
            },
            "'tea_leaf_reading' is not a known test",
            id="unknown-test",
        ),
        pytest.param(
            {"kind": "test_result", "id": "x", "text": "x", "test": "hiv_test", "results": ["equivocal"]},
            "hiv_test has no outcome 'equivocal'",
            id="outcome-the-test-lacks",
        ),
        pytest.param(
            {"kind": "exclusion", "id": "x", "text": "x", "definitions": ["esid_hyper_igd"]},
            "'esid_hyper_igd' is not an ESID definition",
            id="unknown-excluded-definition",
        ),
        pytest.param(
            {"kind": "checklist", "id": "x", "text": "x", "checklist": "tertiary_causes"},
            "'tertiary_causes' is not a known checklist",
            id="unknown-checklist",
        ),
        pytest.param(
            {
                "kind": "lab_reference",
                "id": "x",
                "text": "x",
                "analyte": "igz",
                "relation": "below_lower_limit",
            },
            "unknown analyte 'igz'",
            id="unknown-analyte",
        ),
        pytest.param(
            {
                "kind": "lab_reference",
                "id": "x",
                "text": "x",
                "analyte": "albumin",
                "relation": "below_lower_limit",
            },
            "no test reports analyte 'albumin'",
            id="analyte-no-test-orders",
        ),
        pytest.param(
            {"kind": "medication", "id": "x", "text": "x", "drug_classes": ["sid_homeopathy"]},
            "'sid_homeopathy' is not a known drug class",
            id="unknown-drug-class",
        ),
    ],
)
def test_the_loader_rejects_references_to_nothing(
    kb: KnowledgeBase, tmp_path: Path, leaf: dict[str, Any], problem: str
) -> None:
    raw = _definition(kb, "esid_hies").model_dump(mode="json", exclude={"local"})
    raw["id"] = "site_definition"
    raw["criteria"]["items"].append(leaf)
    assert problem in _overlay(tmp_path, raw)

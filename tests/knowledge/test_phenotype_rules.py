"""Laboratory → HPO rules and HPO onset classes: each term current in hpo3, named as HPO names it."""

from __future__ import annotations

import pytest

from immunocare.domain.ages import Duration
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.phenotype_rules import LabPhenotypeRule, OnsetClass


def test_every_rule_names_a_current_hpo_term_by_its_hpo_name(kb: KnowledgeBase) -> None:
    rules = kb.of(LabPhenotypeRule)
    assert len(rules) >= 10
    for rule in rules:
        term = kb.hpo.term(rule.hpo_id)
        assert (term.name, term.obsolete) == (rule.hpo_label, False), rule.id


def test_every_onset_class_is_a_current_hpo_onset_term(kb: KnowledgeBase) -> None:
    classes = kb.of(OnsetClass)
    assert len(classes) >= 8
    for item in classes:
        term = kb.hpo.term(item.hpo_id)
        assert (term.name, term.obsolete) == (item.hpo_label, False), item.id
        parents = kb.hpo.ontology.get_hpo_object(item.hpo_id).all_parents
        assert "HP:0003674" in {p.id for p in parents}, item.id


def test_an_onset_class_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="ends"):
        OnsetClass.model_validate(
            {
                "type": "onset_class",
                "id": "x",
                "title": "x",
                "hpo_id": "HP:0003621",
                "hpo_label": "Juvenile onset",
                "starts": "P16Y",
                "ends": "P5Y",
                "citations": [{"source": "phenol_hponset", "where": "x"}],
                "verified": True,
            }
        )
    assert OnsetClass.model_validate(
        {
            "type": "onset_class",
            "id": "x",
            "title": "x",
            "hpo_id": "HP:0003581",
            "hpo_label": "Adult onset",
            "starts": "P16Y",
            "citations": [{"source": "phenol_hponset", "where": "x"}],
            "verified": True,
        }
    ).starts == Duration(years=16)


@pytest.mark.parametrize(
    ("analyte", "flag", "hpo_id"),
    [
        pytest.param("igg", "low", "HP:0004315", id="igg-low-decreased-igg"),
        pytest.param("cd19_abs", "low", "HP:0010976", id="cd19-low-decreased-b-cells"),
        pytest.param("ige", "high", "HP:0003212", id="ige-high-increased-ige"),
        pytest.param("nk_abs", "low", "HP:0040218", id="nk-low"),
    ],
)
def test_flagged_results_read_as_the_expected_terms(
    kb: KnowledgeBase, analyte: str, flag: str, hpo_id: str
) -> None:
    rule = next(r for r in kb.of(LabPhenotypeRule) if (r.analyte, r.flag) == (analyte, flag))
    assert rule.hpo_id == hpo_id


def test_a_column_pattern_cannot_both_agree_and_contradict() -> None:
    with pytest.raises(ValueError, match="both agree"):
        LabPhenotypeRule.model_validate(
            {
                "type": "lab_phenotype",
                "id": "x",
                "title": "x",
                "analyte": "igg",
                "flag": "low",
                "hpo_id": "HP:0004315",
                "hpo_label": "Decreased circulating IgG concentration",
                "iuis_column": "immunoglobulin_levels",
                "iuis_agrees": ["decreased"],
                "iuis_contradicts": ["decreased"],
                "citations": [{"source": "hpo_release", "where": "x"}],
                "verified": True,
            }
        )

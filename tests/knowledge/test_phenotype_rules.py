"""Laboratory → HPO rules: every term is current in hpo3's release, named as HPO names it."""

from __future__ import annotations

import pytest

from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.phenotype_rules import LabPhenotypeRule


def test_every_rule_names_a_current_hpo_term_by_its_hpo_name(kb: KnowledgeBase) -> None:
    rules = kb.of(LabPhenotypeRule)
    assert len(rules) >= 10
    for rule in rules:
        term = kb.hpo.term(rule.hpo_id)
        assert (term.name, term.obsolete) == (rule.hpo_label, False), rule.id


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

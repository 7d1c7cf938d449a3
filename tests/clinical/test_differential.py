"""The phenotype-driven differential: record terms, ranking, explanations, the gene panel."""

from __future__ import annotations

import math
from datetime import date

import pytest

from immunocare.clinical.assess import assess
from immunocare.clinical.differential import (
    DifferentialMode,
    DifferentialModel,
    PhenotypeQuery,
    gene_panel,
    model_for,
    rank,
    record_phenotypes,
)
from immunocare.domain import Phenotype, Sex
from immunocare.domain.ages import Duration
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.iuis import IuisIndex
from tests.factories import make_imaging

from .builders import lab, record

AS_OF = date(2026, 6, 1)
AGAMMAGLOBULINAEMIA = ("HP:0004432", "HP:0010976", "HP:0002205", "HP:0002850", "HP:0002720")
CGD = ("HP:0002724", "HP:0002240", "HP:0001394", "HP:0100806")


@pytest.fixture(scope="module")
def model(kb: KnowledgeBase) -> DifferentialModel:
    return model_for(kb, DifferentialMode.IEI)


def _rank_of(model: DifferentialModel, query: PhenotypeQuery, gene: str) -> int:
    result = rank(model, query, top=len(model.candidates))
    return next(r.rank for r in result.ranked if gene in r.candidate.genes)


@pytest.mark.parametrize(
    ("observed", "sex", "gene", "within"),
    [
        pytest.param(AGAMMAGLOBULINAEMIA, Sex.MALE, "BTK", 10, id="boy-agammaglobulinaemia-btk"),
        pytest.param(
            ("HP:0001388", "HP:0000963", "HP:0003212", "HP:0002718"), None, "STAT3", 10, id="hies-stat3"
        ),
    ],
)
def test_a_typical_patient_ranks_the_gene_near_the_top(
    model: DifferentialModel, observed: tuple[str, ...], sex: Sex | None, gene: str, within: int
) -> None:
    assert _rank_of(model, PhenotypeQuery(observed=observed, sex=sex), gene) <= within


def test_an_x_linked_recessive_disease_drops_in_a_female(model: DifferentialModel) -> None:
    boy = _rank_of(model, PhenotypeQuery(observed=AGAMMAGLOBULINAEMIA, sex=Sex.MALE), "BTK")
    girl = _rank_of(model, PhenotypeQuery(observed=AGAMMAGLOBULINAEMIA, sex=Sex.FEMALE), "BTK")
    assert girl > boy


def _adult_onset_candidate(model: DifferentialModel) -> int:
    """A candidate whose earliest annotated onset is adulthood (16 years in the knowledge base)."""
    return next(i for i, c in enumerate(model.candidates) if c.onset and c.onset.starts == Duration(years=16))


@pytest.mark.parametrize(
    ("age", "lowered"),
    [
        pytest.param("P2Y", True, id="child-younger-than-adult-onset"),
        pytest.param("P15Y11M", True, id="just-under-16"),
        pytest.param("P16Y", False, id="at-the-start-of-the-class"),
        pytest.param("P30Y", False, id="adult"),
    ],
)
def test_a_disease_of_later_onset_drops_for_a_younger_patient(
    model: DifferentialModel, age: str, lowered: bool
) -> None:
    index = _adult_onset_candidate(model)
    candidate = model.candidates[index]
    observed = tuple(f"HP:{t:07d}" for t in candidate.annotations[:4])

    def ranked(age: str | None) -> float:
        query = PhenotypeQuery(observed=observed, age=Duration.parse(age) if age else None)
        found = next(
            r for r in rank(model, query, top=len(model.candidates)).ranked if r.candidate is candidate
        )
        assert (found.onset_note is not None) is (age is not None and lowered)
        return found.log10_ratio

    drop = ranked(None) - ranked(age)
    expected = -math.log10(model.parameters.onset_before_annotated_ratio) if lowered else 0.0
    assert drop == pytest.approx(expected)


def test_the_onset_note_names_the_class_and_the_age(model: DifferentialModel) -> None:
    candidate = model.candidates[_adult_onset_candidate(model)]
    observed = tuple(f"HP:{t:07d}" for t in candidate.annotations[:4])
    result = rank(model, PhenotypeQuery(observed=observed, age=Duration(years=2)), top=len(model.candidates))
    found = next(r for r in result.ranked if r.candidate is candidate)
    assert found.onset_note == (
        f"annotated onset from 16 years ({candidate.onset.hpo_label}), patient aged 2 years"  # type: ignore[union-attr]
    )
    assert found.onset_note in found.explanation()


def test_an_excluded_feature_lowers_the_diseases_that_carry_it(model: DifferentialModel) -> None:
    observed = tuple(t for t in AGAMMAGLOBULINAEMIA if t != "HP:0010976")
    plain = rank(model, PhenotypeQuery(observed=observed), top=len(model.candidates))
    excluded = rank(
        model, PhenotypeQuery(observed=observed, excluded=("HP:0010976",)), top=len(model.candidates)
    )
    btk = next(r for r in plain.ranked if "BTK" in r.candidate.genes)
    btk_excluded = next(r for r in excluded.ranked if "BTK" in r.candidate.genes)
    assert btk_excluded.log10_ratio < btk.log10_ratio
    assert ("HP:0010976", "Decreased total B cell count") in btk_excluded.excluded_present


def test_a_rank_explains_its_supporting_and_absent_features(model: DifferentialModel) -> None:
    top = rank(model, PhenotypeQuery(observed=CGD), top=3).ranked[0]
    assert top.supporting and all(m.log10_ratio > 0 for m in top.supporting)
    assert top.absent
    assert top.candidate.name in top.explanation() and "supported by" in top.explanation()


def test_obsolete_terms_are_replaced_and_unknown_ones_reported(
    model: DifferentialModel, kb: KnowledgeBase
) -> None:
    obsolete = "HP:0005407"
    result = rank(model, PhenotypeQuery(observed=(obsolete, "HP:9999999", "nonsense", "HP:0004315")))
    problems = {issue.term: issue for issue in result.issues}
    assert problems[obsolete].replaced_by == kb.hpo.term(obsolete).replaced_by
    assert "not a term" in problems["HP:9999999"].problem
    assert "looks like" in problems["nonsense"].problem
    assert "HP:0004315" in result.observed and result.ranked


def test_the_iuis_b_cell_column_contradicts_decreased_b_cells(model: DifferentialModel) -> None:
    result = rank(model, PhenotypeQuery(observed=("HP:0010976",)), top=len(model.candidates))
    cgd = next(r for r in result.ranked if "CYBB" in r.candidate.genes)
    assert [m.term for m in cgd.against] == ["HP:0010976"] and cgd.against[0].matched is None


def test_record_phenotypes_reads_recorded_terms_and_flagged_results(kb: KnowledgeBase) -> None:
    patient = record(
        date(2022, 1, 1),
        labs=(lab(kb, "igg", 0.5, date(2026, 1, 10)),),
        phenotypes=(
            Phenotype(hpo_id="HP:0002205", label="Recurrent respiratory infections", id=7),
            Phenotype(hpo_id="HP:0001875", label="Decreased total neutrophil count", excluded=True, id=8),
            Phenotype(hpo_id="HP:0001945", label="Fever", onset=date(2026, 12, 1), id=9),
        ),
    )
    found = record_phenotypes(patient, kb, AS_OF)
    assert [(t.hpo_id, t.rule_id) for t in found.observed] == [
        ("HP:0002205", None),
        ("HP:0004315", "lab_hpo.igg.low"),
    ]
    assert [t.hpo_id for t in found.excluded] == ["HP:0001875"]
    query = found.query()
    assert query.sex is Sex.MALE and query.age is not None and query.age.years == 4


def test_record_phenotypes_reads_imaging_findings_up_to_the_day(kb: KnowledgeBase) -> None:
    before, after = (
        make_imaging(performed_on=date(2025, 3, 1), id=4),
        make_imaging(performed_on=date(2026, 12, 1), id=5),
    )
    found = record_phenotypes(record(date(1990, 1, 1), imaging=(before, after)), kb, AS_OF)
    assert {(t.hpo_id, t.evidence[0].item_id) for t in found.observed} == {
        ("HP:0002110", 4),
        ("HP:0033542", 4),
    }
    assert all(t.rule_id is not None for t in found.observed)


def test_the_gene_panel_lists_top_genes_and_their_iuis_panels(
    model: DifferentialModel, kb: KnowledgeBase
) -> None:
    result = rank(model, PhenotypeQuery(observed=CGD), top=10)
    panel = gene_panel(result, IuisIndex.from_kb(kb), size=5)
    assert 0 < len(panel.genes) <= 5 and panel.genes[0].rank == 1
    assert any("CYBB" in p.genes for p in panel.panels)
    assert any(line.startswith("# IUIS 2024") for line in panel.lines())


def test_all_mode_ranks_more_candidates(kb: KnowledgeBase, model: DifferentialModel) -> None:
    everything = model_for(kb, DifferentialMode.ALL)
    assert len(everything.candidates) > 10 * len(model.candidates)
    assert rank(everything, PhenotypeQuery(observed=CGD), top=5).ranked


def test_the_assessment_has_a_differential_section_only_with_observed_terms(kb: KnowledgeBase) -> None:
    phenotypes = (Phenotype(hpo_id="HP:0002724", label="Recurrent Aspergillus infections", id=3),)
    with_terms = assess(record(date(2020, 1, 1), phenotypes=phenotypes), kb, AS_OF).section("differential")
    without = assess(record(date(2020, 1, 1)), kb, AS_OF).section("differential")
    assert with_terms is not None and without is not None and without.findings == ()
    first = with_terms.findings[0]
    assert first.title.startswith("1. ") and "Recurrent Aspergillus infections" in first.explanation
    assert first.verified is False and "hpo_release" in first.citations

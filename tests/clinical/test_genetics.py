"""Genetic confirmation: each inheritance mode, each ACMG class, the phenotype check, precedence, family."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from immunocare.clinical.criteria import Evaluation
from immunocare.clinical.genetics import OFFER_FAMILY_TESTING, Verdict, family_testing, interpret_genetics
from immunocare.domain import AcmgClass, FindingStatus, GeneticFinding, Sex, Zygosity
from immunocare.knowledge import KnowledgeBase
from tests.clinical.builders import lab, record
from tests.factories import make_genetic_finding, make_infusion

AS_OF = date(2026, 3, 1)
BOY = date(2019, 5, 10)
HEM, HET, HOM, COMPOUND = (
    Zygosity.HEMIZYGOUS,
    Zygosity.HETEROZYGOUS,
    Zygosity.HOMOZYGOUS,
    Zygosity.COMPOUND_HETEROZYGOUS,
)
P, LP, VUS = AcmgClass.PATHOGENIC, AcmgClass.LIKELY_PATHOGENIC, AcmgClass.UNCERTAIN_SIGNIFICANCE
LB, B = AcmgClass.LIKELY_BENIGN, AcmgClass.BENIGN


def _variant(
    gene: str, zygosity: Zygosity, acmg: AcmgClass, hgvs: str = "c.100C>T", n: int = 1
) -> GeneticFinding:
    return make_genetic_finding(
        gene=gene, zygosity=zygosity, acmg_class=acmg, hgvs=f"NM_000000.1:{hgvs}", id=n
    )


def _read(kb: KnowledgeBase, sex: Sex, variants: list[GeneticFinding], **items: Any) -> Evaluation:
    return Evaluation(record(BOY, sex, genetic_findings=tuple(variants), **items), kb, AS_OF)


CASES = [
    pytest.param(
        Sex.MALE, [("BTK", HEM, P)], Verdict.CONFIRMED, "3.1", id="hemizygous-btk-in-a-boy-confirms"
    ),
    pytest.param(
        Sex.MALE, [("BTK", HEM, LP)], Verdict.CONFIRMED, "3.1", id="likely-pathogenic-also-confirms"
    ),
    pytest.param(
        Sex.FEMALE, [("BTK", HET, P)], Verdict.CARRIER, "3.1", id="heterozygous-btk-in-a-girl-is-a-carrier"
    ),
    pytest.param(
        Sex.MALE,
        [("RAG1", HET, P)],
        Verdict.CARRIER,
        "1.2",
        id="single-het-in-an-ar-gene-is-not-confirmation",
    ),
    pytest.param(
        Sex.MALE, [("RAG1", HOM, P)], Verdict.CONFIRMED, "1.2", id="homozygous-in-an-ar-gene-confirms"
    ),
    pytest.param(
        Sex.MALE, [("RAG1", COMPOUND, P)], Verdict.CONFIRMED, "1.2", id="compound-het-in-an-ar-gene-confirms"
    ),
    pytest.param(
        Sex.MALE,
        [("RAG1", HET, P), ("RAG1", HET, LP)],
        Verdict.CONFIRMED,
        "1.2",
        id="two-hets-in-an-ar-gene-confirm",
    ),
    pytest.param(
        Sex.MALE,
        [("RAG1", HET, P), ("RAG1", HET, VUS)],
        Verdict.VUS_UNKNOWN,
        "1.2",
        id="a-pair-is-as-weak-as-its-vus",
    ),
    pytest.param(
        Sex.MALE, [("RAG1", HEM, P)], Verdict.NOT_EXPLAINED, None, id="hemizygous-in-an-ar-gene-does-not-fit"
    ),
    pytest.param(
        Sex.FEMALE, [("CTLA4", HET, P)], Verdict.CONFIRMED, "4.3", id="heterozygous-in-an-ad-gene-confirms"
    ),
    pytest.param(
        Sex.MALE, [("STAT1", HET, P)], Verdict.CONFIRMED, None, id="heterozygous-gof-or-ad-confirms"
    ),
    pytest.param(
        Sex.FEMALE, [("BTK", HOM, P)], Verdict.CONFIRMED, "3.1", id="homozygous-xl-in-a-girl-confirms"
    ),
    pytest.param(Sex.UNKNOWN, [("BTK", HEM, P)], Verdict.NOT_EXPLAINED, None, id="xl-needs-the-patients-sex"),
    pytest.param(
        Sex.MALE, [("BTK", HEM, VUS)], Verdict.VUS_UNKNOWN, "3.1", id="vus-without-data-cannot-be-compared"
    ),
    pytest.param(
        Sex.MALE, [("BTK", HEM, LB)], Verdict.NOT_EXPLAINED, "3.1", id="likely-benign-explains-nothing"
    ),
    pytest.param(Sex.MALE, [("BTK", HEM, B)], Verdict.NOT_EXPLAINED, "3.1", id="benign-explains-nothing"),
    pytest.param(
        Sex.MALE, [("MYH7", HET, P)], Verdict.NOT_EXPLAINED, None, id="a-gene-outside-iuis-explains-nothing"
    ),
]


@pytest.mark.parametrize(("sex", "variants", "verdict", "category"), CASES)
def test_inheritance_and_acmg_class(
    kb: KnowledgeBase,
    sex: Sex,
    variants: list[tuple[str, Zygosity, AcmgClass]],
    verdict: Verdict,
    category: str | None,
) -> None:
    found = [_variant(g, z, a, hgvs=f"c.{100 + n}C>T", n=n + 1) for n, (g, z, a) in enumerate(variants)]
    (reading,) = interpret_genetics(_read(kb, sex, found))
    assert reading.verdict is verdict, reading.finding.explanation
    if category is not None:
        assert reading.iuis_category == category
    assert reading.finding.citations and reading.finding.explanation
    expected = {Verdict.CONFIRMED: FindingStatus.MET, Verdict.CARRIER: FindingStatus.NOT_MET}
    assert reading.finding.status is expected.get(verdict, reading.finding.status)


def test_a_confirmation_names_the_disease_and_its_iuis_table(kb: KnowledgeBase) -> None:
    (reading,) = interpret_genetics(_read(kb, Sex.MALE, [_variant("BTK", HEM, P)]))
    assert reading.finding.title == (
        "Genetically confirmed: BTK deficiency, X-linked agammaglobulinemia (XLA) (IUIS 2024 table 3.1)"
    )
    assert "inheritance XL: hemizygous in a male patient fits" in reading.finding.explanation
    assert {"richards2015", "tangye2022", "iuis2024"} <= set(reading.finding.citations)


@pytest.mark.parametrize(
    ("acmg", "b_cells", "verdict"),
    [
        pytest.param(VUS, 0.005, Verdict.VUS_CONSISTENT, id="vus-with-absent-b-cells-is-consistent"),
        pytest.param(VUS, 0.6, Verdict.VUS_INCONSISTENT, id="vus-with-normal-b-cells-is-inconsistent"),
        pytest.param(P, 0.005, Verdict.CONFIRMED, id="pathogenic-with-absent-b-cells-confirms"),
        pytest.param(P, 0.6, Verdict.NOT_EXPLAINED, id="pathogenic-with-normal-b-cells-does-not-explain"),
    ],
)
def test_the_laboratory_pattern_is_compared_with_iuis(
    kb: KnowledgeBase, acmg: AcmgClass, b_cells: float, verdict: Verdict
) -> None:
    labs = (lab(kb, "cd19_abs", b_cells, date(2024, 1, 10)),)
    (reading,) = interpret_genetics(_read(kb, Sex.MALE, [_variant("BTK", HEM, acmg)], labs=labs))
    assert reading.verdict is verdict
    assert (
        "B-cell count, measured as CD19+ cells: IUIS prints markedly decreased" in reading.finding.explanation
    )


def test_immunoglobulins_after_the_first_infusion_are_not_compared(kb: KnowledgeBase) -> None:
    labs = (lab(kb, "igg", 8.0, date(2025, 6, 1)),)
    infusions = (make_infusion(given_on=date(2025, 1, 1)),)
    evaluation = _read(kb, Sex.MALE, [_variant("BTK", HEM, VUS)], labs=labs, infusions=infusions)
    (reading,) = interpret_genetics(evaluation)
    assert reading.verdict is Verdict.VUS_UNKNOWN


def test_a_confirmed_genetic_diagnosis_takes_precedence_over_esid(kb: KnowledgeBase) -> None:
    confirmed = _read(kb, Sex.MALE, [_variant("BTK", HEM, P)]).rule("esid_agammaglobulinaemia")
    carrier = _read(kb, Sex.FEMALE, [_variant("BTK", HET, P)]).rule("esid_agammaglobulinaemia")
    assert "A genetic diagnosis is confirmed (BTK deficiency" in confirmed.explanation
    assert "takes precedence" in confirmed.explanation
    assert "genetic diagnosis" not in carrier.explanation


@pytest.mark.parametrize(
    ("sex", "variants", "relatives"),
    [
        pytest.param(
            Sex.MALE,
            [("BTK", HEM, P)],
            ["mother (carrier testing)", "sister (carrier testing)", "brother (testing)"],
            id="x-linked-mother-carrier-testing",
        ),
        pytest.param(
            Sex.MALE,
            [("RAG1", HOM, P)],
            ["mother (carrier testing)", "father (carrier testing)", "brother (testing)"],
            id="recessive-parents-carrier-siblings-testing",
        ),
        pytest.param(Sex.FEMALE, [("BTK", HET, P)], [], id="a-carrier-gets-no-family-advice"),
    ],
)
def test_family_testing(
    kb: KnowledgeBase, sex: Sex, variants: list[tuple[str, Zygosity, AcmgClass]], relatives: list[str]
) -> None:
    found = [_variant(g, z, a) for g, z, a in variants]
    advice = family_testing(interpret_genetics(_read(kb, sex, found)), kb)
    if not relatives:
        assert advice == ()
        return
    (recommendation,) = advice
    assert recommendation.action == OFFER_FAMILY_TESTING
    for relative in relatives:
        assert relative in recommendation.text
    assert recommendation.citations and recommendation.rationale.startswith("Genetically confirmed")

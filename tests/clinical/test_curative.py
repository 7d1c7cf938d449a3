"""Curative options (HSCT, gene therapy) by diagnosis and confirmed gene, checked against the KB rows."""

from __future__ import annotations

from datetime import date

from immunocare.clinical.criteria import Evaluation
from immunocare.clinical.curative import curative_section
from immunocare.domain import (
    AcmgClass,
    Diagnosis,
    FindingStatus,
    GeneticFinding,
    Phenotype,
    Sex,
    Urgency,
    Zygosity,
)
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.hsct import GeneTherapy, HsctIndication
from immunocare.knowledge.topics.ig_dosing import DiagnosisCodes
from tests.clinical.builders import record
from tests.factories import make_diagnosis, make_genetic_finding, make_phenotype

AS_OF = date(2026, 3, 1)
INFANT = date(2025, 11, 1)
SCID = make_diagnosis(code="D81.1", display="SCID", iuis_category="1", id=1)
CGD = make_diagnosis(code="D71", display="Chronic granulomatous disease", iuis_category="5.3", id=2)
XLA = make_diagnosis(id=3)
ADA = make_genetic_finding(
    gene="ADA",
    zygosity=Zygosity.HOMOZYGOUS,
    acmg_class=AcmgClass.PATHOGENIC,
    hgvs="NM_000022.4:c.100C>T",
    id=1,
)


def _section(
    kb: KnowledgeBase, *diagnoses: Diagnosis, variants: tuple[GeneticFinding, ...] = ()
) -> dict[str, tuple[Urgency, bool]]:
    evaluation = Evaluation(
        record(INFANT, Sex.MALE, diagnoses=diagnoses, genetic_findings=variants), kb, AS_OF
    )
    section = curative_section(evaluation)
    assert (section.key, section.title) == ("curative", "Curative options: transplant and gene therapy")
    for advice in section.recommendations:
        assert advice.rationale and advice.citations, advice
    return {a.action: (a.urgency, a.text.startswith("Consider referral")) for a in section.recommendations}


def _hsct(kb: KnowledgeBase, item_id: str) -> HsctIndication:
    row = kb.get(item_id)
    assert isinstance(row, HsctIndication)
    return row


def test_scid_is_an_urgent_transplant_because_its_row_says_emergency(kb: KnowledgeBase) -> None:
    row = _hsct(kb, "hsct_scid")
    assert (row.urgency, row.strength, row.verified) == ("emergency", "recommended", True)
    assert _section(kb, SCID) == {"hsct_scid": (Urgency.URGENT, True)}


def test_cgd_is_a_planned_transplant_to_consider(kb: KnowledgeBase) -> None:
    row = _hsct(kb, "hsct_cgd")
    assert (row.urgency, row.strength) == ("planned", "standard of care")
    assert _section(kb, CGD) == {"hsct_cgd": (Urgency.SOON, True)}


def test_xla_has_no_curative_flag(kb: KnowledgeBase) -> None:
    assert not [
        r
        for r in kb.of(HsctIndication)
        if {"xla", "agammaglobulinaemia"} & set(r.diagnoses) or "BTK" in r.genes or "3.1" in r.iuis
    ]
    evaluation = Evaluation(record(INFANT, Sex.MALE, diagnoses=(XLA,)), kb, AS_OF)
    section = curative_section(evaluation)
    assert not section.recommendations
    (finding,) = section.findings
    assert finding.status is FindingStatus.NOT_MET
    assert "X-linked agammaglobulinemia" in finding.explanation


def test_no_diagnosis_is_undetermined(kb: KnowledgeBase) -> None:
    section = curative_section(Evaluation(record(INFANT), kb, AS_OF))
    assert not section.recommendations
    assert [f.status for f in section.findings] == [FindingStatus.UNDETERMINED]


def test_confirmed_ada_gives_the_approved_gene_therapy(kb: KnowledgeBase) -> None:
    row = kb.get("gene_therapy_strimvelis")
    assert isinstance(row, GeneTherapy) and (row.genes, row.diagnoses) == (("ADA",), ("ada_scid",))
    assert _section(kb, SCID, variants=(ADA,)) == {
        "hsct_scid": (Urgency.URGENT, True),
        "gene_therapy_strimvelis": (Urgency.ROUTINE, False),
    }


URGENCY = {
    "emergency": Urgency.URGENT,
    "planned": Urgency.SOON,
    "individual": Urgency.ROUTINE,
    None: Urgency.ROUTINE,
}


def test_every_mapped_code_gives_exactly_its_diseases_rows(kb: KnowledgeBase) -> None:
    for n, mapping in enumerate(kb.of(DiagnosisCodes), start=10):
        code = mapping.icd10_prefixes[0]
        ids = {
            m.diagnosis for m in kb.of(DiagnosisCodes) if any(code.startswith(p) for p in m.icd10_prefixes)
        }
        expected = {r.id: URGENCY[r.urgency] for r in kb.of(HsctIndication) if ids & set(r.diagnoses)} | {
            r.id: Urgency.ROUTINE for r in kb.of(GeneTherapy) if ids & set(r.diagnoses)
        }
        found = _section(kb, make_diagnosis(code=code, display=mapping.title, id=n))
        assert {action: urgency for action, (urgency, _) in found.items()} == expected, code


def test_a_confirmed_gene_finds_its_row_without_a_diagnosis(kb: KnowledgeBase) -> None:
    was = make_genetic_finding(
        gene="WAS",
        zygosity=Zygosity.HEMIZYGOUS,
        acmg_class=AcmgClass.PATHOGENIC,
        hgvs="NM_000377.3:c.100C>T",
        id=1,
    )
    assert set(_section(kb, variants=(was,))) == {"hsct_was", "gene_therapy_waskyra"}


def _confirmed(gene: str, hgvs: str, zygosity: Zygosity = Zygosity.HEMIZYGOUS) -> GeneticFinding:
    return make_genetic_finding(
        gene=gene, zygosity=zygosity, acmg_class=AcmgClass.PATHOGENIC, hgvs=hgvs, id=1
    )


def test_x_linked_cgd_is_told_of_the_gene_therapy_trials_beside_hsct(kb: KnowledgeBase) -> None:
    cybb = _confirmed("CYBB", "NM_000397.4:c.100C>T")
    section = curative_section(Evaluation(record(INFANT, Sex.MALE, genetic_findings=(cybb,)), kb, AS_OF))
    advice = {a.action: a for a in section.recommendations}
    assert set(advice) == {"hsct_cgd", "gene_therapy_trial_x_cgd"}
    trial = advice["gene_therapy_trial_x_cgd"]
    assert "studied in clinical trials, not approved" in trial.text and "NCT02234934" in trial.text
    assert trial.rationale.startswith("CYBB confirmed genetically") and trial.citations == ("kohn2020",)


def test_an_iuis_classified_scid_without_a_mapped_code_is_an_emergency(kb: KnowledgeBase) -> None:
    unmapped = make_diagnosis(code="D81.9", display="Combined immunodeficiency", iuis_category="1.1", id=4)
    assert not [m for m in kb.of(DiagnosisCodes) if any("D81.9".startswith(p) for p in m.icd10_prefixes)]
    assert _section(kb, unmapped) == {"hsct_scid": (Urgency.URGENT, True)}


def test_the_peg_ada_bridge_holds_for_a_confirmed_ada_defect_without_a_code(kb: KnowledgeBase) -> None:
    section = curative_section(Evaluation(record(INFANT, Sex.MALE, genetic_findings=(ADA,)), kb, AS_OF))
    assert "ada_scid_peg_ada_bridge" in {f.rule_id for f in section.findings}


def _stat3(kb: KnowledgeBase, *phenotypes: Phenotype) -> tuple[str | None, bool, dict[str, str]]:
    variant = _confirmed("STAT3", "NM_139276.3:c.100C>T", Zygosity.HETEROZYGOUS)
    evaluation = Evaluation(
        record(INFANT, Sex.MALE, genetic_findings=(variant,), phenotypes=phenotypes), kb, AS_OF
    )
    (reading,) = evaluation.genetics
    advice = {a.action: a.rationale for a in curative_section(evaluation).recommendations}
    return reading.iuis_category, reading.entry_settled, advice


def test_a_gene_with_disorders_in_several_tables_finds_the_rows_of_the_disorder_the_record_shows(
    kb: KnowledgeBase,
) -> None:
    assert _hsct(kb, "hsct_stat3_gof").gene_tables == ("4.3",)
    # AD-HIES (loss of function, IUIS 2.5) by its IUIS phenotype: not the gain-of-function transplant
    category, settled, advice = _stat3(kb, make_phenotype(hpo_id="HP:0001051", label="Seborrheic dermatitis"))
    assert (category, settled) == ("2.5", True) and "hsct_stat3_gof" not in advice
    # STAT3 gain of function (4.3) by its autoimmunity: the transplant to weigh case by case
    category, settled, advice = _stat3(kb, make_phenotype(hpo_id="HP:0002960", label="Autoimmunity"))
    assert (category, settled) == ("4.3", True) and "hsct_stat3_gof" in advice


def test_a_gene_whose_disorder_the_record_does_not_settle_keeps_the_row_and_says_so(
    kb: KnowledgeBase,
) -> None:
    _, settled, advice = _stat3(kb)
    assert not settled
    assert "the record does not settle" in advice["hsct_stat3_gof"]

"""The "Curative options: transplant and gene therapy" section of an assessment.

The patient's diseases are the knowledge base's readable diagnosis ids that the active diagnoses'
codes map to, and the genes of confirmed genetic readings. Each HSCT indication and approved gene
therapy of the ``hsct`` topic for one of them becomes a recommendation with the strength, condition,
urgency and sources of its row; the principles that apply become findings.
"""

from __future__ import annotations

from dataclasses import dataclass

from immunocare.domain import Finding, FindingStatus, Recommendation, Section, Urgency
from immunocare.knowledge import KBItem, citation_ids
from immunocare.knowledge.topics.hsct import GeneTherapy, HsctIndication, HsctPrinciple

from ..criteria import Evaluation
from ..genetics import Verdict
from ..immunoglobulin import active_diagnoses, diagnosis_ids

__all__ = ["curative_section"]

_URGENCY = {"emergency": Urgency.URGENT, "planned": Urgency.SOON, "individual": Urgency.ROUTINE}
"""The hsct topic's urgency words as recommendation urgencies."""
_ADVISED = ("standard of care", "recommended")
_ALL_IEI = "iei"


@dataclass(frozen=True, slots=True)
class _Reason:
    """Why a disease id or gene is the patient's: the record's words and the rule ids behind it."""

    text: str
    based_on: tuple[str, ...]
    sources: tuple[KBItem, ...] = ()
    verified: bool = True


def _diseases(evaluation: Evaluation) -> dict[str, _Reason]:
    found: dict[str, _Reason] = {}
    for diagnosis in active_diagnoses(evaluation.record):
        for mapping in diagnosis_ids(evaluation.kb, diagnosis):
            found.setdefault(
                mapping.diagnosis,
                _Reason(
                    f"{diagnosis.display} ({diagnosis.code}, {diagnosis.status.value})",
                    (mapping.id,),
                    (mapping,),
                    mapping.verified,
                ),
            )
    return found


def _genes(evaluation: Evaluation) -> dict[str, _Reason]:
    return {
        reading.gene: _Reason(
            f"confirmed {reading.gene} diagnosis",
            (reading.finding.rule_id,),
            verified=reading.finding.verified,
        )
        for reading in evaluation.genetics
        if reading.verdict is Verdict.CONFIRMED
    }


def _reasons(
    diseases: dict[str, _Reason], genes: dict[str, _Reason], disease: str, gene_list: tuple[str, ...]
) -> tuple[_Reason, ...]:
    return (
        *((diseases[disease],) if disease in diseases else ()),
        *(genes[g] for g in gene_list if g in genes),
    )


def _advice(item: KBItem, text: str, reasons: tuple[_Reason, ...], urgency: Urgency) -> Recommendation:
    sources = (*(s for r in reasons for s in r.sources), item)
    return Recommendation(
        action=item.id,
        text=text,
        rationale=f"{'; '.join(r.text for r in reasons)}: {item.title}.",
        urgency=urgency,
        based_on=tuple(dict.fromkeys((*(b for r in reasons for b in r.based_on), item.id))),
        citations=citation_ids(*sources),
        verified=item.verified and all(r.verified for r in reasons) and all(s.verified for s in sources),
    )


def _hsct(row: HsctIndication, reasons: tuple[_Reason, ...]) -> Recommendation:
    condition = f" ({row.condition})" if row.condition else ""
    verb = (
        "Consider referral to an experienced transplant centre for" if row.strength in _ADVISED else "Discuss"
    )
    urgency = f"; urgency: {row.urgency}" if row.urgency else ""
    return _advice(
        row,
        f"{verb} HSCT{condition} ({row.strength}{urgency}).",
        reasons,
        _URGENCY[row.urgency] if row.urgency else Urgency.ROUTINE,
    )


def _gene_therapy(row: GeneTherapy, reasons: tuple[_Reason, ...]) -> Recommendation:
    approvals = ", ".join(
        f"{a.agency} {a.year}" + (f" ({a.pathway})" if a.pathway != "standard" else "") for a in row.approvals
    )
    return _advice(
        row,
        f"Gene therapy {row.product} ({row.vector}) is approved ({approvals}) for: {row.indication}",
        reasons,
        Urgency.ROUTINE,
    )


def _principle(row: HsctPrinciple) -> Finding:
    return Finding(
        rule_id=row.id,
        title=row.title,
        status=FindingStatus.MET,
        explanation=row.statement,
        citations=citation_ids(row),
        verified=row.verified,
    )


def curative_section(evaluation: Evaluation) -> Section:
    """HSCT indications and approved gene therapies for the patient's diseases, with their principles.

    Without an active diagnosis or a confirmed gene the section says the data do not decide it;
    with diagnoses the knowledge base holds no curative option for, it says so.
    """
    kb = evaluation.kb
    diseases, genes = _diseases(evaluation), _genes(evaluation)
    advice = [
        *(
            _hsct(row, reasons)
            for row in kb.of(HsctIndication)
            if row.strength != "not generally recommended"
            and (reasons := _reasons(diseases, genes, row.disease, row.genes))
        ),
        *(
            _gene_therapy(row, reasons)
            for row in kb.of(GeneTherapy)
            if (reasons := _reasons(diseases, genes, row.disease, (row.gene,)))
        ),
    ]
    principles = tuple(
        _principle(row)
        for row in kb.of(HsctPrinciple)
        if (advice and _ALL_IEI in row.applies_to) or any(d in diseases for d in row.applies_to)
    )
    return Section(
        key="curative",
        title="Curative options: transplant and gene therapy",
        findings=principles or (_none(diseases, genes),),
        recommendations=tuple(advice),
    )


def _none(diseases: dict[str, _Reason], genes: dict[str, _Reason]) -> Finding:
    known = sorted({r.text for r in (*diseases.values(), *genes.values())})
    return Finding(
        rule_id="curative_options",
        title="HSCT or gene therapy indication",
        status=FindingStatus.NOT_MET if known else FindingStatus.UNDETERMINED,
        explanation=(
            f"The knowledge base holds no HSCT indication or gene therapy for {', '.join(known)}."
            if known
            else "No active diagnosis with a mapped code and no confirmed genetic diagnosis."
        ),
        missing=() if known else ("a diagnosis or a confirmed genetic diagnosis",),
    )

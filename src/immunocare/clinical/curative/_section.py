"""The "Curative options: transplant and gene therapy" section of an assessment.

Each HSCT indication and gene therapy of the ``hsct`` topic is for a patient group (diagnosis
codes, IUIS tables, ESID definitions, confirmed genes); :func:`~immunocare.clinical.groups.membership`
places the patient in it. A row the patient belongs to becomes a recommendation with the strength,
condition, urgency and sources of its row and what in the record placed the patient there; gene
therapies studied in trials are named as such. The principles that apply become findings.
"""

from __future__ import annotations

from immunocare.domain import Finding, FindingStatus, Recommendation, Section, Urgency
from immunocare.knowledge import KBItem, citation_ids
from immunocare.knowledge.topics.hsct import GeneTherapy, HsctIndication, HsctPrinciple

from ..criteria import Evaluation
from ..genetics import Verdict
from ..groups import Membership, membership
from ..immunoglobulin import active_diagnoses

__all__ = ["curative_section"]

_URGENCY = {"emergency": Urgency.URGENT, "planned": Urgency.SOON, "individual": Urgency.ROUTINE}
"""The hsct topic's urgency words as recommendation urgencies."""
_ADVISED = ("standard of care", "recommended")


def _advice(item: KBItem, text: str, found: Membership, urgency: Urgency) -> Recommendation:
    sources = (*found.sources, item)
    return Recommendation(
        action=item.id,
        text=text,
        rationale=f"{found.because}: {item.title}.",
        urgency=urgency,
        based_on=tuple(dict.fromkeys((*found.based_on, item.id))),
        citations=citation_ids(*sources),
        verified=found.verified and all(s.verified for s in sources),
    )


def _hsct(row: HsctIndication, found: Membership) -> Recommendation:
    condition = f" ({row.condition})" if row.condition else ""
    verb = (
        "Consider referral to an experienced transplant centre for" if row.strength in _ADVISED else "Discuss"
    )
    urgency = f"; urgency: {row.urgency}" if row.urgency else ""
    return _advice(
        row,
        f"{verb} HSCT{condition} ({row.strength}{urgency}).",
        found,
        _URGENCY[row.urgency] if row.urgency else Urgency.ROUTINE,
    )


def _gene_therapy(row: GeneTherapy, found: Membership) -> Recommendation:
    genes = ", ".join(row.genes)
    if row.status == "in trials":
        registries = f"; trial registry {', '.join(row.trials)}" if row.trials else ""
        text = (
            f"Gene therapy ({row.vector}, {genes}) is studied in clinical trials, not approved{registries}: "
            f"{row.indication} Ask a gene-therapy centre about trial access."
        )
    else:
        approvals = ", ".join(
            f"{a.agency} {a.year}" + (f" ({a.pathway})" if a.pathway != "standard" else "")
            for a in row.approvals
        )
        text = f"Gene therapy {row.product} ({row.vector}) is approved ({approvals}) for: {row.indication}"
    return _advice(row, text, found, Urgency.ROUTINE)


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
    """HSCT indications and gene therapies for the patient's groups, with their principles.

    Without an active diagnosis or a confirmed gene the section says the data do not decide it;
    with diagnoses the knowledge base holds no curative option for, it says so.
    """
    kb = evaluation.kb
    advice = [
        *(
            _hsct(row, found)
            for row in kb.of(HsctIndication)
            if row.strength != "not generally recommended" and (found := membership(evaluation, row))
        ),
        *(_gene_therapy(row, found) for row in kb.of(GeneTherapy) if (found := membership(evaluation, row))),
    ]
    principles = tuple(
        _principle(row)
        for row in kb.of(HsctPrinciple)
        if (advice and row.with_any_option) or (not row.with_any_option and membership(evaluation, row))
    )
    return Section(
        key="curative",
        title="Curative options: transplant and gene therapy",
        findings=principles or (_none(evaluation),),
        recommendations=tuple(advice),
    )


def _none(evaluation: Evaluation) -> Finding:
    known = sorted(
        {
            *(f"{d.display} ({d.code})" for d in active_diagnoses(evaluation.record)),
            *(f"confirmed {r.gene} diagnosis" for r in evaluation.genetics if r.verdict is Verdict.CONFIRMED),
        }
    )
    return Finding(
        rule_id="curative_options",
        title="HSCT or gene therapy indication",
        status=FindingStatus.NOT_MET if known else FindingStatus.UNDETERMINED,
        explanation=(
            f"The knowledge base holds no HSCT indication or gene therapy for {', '.join(known)}."
            if known
            else "No active diagnosis and no confirmed genetic diagnosis."
        ),
        missing=() if known else ("a diagnosis or a confirmed genetic diagnosis",),
    )

"""Whether a patient belongs to a knowledge-base patient group, and what in the record shows it.

A :class:`~immunocare.knowledge.topics._groups.PatientGroup` names record codes (by readable
diagnosis id), IUIS (sub)tables, ESID working definitions and genes. The record places the patient
in the group by the first of: a current diagnosis classified in one of the IUIS (sub)tables (the
clinician's classification), a current diagnosis whose code maps to one of the ids, a confirmed
genetic diagnosis of one of the genes (whose IUIS entry is in the group's ``gene_tables``, when it
names some and the record settles the entry) or (sub)tables, or a working definition the patient
meets.
"""

from __future__ import annotations

from dataclasses import dataclass

from immunocare.domain import (
    Diagnosis,
    DiagnosisStatus,
    Evidence,
    Finding,
    FindingStatus,
    ItemKind,
    summarize,
)
from immunocare.knowledge import KBItem
from immunocare.knowledge.topics._groups import PatientGroup, in_tables

from .criteria import Evaluation
from .genetics import GeneticInterpretation, Verdict
from .immunoglobulin import diagnosis_ids

__all__ = ["Membership", "membership", "met_definitions"]

_SET_ASIDE = (DiagnosisStatus.REFUTED, DiagnosisStatus.RESOLVED)


@dataclass(frozen=True, slots=True)
class Membership:
    """What in the record places the patient in a group.

    Attributes:
        because: the record's data, in words.
        evidence: the record items.
        based_on: the ids of the rules or code mappings relied on.
        sources: the knowledge-base items relied on (code mappings), for their citations.
        verified: ``False`` when a code mapping or definition relied on is unverified.
    """

    because: str
    evidence: tuple[Evidence, ...]
    based_on: tuple[str, ...] = ()
    sources: tuple[KBItem, ...] = ()
    verified: bool = True


def _in_iuis(group: PatientGroup, code: str | None) -> bool:
    return in_tables(group.iuis, code)


def _gene_fits(group: PatientGroup, reading: GeneticInterpretation) -> bool:
    """Whether a confirmed reading's gene places the patient in the group.

    When the group names ``gene_tables`` and the record settles the reading's IUIS entry, the entry
    must be in them; an unsettled entry (nothing on record tells the gene's disorders apart) leaves
    the gene alone to decide, and the membership says so.
    """
    if reading.gene not in group.genes:
        return False
    if not group.gene_tables or not reading.entry_settled:
        return True
    return in_tables(group.gene_tables, reading.iuis_category)


def _diagnosis_evidence(diagnosis: Diagnosis) -> tuple[Evidence, ...]:
    return (Evidence(summary=summarize(diagnosis), kind=ItemKind.DIAGNOSES, item_id=diagnosis.id),)


def _by_diagnosis(evaluation: Evaluation, group: PatientGroup) -> Membership | None:
    current = [d for d in evaluation.record.diagnoses if d.status not in _SET_ASIDE]
    for diagnosis in current:
        if _in_iuis(group, diagnosis.iuis_category):
            return Membership(
                f"{diagnosis.display} ({diagnosis.status.value}, IUIS {diagnosis.iuis_category})",
                _diagnosis_evidence(diagnosis),
            )
    for diagnosis in current:
        for mapping in diagnosis_ids(evaluation.kb, diagnosis):
            if mapping.diagnosis in group.diagnoses:
                return Membership(
                    f"{diagnosis.display} ({diagnosis.code}, {diagnosis.status.value})",
                    _diagnosis_evidence(diagnosis),
                    (mapping.id,),
                    (mapping,),
                    mapping.verified,
                )
    return None


def membership(evaluation: Evaluation, group: PatientGroup) -> Membership | None:
    """How the record places the patient in ``group``, or ``None`` when it does not."""
    found = _by_diagnosis(evaluation, group)
    if found:
        return found
    for reading in evaluation.genetics:
        if reading.verdict is Verdict.CONFIRMED and (
            _gene_fits(group, reading) or _in_iuis(group, reading.iuis_category)
        ):
            unsettled = reading.gene in group.genes and bool(group.gene_tables) and not reading.entry_settled
            return Membership(
                f"{reading.gene} confirmed genetically"
                + (" (which of its disorders, the record does not settle)" if unsettled else ""),
                reading.finding.evidence,
                (reading.finding.rule_id,),
                verified=reading.finding.verified,
            )
    for finding in met_definitions(evaluation, group.esid):
        return Membership(
            f"ESID working definition met: {finding.title}",
            finding.evidence,
            (finding.rule_id,),
            verified=finding.verified,
        )
    return None


def met_definitions(evaluation: Evaluation, ids: tuple[str, ...]) -> list[Finding]:
    """The findings of the ESID working definitions among ``ids`` that the patient meets.

    Ids the knowledge base holds no definition for yet (the groups name a few) are skipped.
    """
    known = {item.id for item in evaluation.kb.topics.get("esid_criteria", ())}
    findings = [evaluation.rule(definition) for definition in ids if definition in known]
    return [finding for finding in findings if finding.status is FindingStatus.MET]

"""Who qualifies for immunoglobulin replacement: indicated PID diagnoses, and SID per the EU 2019 criteria.

Each answer is a :class:`~immunocare.domain.Finding` whose parts are the criteria, each with the
record items it rests on; unmet and undecided criteria are named in the explanation.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import date

from immunocare.domain import (
    CourseEffect,
    Diagnosis,
    DiagnosisStatus,
    Evidence,
    Finding,
    FindingStatus,
    ItemKind,
    PatientRecord,
    RecordItem,
    Severity,
    summarize,
)
from immunocare.knowledge import KnowledgeBase, citation_ids
from immunocare.knowledge.topics.ig_dosing import (
    AntibodyFailureDefinition,
    Criterion,
    DiagnosisCodes,
    Eligibility,
    IgIndication,
    LabThreshold,
)

from ..labs import LabBook

__all__ = ["active_diagnoses", "diagnosis_ids", "pid_indication", "sid_eligibility"]

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_SEVERE = (Severity.SEVERE, Severity.LIFE_THREATENING)


def active_diagnoses(record: PatientRecord) -> tuple[Diagnosis, ...]:
    """The confirmed and suspected diagnoses."""
    current = (DiagnosisStatus.CONFIRMED, DiagnosisStatus.SUSPECTED)
    return tuple(d for d in record.diagnoses if d.status in current)


def diagnosis_ids(kb: KnowledgeBase, diagnosis: Diagnosis) -> tuple[DiagnosisCodes, ...]:
    """The knowledge base's readable diagnosis ids whose ICD-10-CM codes the diagnosis carries."""
    return tuple(
        m for m in kb.of(DiagnosisCodes) if any(diagnosis.code.startswith(p) for p in m.icd10_prefixes)
    )


def _evidence(kind: ItemKind, item: RecordItem, item_id: int | None) -> Evidence:
    return Evidence(summary=summarize(item), kind=kind, item_id=item_id)


def pid_indication(record: PatientRecord, kb: KnowledgeBase) -> Finding:
    """Whether a recorded diagnosis is one the knowledge base indicates Ig replacement for."""
    matches = []
    for diagnosis in active_diagnoses(record):
        for mapping in diagnosis_ids(kb, diagnosis):
            for indication in (i for i in kb.of(IgIndication) if mapping.diagnosis in i.diagnoses):
                matches.append((diagnosis, mapping, indication))
    if matches:
        items = [item for _, mapping, indication in matches for item in (mapping, indication)]
        names = sorted({f"{d.display} ({d.code})" for d, _, _ in matches})
        return Finding(
            rule_id="ig_indication_pid",
            title="Primary immunodeficiency for which Ig replacement is indicated",
            status=FindingStatus.MET,
            explanation=f"{', '.join(names)}: " + "; ".join(dict.fromkeys(i.title for _, _, i in matches)),
            evidence=tuple(dict.fromkeys(_evidence(ItemKind.DIAGNOSES, d, d.id) for d, _, _ in matches)),
            citations=citation_ids(*items),
            verified=all(item.verified for item in items),
        )
    general = [i for i in kb.of(IgIndication) if not i.diagnoses]
    return Finding(
        rule_id="ig_indication_pid",
        title="Primary immunodeficiency for which Ig replacement is indicated",
        status=FindingStatus.UNDETERMINED,
        explanation=(
            "No recorded diagnosis is one the knowledge base names for Ig replacement. "
            + " ".join(f"{i.title}: {i.description}" for i in general)
        ),
        missing=("the clinician's judgement whether the immunodeficiency impairs antibody production",),
        citations=citation_ids(*general),
        verified=all(i.verified for i in general),
    )


def _infections(record: PatientRecord, criterion: Criterion, as_of: date) -> Finding:
    episodes = [e for e in record.infections if e.onset <= as_of]
    evidence = tuple(_evidence(ItemKind.INFECTIONS, e, e.id) for e in episodes)
    severe = [e for e in episodes if e.severity in _SEVERE or e.hospitalised]
    if severe:
        return _part(
            criterion, FindingStatus.MET, f"{len(severe)} severe or hospitalised infection(s)", evidence
        )
    if not episodes:
        return _part(criterion, FindingStatus.NOT_MET, "no infection recorded", ())
    return _part(
        criterion,
        FindingStatus.UNDETERMINED,
        f"{len(episodes)} infection(s) recorded, none severe",
        evidence,
        missing=("the clinician's judgement whether the infections are recurrent",),
    )


def _antimicrobials(record: PatientRecord, criterion: Criterion, as_of: date) -> Finding:
    episodes = [e for e in record.infections if e.onset <= as_of and e.antibiotic_courses]
    courses = [(e, c) for e in episodes for c in e.antibiotic_courses]
    failed = [(e, c) for e, c in courses if c.effect is CourseEffect.NONE]
    evidence = tuple(dict.fromkeys(_evidence(ItemKind.INFECTIONS, e, e.id) for e, _ in failed or courses))
    if failed:
        drugs = ", ".join(c.drug for _, c in failed)
        return _part(
            criterion, FindingStatus.MET, f"antimicrobial course(s) without effect: {drugs}", evidence
        )
    if courses and all(c.effect is CourseEffect.GOOD for _, c in courses):
        return _part(criterion, FindingStatus.NOT_MET, f"all {len(courses)} course(s) worked", evidence)
    return _part(
        criterion,
        FindingStatus.UNDETERMINED,
        f"{len(courses)} antimicrobial course(s) recorded, none recorded as without effect",
        evidence,
        missing=("the effect of the antimicrobial courses",),
    )


_CLINICAL_CRITERIA = {
    "severe_or_recurrent_infections": _infections,
    "ineffective_antimicrobials": _antimicrobials,
}


def _part(
    criterion: Criterion,
    status: FindingStatus,
    explanation: str,
    evidence: tuple[Evidence, ...],
    *,
    missing: tuple[str, ...] = (),
    parts: tuple[Finding, ...] = (),
) -> Finding:
    return Finding(
        rule_id=criterion.id,
        title=criterion.text,
        status=status,
        explanation=explanation,
        evidence=evidence,
        missing=missing,
        parts=parts,
    )


def _lab(
    record: PatientRecord, kb: KnowledgeBase, criterion: Criterion, lab: LabThreshold, as_of: date
) -> Finding:
    readings = [r for r in LabBook.of(record, kb).of_analyte(lab.analyte, until=as_of) if r.value is not None]
    if not readings:
        return _part(
            criterion, FindingStatus.UNDETERMINED, f"no {lab.analyte} result", (), missing=(criterion.text,)
        )
    latest = readings[-1]
    assert latest.value is not None
    holds = _COMPARE[lab.comparator](latest.value.value_in(lab.value.unit), lab.value.value)
    status = FindingStatus.MET if holds else FindingStatus.NOT_MET
    return _part(criterion, status, f"latest {latest.describe()}", latest.evidence())


def _definition(kb: KnowledgeBase, criterion: Criterion) -> Finding:
    definition = kb.get(criterion.defined_by) if criterion.defined_by else None
    words = (
        f"{definition.term}: less than a {definition.fold_rise:g}-fold rise in IgG antibody to "
        + " and ".join(definition.antigens)
        if isinstance(definition, AntibodyFailureDefinition)
        else criterion.text
    )
    return _part(
        criterion, FindingStatus.UNDETERMINED, "not judged from the record here", (), missing=(words,)
    )


def _combine(parts: list[Finding], *, any_of: bool) -> FindingStatus:
    statuses = {p.status for p in parts}
    decisive, opposite = (
        (FindingStatus.MET, FindingStatus.NOT_MET) if any_of else (FindingStatus.NOT_MET, FindingStatus.MET)
    )
    if decisive in statuses:
        return decisive
    return opposite if statuses == {opposite} else FindingStatus.UNDETERMINED


def _criterion(record: PatientRecord, kb: KnowledgeBase, criterion: Criterion, as_of: date) -> Finding:
    if criterion.any_of:
        parts = [_criterion(record, kb, c, as_of) for c in criterion.any_of]
        status = _combine(parts, any_of=True)
        explanation = "; ".join(f"{p.title}: {p.status.value.replace('_', ' ')}" for p in parts)
        return _part(criterion, status, explanation, (), parts=tuple(parts))
    if criterion.lab is not None:
        return _lab(record, kb, criterion, criterion.lab, as_of)
    if criterion.id in _CLINICAL_CRITERIA:
        return _CLINICAL_CRITERIA[criterion.id](record, criterion, as_of)
    return _definition(kb, criterion)


def sid_eligibility(record: PatientRecord, kb: KnowledgeBase, as_of: date) -> tuple[Finding, ...]:
    """Each set of SID criteria of the knowledge base, evaluated on the record as of ``as_of``."""
    findings = []
    for rule in (e for e in kb.of(Eligibility) if e.indication == "sid"):
        parts = [_criterion(record, kb, c, as_of) for c in rule.criteria]
        status = _combine(parts, any_of=False)
        unmet = [p.title for p in parts if p.status is not FindingStatus.MET]
        explanation = (
            "All criteria met." if not unmet else "Not met or not decided: " + "; ".join(unmet) + "."
        )
        findings.append(
            Finding(
                rule_id=rule.id,
                title=rule.title,
                status=status,
                explanation=explanation,
                evidence=tuple(dict.fromkeys(e for p in parts for f in p.walk() for e in f.evidence)),
                missing=tuple(m for p in parts for f in p.walk() for m in f.missing),
                citations=citation_ids(rule),
                verified=rule.verified,
                parts=tuple(parts),
            )
        )
    return tuple(findings)

"""Everything the clinical core concludes about one record on one day, gathered in an Assessment.

The assessment is stamped with the knowledge base's version and the HPO release, so that a finding
can be reproduced later with the same knowledge.
"""

from __future__ import annotations

from datetime import date

from immunocare.domain import Assessment, Finding, FindingStatus, PatientRecord, Section
from immunocare.knowledge import KnowledgeBase

from .careplan import PLAN_SECTIONS, care_plan, care_plan_section
from .criteria import Evaluation, classify
from .differential import differential_findings
from .genetics import family_testing
from .labs import Flag, LabReading
from .recognize import recognize
from .workup import workup_plan

__all__ = ["assess", "lab_findings"]


def _lab_finding(reading: LabReading) -> Finding:
    reference = reading.reference
    return Finding(
        rule_id=f"lab:{reading.analyte_id}",
        title=reading.name,
        status=FindingStatus.MET,
        explanation=reading.describe() + (f", {reading.distance}" if reading.distance else ""),
        evidence=reading.evidence(),
        citations=reference.citations if reference else (),
        verified=reference.verified if reference else True,
    )


def lab_findings(evaluation: Evaluation) -> tuple[Finding, ...]:
    """The latest result of each analyte that lies outside its reference."""
    latest = [
        evaluation.labs.of_analyte(analyte, until=evaluation.as_of) for analyte in evaluation.labs.analytes()
    ]
    flagged = [readings[-1] for readings in latest if readings and readings[-1].flag in (Flag.LOW, Flag.HIGH)]
    return tuple(_lab_finding(reading) for reading in flagged)


def assess(
    record: PatientRecord, kb: KnowledgeBase, as_of: date, *, list_id: str | None = None
) -> Assessment:
    """The assessment of one record as of one day."""
    evaluation = Evaluation(record, kb, as_of)
    recognition = recognize(evaluation, list_id=list_id)
    plan = workup_plan(evaluation)
    built = tuple(build(evaluation) for build in PLAN_SECTIONS)
    therapy = {section.key: section for section in built}
    sections = (
        Section(
            key="warning_signs",
            title="Warning signs and referral",
            findings=(recognition.warning_signs, *recognition.referrals),
            recommendations=recognition.referral_advice,
        ),
        Section(
            key="secondary",
            title="Secondary immunodeficiency watch",
            findings=recognition.secondary,
            recommendations=recognition.secondary_advice,
        ),
        Section(
            key="laboratory",
            title="Laboratory results outside their reference",
            findings=lab_findings(evaluation),
        ),
        Section(key="classification", title="ESID working definitions", findings=classify(evaluation)),
        Section(
            key="workup",
            title="Diagnostic work-up",
            findings=plan.findings,
            recommendations=plan.recommendations,
        ),
        Section(
            key="imaging",
            title="Imaging",
            findings=(
                *(term.as_finding() for term in evaluation.imaging_terms),
                *(advice.finding for advice in plan.imaging),
            ),
            recommendations=tuple(a.recommendation for a in plan.imaging if a.recommendation is not None),
        ),
        Section(
            key="genetics",
            title="Genetic confirmation",
            findings=tuple(interpretation.finding for interpretation in evaluation.genetics),
            recommendations=family_testing(evaluation.genetics, kb),
        ),
        therapy["immunoglobulin"],
        therapy["vaccination"],
        therapy["prophylaxis"],
        therapy["curative"],
        Section(
            key="differential",
            title="Phenotype-driven differential (inborn errors of immunity)",
            findings=differential_findings(evaluation),
        ),
        care_plan_section(care_plan(evaluation, built)),
    )
    return Assessment(
        patient_id=record.patient.id,
        as_of=as_of,
        kb_version=kb.version,
        hpo_release=kb.hpo.release,
        sections=sections,
    )

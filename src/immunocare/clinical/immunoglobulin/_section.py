"""The "Immunoglobulin replacement" section of an assessment: eligibility, current regimen, troughs."""

from __future__ import annotations

from datetime import date

from immunocare.domain import (
    Evidence,
    Finding,
    FindingStatus,
    ItemKind,
    PatientRecord,
    Quantity,
    Recommendation,
    Section,
    summarize,
)
from immunocare.knowledge import KnowledgeBase

from ..growth import latest_weight
from ._eligibility import pid_indication, sid_eligibility
from ._titration import infusions_given, titrate

__all__ = ["immunoglobulin_section"]


def _regimen(record: PatientRecord, as_of: date) -> Finding | None:
    """The latest infusion, its interval since the one before, and its dose per kg of the latest weight."""
    infusions = infusions_given(record, as_of)
    if not infusions:
        return None
    latest = infusions[-1]
    text = f"{latest.product} ({latest.route.label}) {latest.dose} on {latest.given_on.isoformat()}"
    if len(infusions) > 1:
        gap = Quantity((latest.given_on - infusions[-2].given_on).days, "d").to("wk")
        text += f", {gap.value:.1f} weeks after the previous infusion"
    weight = latest_weight(record, as_of)
    evidence = [Evidence(summary=summarize(latest), kind=ItemKind.INFUSIONS, item_id=latest.id)]
    if weight:
        per_kg = latest.dose.value_in("g") / weight.value.value_in("kg")
        text += f"; {per_kg:.2f} g/kg at {weight.value} (weighed {weight.measured_on.isoformat()})"
        evidence.append(Evidence(summary=summarize(weight), kind=ItemKind.GROWTH, item_id=weight.id))
    return Finding(
        rule_id="ig_current_regimen",
        title="Current immunoglobulin regimen",
        status=FindingStatus.MET,
        explanation=text,
        evidence=tuple(evidence),
    )


def _start(eligibility: tuple[Finding, ...]) -> tuple[Recommendation, ...]:
    """Consider starting replacement when an indication is met (for a patient not yet on it)."""
    met = next((f for f in eligibility if f.status is FindingStatus.MET), None)
    if met is None:
        return ()
    return (
        Recommendation(
            action="ig_start_consider",
            text=f"Consider starting immunoglobulin replacement (met: {met.title}).",
            rationale=met.explanation,
            based_on=(met.rule_id,),
            citations=met.citations,
            verified=met.verified,
        ),
    )


def immunoglobulin_section(record: PatientRecord, kb: KnowledgeBase, as_of: date) -> Section:
    """Eligibility (PID, else the SID criteria), the current regimen and trough monitoring.

    Without a regimen yet, a met indication is advised as a start to consider.
    """
    pid = pid_indication(record, kb)
    eligibility = (pid,) if pid.status is FindingStatus.MET else (pid, *sid_eligibility(record, kb, as_of))
    regimen = _regimen(record, as_of)
    titration = titrate(record, kb, as_of)
    return Section(
        key="immunoglobulin",
        title="Immunoglobulin replacement",
        findings=(*eligibility, *((regimen,) if regimen else ()), *titration.findings),
        recommendations=titration.recommendations if regimen else _start(eligibility),
    )

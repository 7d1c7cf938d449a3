"""Trough monitoring and titration: the target by diagnosis, and keep / raise / lower with the reasoning.

Bronchiectasis raises the target where a source says so; it is read from the record by small
detectors (an HPO phenotype, a diagnosis code, an imaging finding read as that phenotype), and more
detectors can be passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from immunocare.domain import (
    Evidence,
    Finding,
    FindingStatus,
    IgRoute,
    ImmunoglobulinInfusion,
    ItemKind,
    PatientRecord,
    Quantity,
    Recommendation,
    summarize,
)
from immunocare.knowledge import KnowledgeBase, citation_ids
from immunocare.knowledge.topics.ig_dosing import DoseResponse, IgRegimen, MonitoringPlan, TroughTarget

from ..imaging import imaging_phenotypes
from ..labs import LabBook, LabReading
from ._eligibility import active_diagnoses, diagnosis_ids

__all__ = [
    "BRONCHIECTASIS_DETECTORS",
    "BronchiectasisDetector",
    "Titration",
    "bronchiectasis_evidence",
    "titrate",
    "trough_targets",
]

BronchiectasisDetector = Callable[[PatientRecord, KnowledgeBase], tuple[Evidence, ...]]
"""Finds bronchiectasis in a record; returns the evidence (empty when not found)."""

_BRONCHIECTASIS_HPO = "HP:0002110"
_BRONCHIECTASIS_ICD10 = "J47"
_IGG = "igg"


def _phenotype(record: PatientRecord, kb: KnowledgeBase) -> tuple[Evidence, ...]:
    return tuple(
        Evidence(summary=summarize(p), kind=ItemKind.PHENOTYPES, item_id=p.id)
        for p in record.phenotypes
        if p.hpo_id == _BRONCHIECTASIS_HPO and not p.excluded
    )


def _diagnosis(record: PatientRecord, kb: KnowledgeBase) -> tuple[Evidence, ...]:
    return tuple(
        Evidence(summary=summarize(d), kind=ItemKind.DIAGNOSES, item_id=d.id)
        for d in active_diagnoses(record)
        if d.code.startswith(_BRONCHIECTASIS_ICD10)
    )


def _imaging(record: PatientRecord, kb: KnowledgeBase) -> tuple[Evidence, ...]:
    return tuple(t.evidence for t in imaging_phenotypes(record, kb) if t.hpo_id == _BRONCHIECTASIS_HPO)


BRONCHIECTASIS_DETECTORS: tuple[BronchiectasisDetector, ...] = (_phenotype, _diagnosis, _imaging)
"""The built-in detectors: HPO HP:0002110 observed, an ICD-10 J47 diagnosis, or imaging read as HP:0002110."""


def bronchiectasis_evidence(
    record: PatientRecord,
    kb: KnowledgeBase,
    detectors: Sequence[BronchiectasisDetector] = BRONCHIECTASIS_DETECTORS,
) -> tuple[Evidence, ...]:
    """The record's evidence of bronchiectasis from every detector."""
    return tuple(e for detect in detectors for e in detect(record, kb))


def _groups(record: PatientRecord, kb: KnowledgeBase) -> set[str]:
    """The patient's readable diagnosis ids, with 'pid' when a primary one is known, else 'sid'."""
    mappings = [m for d in active_diagnoses(record) for m in diagnosis_ids(kb, d)]
    primary = any(not m.secondary for m in mappings)
    return {m.diagnosis for m in mappings} | ({"pid"} if primary else {"sid"})


def trough_targets(
    record: PatientRecord, kb: KnowledgeBase, route: IgRoute, *, bronchiectasis: bool
) -> tuple[TroughTarget, ...]:
    """The current trough targets that apply to this patient's diagnoses, route and lungs."""
    groups = _groups(record, kb)
    return tuple(
        t
        for t in kb.of(TroughTarget)
        if t.status == "current"
        and groups & set(t.applies_to)
        and (not t.routes or route in t.routes)
        and (t.bronchiectasis is None or t.bronchiectasis == bronchiectasis)
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Titration:
    """The trough findings and the dose suggestion for a patient on replacement."""

    findings: tuple[Finding, ...]
    recommendations: tuple[Recommendation, ...]


def _target_value(target: TroughTarget, baseline: LabReading | None) -> Quantity | None:
    if target.minimum is not None:
        return target.minimum.to("g/L")
    if baseline is None or baseline.value is None or target.above_baseline is None:
        return None
    return Quantity(baseline.value.value_in("g/L") + target.above_baseline.value_in("g/L"), "g/L")


def _finding(
    target: TroughTarget,
    status: FindingStatus,
    explanation: str,
    *,
    evidence: tuple[Evidence, ...] = (),
    missing: tuple[str, ...] = (),
) -> Finding:
    return Finding(
        rule_id=target.id,
        title=target.title,
        status=status,
        explanation=explanation,
        evidence=evidence,
        missing=missing,
        citations=citation_ids(target),
        verified=target.verified,
    )


def _trough_finding(
    target: TroughTarget, value: Quantity | None, trough: LabReading | None, baseline: LabReading | None
) -> Finding:
    if value is None:
        missing = ("IgG before the first recorded infusion (the baseline the target is set above)",)
        return _finding(target, FindingStatus.UNDETERMINED, "no untreated IgG", missing=missing)
    if trough is None or trough.value is None:
        missing = ("a trough IgG on replacement",)
        return _finding(target, FindingStatus.UNDETERMINED, f"target {value}", missing=missing)
    met = trough.value.value_in("g/L") >= value.value
    return _finding(
        target,
        FindingStatus.MET if met else FindingStatus.NOT_MET,
        f"latest trough {trough.shown} on {trough.day.isoformat()}; target {target.comparator} {value}"
        + (
            f" (untreated IgG {baseline.shown} on {baseline.day.isoformat()} + {target.above_baseline})"
            if baseline is not None and target.above_baseline is not None
            else ""
        ),
        evidence=trough.evidence(),
    )


def _suggest(
    kb: KnowledgeBase,
    trough: Quantity,
    target: Quantity,
    infections: int,
    governing: TroughTarget,
    route: IgRoute,
) -> Recommendation:
    """Keep, raise or lower; the extra-dose estimate uses IVIG studies, so it is given for IVIG only."""
    responses = kb.of(DoseResponse)
    per_dose = [
        r for r in responses if r.exposure == "IVIG dose" and r.change is not None and route is IgRoute.IV
    ]
    benefit = [r for r in responses if r.exposure == "trough IgG"]
    if trough.value < target.value:
        gap = target.value - trough.value
        extra = "; ".join(
            f"about {gap / r.change.value_in('g/L') * r.per.value_in('mg/kg'):.0f} mg/kg more per dose "
            f"({r.title})"
            for r in per_dose
            if r.change is not None
        )
        return Recommendation(
            action="ig_dose_raise",
            text=f"Consider raising the immunoglobulin dose: trough {trough} is below the target {target}.",
            rationale=f"{governing.title}. Estimated: {extra}." if extra else governing.title,
            based_on=(governing.id, *(r.id for r in per_dose)),
            citations=citation_ids(governing, *per_dose),
            verified=governing.verified and all(r.verified for r in per_dose),
        )
    if infections:
        return Recommendation(
            action="ig_dose_raise",
            text=f"Consider a higher dose: {infections} infection(s) on replacement despite trough {trough}.",
            rationale="; ".join(r.title for r in benefit)
            + ". A higher trough may be needed to reduce infections.",
            based_on=tuple(r.id for r in benefit),
            citations=citation_ids(*benefit),
        )
    ceiling = [r for r in benefit if r.up_to is not None and trough.value > r.up_to.value_in("g/L")]
    if ceiling:
        return Recommendation(
            action="ig_dose_lower",
            text=f"The dose may be lowered if the clinician wishes: trough {trough}, no infections on it.",
            rationale="; ".join(f"{r.title}: little added benefit beyond {r.up_to}" for r in ceiling),
            based_on=tuple(r.id for r in ceiling),
            citations=citation_ids(*ceiling),
        )
    return Recommendation(
        action="ig_dose_keep",
        text=f"Keep the dose: trough {trough} meets the target {target} and no infections on replacement.",
        rationale=governing.title,
        based_on=(governing.id,),
        citations=citation_ids(governing),
        verified=governing.verified,
    )


def _steady_state(kb: KnowledgeBase, route: IgRoute, started: date, as_of: date) -> Finding | None:
    for regimen in (r for r in kb.of(IgRegimen) if route in r.routes):
        if (low := regimen.steady_state_from) is None:
            continue
        on_therapy = Quantity((as_of - started).days, "d")
        reached = on_therapy.value_in("mo") >= low.value_in("mo")
        span = f"{low.value:g}–{regimen.steady_state_to or low}"
        return Finding(
            rule_id=f"{regimen.id}_steady_state",
            title="Time to steady state on replacement",
            status=FindingStatus.MET if reached else FindingStatus.NOT_MET,
            explanation=(
                f"{on_therapy.value_in('mo'):.1f} months since the first recorded infusion "
                f"on {started.isoformat()}; "
                f"equilibrium takes {span}" + ("" if reached else ", so troughs may still be rising")
            ),
            citations=citation_ids(regimen),
            verified=regimen.verified,
        )
    return None


def infusions_given(record: PatientRecord, as_of: date) -> list[ImmunoglobulinInfusion]:
    """The record's immunoglobulin infusions given on or before ``as_of``, oldest first."""
    return sorted((i for i in record.infusions if i.given_on <= as_of), key=lambda i: i.given_on)


def titrate(
    record: PatientRecord,
    kb: KnowledgeBase,
    as_of: date,
    detectors: Sequence[BronchiectasisDetector] = BRONCHIECTASIS_DETECTORS,
) -> Titration:
    """Trough findings and a keep / raise / lower suggestion from the trough history, doses and infections."""
    infusions = infusions_given(record, as_of)
    if not infusions:
        return Titration(findings=(), recommendations=())
    started, route = infusions[0].given_on, infusions[-1].route
    igg = [r for r in LabBook.of(record, kb).of_analyte(_IGG, until=as_of) if r.value is not None]
    baseline = next((r for r in igg if r.day < started), None)
    trough = next((r for r in reversed(igg) if r.day >= started), None)
    lungs = bronchiectasis_evidence(record, kb, detectors)
    targets = trough_targets(record, kb, route, bronchiectasis=bool(lungs))
    values = [(t, _target_value(t, baseline)) for t in targets]
    findings = [_trough_finding(t, v, trough, baseline) for t, v in values]
    steady = _steady_state(kb, route, started, as_of)
    findings += [steady] if steady else []
    decided = [(t, v) for t, v in values if v is not None]
    infections = sum(1 for e in record.infections if started <= e.onset <= as_of)
    if trough is None or trough.value is None or not decided:
        plans = [p for p in kb.of(MonitoringPlan) if not p.products]
        advice = Recommendation(
            action="measure_trough_igg",
            text="Measure a trough IgG (just before the next dose) to guide the dose.",
            rationale="; ".join(p.title for p in plans),
            based_on=tuple(p.id for p in plans),
            citations=citation_ids(*plans),
        )
        return Titration(findings=tuple(findings), recommendations=(advice,))
    governing, target = max(decided, key=lambda pair: pair[1].value)
    advice = _suggest(kb, trough.value.to("g/L"), target, infections, governing, route)
    if lungs:
        advice = Recommendation(
            action=advice.action,
            text=advice.text,
            rationale=f"{advice.rationale.rstrip('.')}. Bronchiectasis: "
            + "; ".join(e.summary for e in lungs)
            + ".",
            based_on=advice.based_on,
            citations=advice.citations,
            verified=advice.verified,
        )
    return Titration(findings=tuple(findings), recommendations=(advice,))

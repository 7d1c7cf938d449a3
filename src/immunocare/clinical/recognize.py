"""Recognize: the warning signs, referral advice, and the watch on secondary immunodeficiency.

- Referral: every referral rule of the knowledge base whose trigger is met (two or more warning
  signs; red flags such as lymphopenia in an infant, whatever the count) becomes a
  :class:`~immunocare.domain.Recommendation` with the tests to order first — unless an
  immunodeficiency is already diagnosed (the knowledge base's ``known_immunodeficiency``).
- Secondary immunodeficiency: for each drug the record holds of a class that lowers immunity
  (B-cell depletion, CAR-T, chemotherapy, high-dose corticosteroids …), whether immunoglobulins
  were measured and whether serious or recurrent infections followed, with the monitoring advice
  of the knowledge base.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from immunocare.domain import (
    CodeSystem,
    Evidence,
    Finding,
    FindingStatus,
    ItemKind,
    Medication,
    Quantity,
    Recommendation,
    Urgency,
    summarize,
)
from immunocare.domain.ages import add_duration
from immunocare.knowledge import citation_ids
from immunocare.knowledge.topics._criteria import LabTest
from immunocare.knowledge.topics.referral import LabPanel, ReferralRule
from immunocare.knowledge.topics.sid_drugs import DrugClass, MonitoringRule, classify_medication

from .criteria import Evaluation
from .labs import LabReading
from .warning_signs import warning_signs

__all__ = ["Recognition", "high_dose_course", "recognize"]

KNOWN = "known_immunodeficiency"
SERIOUS_OR_RECURRENT = "serious_or_recurrent_infections"
_NOT_WATCHED = frozenset({"complement_inhibition", "passive_antibody"})
_MET, _NOT_MET = FindingStatus.MET, FindingStatus.NOT_MET


@dataclass(frozen=True, slots=True)
class Recognition:
    """What Recognize found for one patient on one day."""

    warning_signs: Finding
    known_immunodeficiency: Finding
    referrals: tuple[Finding, ...]
    referral_advice: tuple[Recommendation, ...]
    secondary: tuple[Finding, ...]
    secondary_advice: tuple[Recommendation, ...]


def _order_titles(evaluation: Evaluation, ids: tuple[str, ...]) -> list[str]:
    titles: list[str] = []
    for item_id in ids:
        item = evaluation.kb.get(item_id)
        if isinstance(item, LabPanel):
            titles += _order_titles(evaluation, item.tests)
        elif isinstance(item, LabTest):
            titles.append(item.title)
    return list(dict.fromkeys(titles))


def _referral(evaluation: Evaluation, rule: ReferralRule, finding: Finding) -> Recommendation:
    tests = _order_titles(evaluation, rule.order)
    text = rule.advice + (" Order: " + "; ".join(tests) + "." if tests else "")
    return Recommendation(
        action=rule.action,
        text=text,
        rationale=f"{finding.title}: {finding.explanation}",
        urgency=rule.urgency,
        based_on=(rule.id,),
        citations=finding.citations,
        verified=finding.verified,
    )


def _known_immunodeficiency(evaluation: Evaluation) -> Finding:
    coded = evaluation.rule(KNOWN)
    classified = [d for d in evaluation.record.diagnoses if d.iuis_category is not None]
    if coded.status is _MET or not classified:
        return coded
    evidence = tuple(
        Evidence(summary=summarize(d), kind=ItemKind.DIAGNOSES, item_id=d.id) for d in classified
    )
    return replace(
        coded, status=_MET, explanation="a diagnosis classified by IUIS is recorded", evidence=evidence
    )


def _watched_classes(evaluation: Evaluation, medication: Medication) -> list[DrugClass]:
    atc = medication.code if medication.code_system is CodeSystem.ATC else None
    classes = classify_medication(evaluation.kb, name=medication.name, atc=atc)
    return [c for c in classes if not set(c.effects) <= _NOT_WATCHED]


def high_dose_course(evaluation: Evaluation, drug_class: DrugClass, medication: Medication) -> bool | None:
    """Whether a course meets the class's high-dose threshold (``True`` for classes without one)."""
    if drug_class.high_dose is None:
        return True
    daily = medication.daily_dose()
    if daily is None or daily.dimension != "mass":
        return None
    end = min(medication.stop or evaluation.as_of, evaluation.as_of)
    duration = Quantity((end - medication.start).days + 1, "d")
    weights = sorted(
        (g for g in evaluation.record.growth if g.kind.value == "weight"), key=lambda g: g.measured_on
    )
    weight = weights[-1].value if weights else None
    return drug_class.high_dose.met_by(daily_dose=daily, duration=duration, weight=weight)


def _igg_since(evaluation: Evaluation, start: date) -> list[LabReading]:
    return [r for r in evaluation.labs.of_analyte("igg", until=evaluation.as_of) if r.day >= start]


def _infections_since(evaluation: Evaluation, start: date) -> Finding:
    record = evaluation.record
    later = tuple(i for i in record.infections if i.onset >= start)
    return Evaluation(replace(record, infections=later), evaluation.kb, evaluation.as_of).rule(
        SERIOUS_OR_RECURRENT
    )


def _measure(rule: MonitoringRule, reasons: list[str]) -> Recommendation:
    """One measurement advice per monitoring rule, naming every drug that calls for it."""
    return Recommendation(
        action=rule.action,
        text=f"Measure {', '.join(rule.measure)}: {'; '.join(reasons)}.",
        rationale=rule.advice,
        urgency=Urgency.SOON,
        based_on=(rule.id,),
        citations=citation_ids(rule),
        verified=rule.verified,
    )


def _monitoring(
    evaluation: Evaluation,
    medication: Medication,
    classes: list[DrugClass],
    igg: list[LabReading],
    infections: Finding,
) -> tuple[list[tuple[MonitoringRule, str]], list[Recommendation]]:
    """The measurements due (each rule with why) and any IgG-replacement advice for one drug."""
    ids = {c.id for c in classes}
    rules = [r for r in evaluation.kb.of(MonitoringRule) if ids & set(r.drug_classes)]
    active = medication.stop is None or medication.stop >= evaluation.as_of
    latest = igg[-1] if igg else None
    measures: list[tuple[MonitoringRule, str]] = []
    advice: list[Recommendation] = []
    for rule in rules:
        if rule.action == "consider_igrt":
            advice += _consider_igrt(rule, latest, infections)
        elif rule.trigger == "on_treatment" and active and rule.interval is not None:
            due = latest is None or add_duration(latest.day, rule.interval) <= evaluation.as_of
            if due:
                last = f"last on {latest.day.isoformat()}" if latest else "none on record"
                measures.append((rule, f"{medication.name} ongoing, IgG {last}"))
        elif rule.trigger == "after_treatment" and not active and medication.stop is not None:
            if not [r for r in igg if r.day >= medication.stop]:
                why = f"{medication.name} stopped on {medication.stop.isoformat()} and no IgG since"
                measures.append((rule, why))
        elif latest is None and (
            rule.trigger == "before_first_dose"
            or (rule.trigger == "recurrent_infections" and infections.status is _MET)
        ):
            measures.append(
                (rule, f"{medication.name} since {medication.start.isoformat()}, no IgG on record")
            )
    return measures, advice


def _consider_igrt(
    rule: MonitoringRule, latest: LabReading | None, infections: Finding
) -> list[Recommendation]:
    if latest is None or latest.value is None or not rule.when or rule.not_encoded:
        return []
    meets = all(bound.holds(latest.value) for bound in rule.when)
    if not meets or (rule.with_infections and infections.status is not _MET):
        return []
    return [
        Recommendation(
            action=rule.action,
            text=rule.title,
            rationale=f"{rule.advice} Latest IgG {latest.shown} on {latest.day.isoformat()}; "
            f"{infections.explanation}.",
            urgency=Urgency.SOON,
            based_on=(rule.id, SERIOUS_OR_RECURRENT),
            citations=citation_ids(rule) + infections.citations,
            verified=rule.verified and infections.verified,
        )
    ]


def _watch(
    evaluation: Evaluation, medication: Medication, classes: list[DrugClass]
) -> tuple[Finding, tuple[list[tuple[MonitoringRule, str]], list[Recommendation]]]:
    igg = _igg_since(evaluation, medication.start)
    infections = _infections_since(evaluation, medication.start)
    names = ", ".join(c.title for c in classes)
    evidence = (
        Evidence(summary=summarize(medication), kind=ItemKind.MEDICATIONS, item_id=medication.id),
        *(e for r in igg for e in r.evidence()),
        *infections.evidence,
    )
    measured = f"latest IgG {igg[-1].describe()}" if igg else "no IgG measured since"
    status = (
        _MET if not igg or infections.status is _MET or any(r.flag.value == "low" for r in igg) else _NOT_MET
    )
    finding = Finding(
        rule_id="secondary_immunodeficiency_watch",
        title=f"{medication.name} ({names}) since {medication.start.isoformat()}",
        status=status,
        explanation=f"{measured}; infections since: {infections.explanation}",
        evidence=evidence,
        citations=tuple(dict.fromkeys(s for c in classes for s in citation_ids(c))) + infections.citations,
        verified=all(c.verified for c in classes) and infections.verified,
        parts=(infections,),
    )
    return finding, _monitoring(evaluation, medication, classes, igg, infections)


def _secondary(evaluation: Evaluation) -> tuple[list[Finding], list[Recommendation]]:
    findings: list[Finding] = []
    advice: list[Recommendation] = []
    measures: dict[str, tuple[MonitoringRule, list[str]]] = {}
    for medication in evaluation.record.medications:
        if medication.start > evaluation.as_of:
            continue
        doses = [
            (c, high_dose_course(evaluation, c, medication)) for c in _watched_classes(evaluation, medication)
        ]
        classes = [c for c, high in doses if high is not False]
        if classes:
            finding, (due, recommendations) = _watch(evaluation, medication, classes)
            if any(high is None for _, high in doses):
                why = (
                    "; whether the dose is high enough to count cannot be told without the dose or the weight"
                )
                finding = replace(finding, explanation=finding.explanation + why)
            findings.append(finding)
            advice += recommendations
            for rule, why in due:
                measures.setdefault(rule.id, (rule, []))[1].append(why)
    return findings, [_measure(rule, reasons) for rule, reasons in measures.values()] + advice


def _unique(recommendations: list[Recommendation]) -> tuple[Recommendation, ...]:
    """Each recommendation once, the most urgent first."""
    seen: dict[str, Recommendation] = {}
    for recommendation in recommendations:
        seen.setdefault(recommendation.text, recommendation)
    return tuple(sorted(seen.values(), key=lambda r: list(Urgency).index(r.urgency), reverse=True))


def recognize(evaluation: Evaluation, *, list_id: str | None = None) -> Recognition:
    """The warning signs, referral advice and secondary-immunodeficiency watch of one patient."""
    signs = warning_signs(evaluation, list_id)
    known = _known_immunodeficiency(evaluation)
    rules = evaluation.kb.of(ReferralRule)
    referrals = [(rule, evaluation.rule(rule.id)) for rule in rules]
    met = [(rule, finding) for rule, finding in referrals if finding.status is _MET]
    advice = [] if known.status is _MET else [_referral(evaluation, rule, finding) for rule, finding in met]
    secondary, watch = _secondary(evaluation)
    return Recognition(
        warning_signs=signs,
        known_immunodeficiency=known,
        referrals=tuple(finding for _, finding in met),
        referral_advice=_unique(advice),
        secondary=tuple(secondary),
        secondary_advice=_unique(watch),
    )

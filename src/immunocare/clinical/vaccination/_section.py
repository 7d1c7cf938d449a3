"""The "Vaccination safety" section of an assessment."""

from __future__ import annotations

from datetime import date

from immunocare.domain import Evidence, Finding, FindingStatus, ItemKind, Recommendation, Section, summarize
from immunocare.knowledge import citation_ids
from immunocare.knowledge.topics.vaccines import Vaccine

from ..criteria import Evaluation
from ._after import HouseholdAdvice, ReinforcementStep
from ._decide import PRECEDENCE, Decision, PastDose, RuleUse, VaccinationPlan, vaccination_plan

__all__ = ["vaccination_section"]

_ACTIONABLE = ("contraindicated", "not_recommended", "consider", "recommended", "likely_ineffective")
"""The statuses a clinician acts on; the others (appears safe, likely effective …) are findings only."""


def _label(status: str | None) -> str:
    return status.replace("_", " ").capitalize() if status else "To confirm"


def _short(vaccine: Vaccine) -> str:
    return vaccine.abbreviation or vaccine.title


def _name(vaccine: Vaccine) -> str:
    return f"{_short(vaccine)} (CVX {vaccine.cvx})"


def _use_text(use: RuleUse) -> str:
    unverified = "" if use.rule.verified else " [unverified]"
    text = f"{_label(use.rule.status)} ({use.rule.id}{unverified}): {use.rule.reason}"
    text += f" — via {use.exposure.because}"
    return text + (f"; applies if: {'; '.join(use.conditions)}" if use.conditions else "")


def _state_finding(plan: VaccinationPlan) -> Finding:
    exposures = plan.state.exposures
    if not exposures:
        return Finding(
            rule_id="vaccination_state",
            title="Immunodeficiency and treatments for vaccination",
            status=FindingStatus.UNDETERMINED,
            explanation="No immunodeficiency category or immunosuppressive treatment of the vaccination "
            "rules is recorded; the routine schedule applies unless a diagnosis is added.",
        )
    return Finding(
        rule_id="vaccination_state",
        title="Immunodeficiency and treatments for vaccination",
        status=FindingStatus.MET,
        explanation="; ".join(f"{e.item.title}: {e.because}" for e in exposures)
        + ". Vaccines no rule bears on follow the routine schedule.",
        evidence=tuple(dict.fromkeys(item for e in exposures for item in e.evidence)),
        citations=citation_ids(*(item for e in exposures for item in (e.item, *e.sources))),
        verified=all(e.item.verified and e.verified for e in exposures),
    )


def _decision_part(decision: Decision) -> Finding:
    return Finding(
        rule_id=f"vaccine:{decision.vaccine.id}",
        title=f"{_name(decision.vaccine)}: {_label(decision.status).lower()}",
        status=FindingStatus.MET if decision.status else FindingStatus.UNDETERMINED,
        explanation=" | ".join(_use_text(use) for use in decision.uses),
        citations=citation_ids(
            decision.vaccine, *(item for use in decision.uses for item in (use.rule, *use.exposure.sources))
        ),
        verified=decision.verified,
    )


def _status_findings(plan: VaccinationPlan) -> list[Finding]:
    findings = []
    for status in (*PRECEDENCE, None):
        decisions = [d for d in plan.decisions if d.status == status]
        if not decisions:
            continue
        parts = tuple(_decision_part(d) for d in decisions)
        findings.append(
            Finding(
                rule_id=f"vaccination:{status or 'to_confirm'}",
                title=f"{_label(status)}: {len(decisions)} vaccine(s)",
                status=FindingStatus.MET if status else FindingStatus.UNDETERMINED,
                explanation=", ".join(_name(d.vaccine) for d in decisions),
                citations=tuple(dict.fromkeys(c for part in parts for c in part.citations)),
                verified=all(part.verified for part in parts),
                parts=parts,
            )
        )
    return findings


def _past_finding(past: PastDose) -> Finding:
    dose, worst = past.vaccination, past.uses[0]
    status = _label(worst.rule.status).lower()
    return Finding(
        rule_id="vaccination_live_dose_against_rule",
        title=f"{_name(past.vaccine)} given on {dose.given_on.isoformat()} while {status}",
        status=FindingStatus.MET,
        explanation=" | ".join(_use_text(use) for use in past.uses),
        evidence=(
            Evidence(summary=summarize(dose), kind=ItemKind.VACCINATIONS, item_id=dose.id),
            *(item for use in past.uses for item in use.exposure.evidence),
        ),
        citations=citation_ids(*(use.rule for use in past.uses)),
        verified=all(use.rule.verified for use in past.uses),
    )


def _recommendations(plan: VaccinationPlan) -> list[Recommendation]:
    by_rule: dict[str, tuple[RuleUse, list[Vaccine]]] = {}
    for decision in plan.decisions:
        for use in decision.deciding:
            if use.rule.status in _ACTIONABLE:
                by_rule.setdefault(use.rule.id, (use, []))[1].append(decision.vaccine)
    ordered = sorted(by_rule.values(), key=lambda entry: PRECEDENCE.index(entry[0].rule.status))
    return [
        Recommendation(
            action=use.rule.id,
            text=f"{use.rule.title}.",
            rationale=f"{use.rule.reason} Vaccines: {', '.join(dict.fromkeys(_short(v) for v in vaccines))}. "
            f"Applies because of {use.exposure.item.title}: {use.exposure.because}.",
            based_on=(use.rule.id, use.exposure.item.id),
            citations=citation_ids(use.rule),
            verified=use.rule.verified,
        )
        for use, vaccines in ordered
    ]


def _household_finding(plan: VaccinationPlan) -> Finding | None:
    if not plan.household:
        return None
    parts = tuple(_household_part(advice) for advice in plan.household)
    return Finding(
        rule_id="vaccination_household",
        title="Vaccines for household contacts",
        status=FindingStatus.MET,
        explanation="; ".join(part.title for part in parts),
        citations=tuple(dict.fromkeys(c for part in parts for c in part.citations)),
        verified=all(part.verified for part in parts),
        parts=parts,
    )


def _household_part(advice: HouseholdAdvice) -> Finding:
    lines = [advice.rule.reason]
    for exception in advice.exceptions:
        when = (
            f"If {'; '.join(exception.conditions)} ({exception.when})"
            if exception.conditions
            else (f"Because {exception.when}")
        )
        lines.append(f"{when}: {_label(exception.status).lower()}.")
    lines += [p for p in (advice.rule.precaution, *(e.precaution for e in advice.exceptions)) if p]
    return Finding(
        rule_id=advice.rule.id,
        title=f"{advice.rule.title}: {_label(advice.status).lower()}",
        status=FindingStatus.MET,
        explanation=" ".join(lines),
        citations=citation_ids(advice.rule),
        verified=advice.rule.verified,
    )


def _due(step: ReinforcementStep) -> str:
    if step.due_from is not None:
        return f"due from {step.due_from.isoformat()}"
    start = step.step.window.start
    return f"{start.label if start else 'right'} after {step.exposure.item.title.lower()} ends"


def _reinforcement(plan: VaccinationPlan) -> list[Recommendation]:
    return [
        Recommendation(
            action=step.step.id,
            text=f"{step.step.title} ({_due(step)}).",
            rationale=f"{step.step.reason} Follows {step.exposure.because}."
            + (f" Applies if: {'; '.join(step.step.conditions)}." if step.step.conditions else ""),
            based_on=(step.step.id, step.exposure.item.id),
            citations=citation_ids(step.step),
            verified=step.step.verified,
        )
        for step in plan.reinforcement
    ]


def _timing(plan: VaccinationPlan, as_of: date) -> list[Recommendation]:
    advice = []
    for timing in plan.timing:
        passed = " That day has passed." if timing.give_by < as_of else ""
        advice.append(
            Recommendation(
                action=timing.rule.id,
                text=f"{timing.rule.title}: give them by {timing.give_by.isoformat()}, "
                f"{timing.rule.at_least_before.label} before the planned start.{passed}",
                rationale=f"{timing.rule.reason} Planned: {timing.exposure.because}.",
                based_on=(timing.rule.id, timing.exposure.item.id),
                citations=citation_ids(timing.rule),
                verified=timing.rule.verified,
            )
        )
    return advice


def _household_recommendations(plan: VaccinationPlan) -> list[Recommendation]:
    return [
        Recommendation(
            action=advice.rule.id,
            text="Household contacts should not receive "
            + ", ".join(dict.fromkeys(map(_short, advice.vaccines)))
            + (f" ({advice.exceptions[0].when})." if advice.exceptions else "."),
            rationale=advice.rule.reason,
            based_on=(advice.rule.id,),
            citations=citation_ids(advice.rule),
            verified=advice.rule.verified,
        )
        for advice in plan.household
        if advice.status == "not_to_be_given"
    ]


def vaccination_section(evaluation: Evaluation) -> Section:
    """The vaccination safety section: state, decisions, past live doses, household contacts.

    The recommendations are the deciding rules a clinician acts on (contraindicated, not
    recommended, consider, recommended, likely ineffective), each with the vaccines it decides; the
    re-vaccination steps after a course of treatment; the vaccines to give before a planned
    immunosuppressive treatment starts; the vaccines household contacts must not get.
    """
    plan = vaccination_plan(evaluation)
    return Section(
        key="vaccination",
        title="Vaccination safety",
        findings=(
            _state_finding(plan),
            *(_past_finding(past) for past in plan.past_doses),
            *_status_findings(plan),
            *((household,) if (household := _household_finding(plan)) else ()),
        ),
        recommendations=(
            *_recommendations(plan),
            *_reinforcement(plan),
            *_timing(plan, evaluation.as_of),
            *_household_recommendations(plan),
        ),
    )

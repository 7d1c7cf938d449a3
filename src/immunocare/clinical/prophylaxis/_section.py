"""The "Antimicrobial prophylaxis" section of an assessment.

Each recommendation of the ``prophylaxis`` topic whose patient group the record places the patient
in (:func:`~immunocare.clinical.groups.membership`) is weighed. Its further condition is computed
from the record where the knowledge base gives it as a criterion tree: met, the prophylaxis is
advised; not met, a finding says why it is not; undetermined, or given only in words, it is advised
for the clinician to confirm the condition. Each dose item of an advised recommendation becomes a
finding with the band for the patient's age and latest weight; a verified dose is also written
into the advice, an unverified one never is. A current medication that is one of the agents (by
ATC code or name) is named in the advice, so that the plan says what is already in place.
"""

from __future__ import annotations

from immunocare.domain import (
    CodeSystem,
    Evidence,
    Finding,
    FindingStatus,
    ItemKind,
    Medication,
    Quantity,
    Recommendation,
    Section,
    summarize,
)
from immunocare.domain.units import UNITS
from immunocare.errors import ValidationError
from immunocare.knowledge import citation_ids
from immunocare.knowledge.topics.prophylaxis import DoseBand, ProphylaxisDose, ProphylaxisRecommendation

from ..criteria import Evaluation, evaluate
from ..genetics import Verdict
from ..groups import Membership, membership
from ..growth import latest_weight
from ..immunoglobulin import active_diagnoses

__all__ = ["prophylaxis_section"]

_PER_WEIGHT = "mg/kg"
_MASS = "mg"


def _times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def _per(period: Quantity) -> str:
    """``a day`` for one unit, else ``every 2 days``."""
    if period.value == 1:
        return f"a {UNITS[period.unit].display.removesuffix('s')}"
    return f"every {period}"


def _for_weight(amount: Quantity, weight: Quantity | None, doses: int) -> str:
    """The amount for this weight, when the band is per kilogram and the weight is known."""
    if amount.dimension != UNITS[_PER_WEIGHT].dimension or weight is None:
        return ""
    total = amount.value_in(_PER_WEIGHT) * weight.value_in("kg")
    each = f", {total / doses:.0f} {_MASS} per dose" if doses > 1 else ""
    return f" ({total:.0f} {_MASS} at {weight}{each})"


def _band_text(dose: ProphylaxisDose, band: DoseBand, weight: Quantity | None) -> str:
    if band.amount_is == "total per period":
        amount = f"{band.amount} {_per(band.per)} in {band.administrations} doses"
    else:
        amount = f"{band.amount} {_times(band.administrations)} {_per(band.per)}"
    amount += _for_weight(band.amount, weight, band.administrations)
    duration = f", for {dose.duration}" if dose.duration else ""
    return f"{dose.agent} ({dose.route}): {amount}{duration}"


def _dose_finding(evaluation: Evaluation, dose: ProphylaxisDose) -> tuple[Finding, str | None]:
    """The dose item's finding for this patient, and the dose in words when a band covers them."""
    measured = latest_weight(evaluation.record, evaluation.as_of)
    weight = measured.value if measured else None
    age = Quantity(evaluation.age_years, "a")
    evidence: tuple[Evidence, ...] = ()
    missing: tuple[str, ...] = ()
    text: str | None = None
    try:
        band = dose.band_for(age=age, weight=weight)
    except ValidationError as error:
        needed = error.issues[0].field
        status = FindingStatus.UNDETERMINED
        explanation = f"The {needed} is needed to choose the {dose.agent} dose; none is recorded"
        missing = (f"the patient's {needed}",)
    else:
        if band is None:
            status = FindingStatus.NOT_MET
            explanation = f"No dose band of the source covers this patient (age {age.value:.1f} years)"
        else:
            status, text = FindingStatus.MET, _band_text(dose, band, weight)
            explanation = text
            if measured and weight is not None:
                evidence = (Evidence(summary=summarize(measured), kind=ItemKind.GROWTH, item_id=measured.id),)
    return (
        Finding(
            rule_id=dose.id,
            title=dose.title,
            status=status,
            explanation=explanation + (f". {dose.note}" if dose.note else "."),
            evidence=evidence,
            missing=missing,
            citations=citation_ids(dose),
            verified=dose.verified,
        ),
        text,
    )


def _in_place(evaluation: Evaluation, item: ProphylaxisRecommendation) -> list[Medication]:
    """The record's current medications that are one of the recommendation's agents."""
    agents = {agent.lower() for agent in item.agents}
    return [
        medication
        for medication in evaluation.record.medications
        if medication.start <= evaluation.as_of
        and (medication.stop is None or medication.stop >= evaluation.as_of)
        and (
            (medication.code_system is CodeSystem.ATC and medication.code in item.atc)
            or medication.name.strip().lower() in agents
        )
    ]


def _taking(medication: Medication) -> str:
    dose = f" {medication.dose}" if medication.dose else ""
    interval = f" {_per(medication.dose_interval)}" if medication.dose_interval else ""
    return f"{medication.name}{dose}{interval} since {medication.start.isoformat()}"


def _condition(evaluation: Evaluation, item: ProphylaxisRecommendation) -> Finding | None:
    return evaluate(item.when, evaluation) if item.when is not None else None


def _condition_words(item: ProphylaxisRecommendation, condition: Finding | None) -> str:
    if item.condition is None:
        return ""
    if condition is None:
        return f" Applies when: {item.condition} (for the clinician to confirm)."
    if condition.status is FindingStatus.MET:
        shown = "; ".join(dict.fromkeys(e.summary for e in condition.evidence))
        return f" Condition met: {item.condition} (the record shows {shown})."
    missing = f": {', '.join(condition.missing)}" if condition.missing else ""
    return f" Applies when: {item.condition}; the record cannot tell yet{missing}."


def _advice(
    item: ProphylaxisRecommendation,
    member: Membership,
    condition: Finding | None,
    doses: list[tuple[ProphylaxisDose, Finding, str | None]],
    current: list[Medication],
) -> Recommendation:
    stated = [(dose, text) for dose, _, text in doses if dose.verified and text]
    unverified = [dose.agent for dose, _, _ in doses if not dose.verified]
    text = item.action + _condition_words(item, condition)
    if stated:
        text += " Dose for this patient: " + "; ".join(words for _, words in stated) + "."
    if unverified:
        agents = ", ".join(unverified)
        text += f" The knowledge base's dose of {agents} is unverified: check it in a formulary."
    if current:
        text += " In place: the record shows " + "; ".join(_taking(m) for m in current) + "."
    grade = f" (grade {item.grade})" if item.grade else ""
    return Recommendation(
        action=item.id,
        text=text,
        rationale=f"{member.because}: {item.title}{grade}.",
        based_on=tuple(dict.fromkeys((*member.based_on, item.id, *(dose.id for dose, _ in stated)))),
        citations=citation_ids(*member.sources, item, *(dose for dose, _ in stated)),
        verified=item.verified and member.verified and (condition is None or condition.verified),
    )


def _not_now(item: ProphylaxisRecommendation, member: Membership, condition: Finding) -> Finding:
    return Finding(
        rule_id=item.id,
        title=item.title,
        status=FindingStatus.NOT_MET,
        explanation=(
            f"{member.because}, but the condition is not met: {item.condition} ({condition.explanation})"
        ),
        evidence=member.evidence,
        citations=citation_ids(*member.sources, item),
        verified=item.verified and member.verified and condition.verified,
        parts=(condition,),
    )


def prophylaxis_section(evaluation: Evaluation) -> Section:
    """The prophylaxis the knowledge base recommends for the patient's groups, with doses and sources.

    When no recommendation's group holds the patient, a finding says so: not met when the record has a
    current diagnosis or confirmed genetic diagnosis, undetermined when it has neither.
    """
    kb = evaluation.kb
    findings: list[Finding] = []
    advice: list[Recommendation] = []
    matched = False
    for item in kb.of(ProphylaxisRecommendation):
        member = membership(evaluation, item)
        if member is None:
            continue
        matched = True
        condition = _condition(evaluation, item)
        if condition is not None and condition.status is FindingStatus.NOT_MET:
            findings.append(_not_now(item, member, condition))
            continue
        doses = [
            (dose, *_dose_finding(evaluation, dose))
            for dose in kb.of(ProphylaxisDose)
            if dose.recommendation == item.id
        ]
        findings.extend(finding for _, finding, _ in doses)
        advice.append(_advice(item, member, condition, doses, _in_place(evaluation, item)))
    return Section(
        key="prophylaxis",
        title="Antimicrobial prophylaxis",
        findings=tuple(findings) if matched else (_none(evaluation),),
        recommendations=tuple(advice),
    )


def _none(evaluation: Evaluation) -> Finding:
    confirmed = [r for r in evaluation.genetics if r.verdict is Verdict.CONFIRMED]
    known = bool(active_diagnoses(evaluation.record) or confirmed)
    return Finding(
        rule_id="prophylaxis_indications",
        title="Antimicrobial prophylaxis indication",
        status=FindingStatus.NOT_MET if known else FindingStatus.UNDETERMINED,
        explanation=(
            "No diagnosis, IUIS classification, confirmed genetic diagnosis or met ESID definition places "
            "the patient in a group the knowledge base holds prophylaxis for."
        ),
        missing=() if known else ("a diagnosis or a confirmed genetic diagnosis",),
    )

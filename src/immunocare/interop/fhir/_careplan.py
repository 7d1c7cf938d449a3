"""The care plan out as a FHIR R4 CarePlan (intent ``proposal``: decision support, not orders).

- Goals become contained Goal resources whose ``lifecycleStatus`` follows the decision:
  proposed (not decided), accepted (accepted or edited), rejected.
- Therapies, monitoring and the infection action plan become activities whose detail ``status``
  follows the decision: not-started (not decided), scheduled (accepted or edited), cancelled
  (rejected), with the decision's note as the ``statusReason``.
- An item's text is the edited text when it was edited; an unverified item says so in its text.
- Citations are named in each activity's ``progress`` notes.
"""

from __future__ import annotations

from fhir.resources.R4B.careplan import CarePlan as FhirCarePlan
from fhir.resources.R4B.careplan import CarePlanActivity, CarePlanActivityDetail
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.goal import Goal
from fhir.resources.R4B.reference import Reference

from immunocare.clinical.careplan import CarePlan, DecidedItem, Decision, PlanItemKind

__all__ = ["care_plan_resource"]

_GOAL_STATUS = {
    None: "proposed",
    Decision.ACCEPTED: "accepted",
    Decision.EDITED: "accepted",
    Decision.REJECTED: "rejected",
}
_ACTIVITY_STATUS = {
    None: "not-started",
    Decision.ACCEPTED: "scheduled",
    Decision.EDITED: "scheduled",
    Decision.REJECTED: "cancelled",
}
_PART = {
    PlanItemKind.THERAPY: "Therapy",
    PlanItemKind.MONITORING: "Monitoring",
    PlanItemKind.INFECTION_ACTION: "Infection action plan",
}


def _text(decided: DecidedItem) -> str:
    return decided.text + ("" if decided.item.verified else " (unverified knowledge)")


def _goal(decided: DecidedItem, index: int, subject: Reference) -> Goal:
    decision = decided.decision.decision if decided.decision else None
    return Goal(
        id=f"goal-{index}",
        lifecycleStatus=_GOAL_STATUS[decision],
        description=CodeableConcept(text=_text(decided)),
        subject=subject,
        identifier=[{"system": "urn:immunocare:care-plan-item", "value": decided.item.id}],
    )


def _activity(decided: DecidedItem) -> CarePlanActivity:
    decision = decided.decision
    detail: dict[str, object] = {
        "status": _ACTIVITY_STATUS[decision.decision if decision else None],
        "code": CodeableConcept(text=f"{_PART[decided.item.kind]}: {decided.item.title}"),
        "description": _text(decided),
    }
    if decision is not None and decision.note:
        detail["statusReason"] = CodeableConcept(text=decision.note)
    notes = [{"text": f"Why: {decided.item.rationale}"}]
    if decided.item.citations:
        notes.append({"text": "Sources (immunocare citation ids): " + ", ".join(decided.item.citations)})
    return CarePlanActivity(detail=CarePlanActivityDetail(**detail), progress=notes)


def care_plan_resource(
    plan: CarePlan, items: tuple[DecidedItem, ...], *, patient_reference: str
) -> FhirCarePlan:
    """The plan and its decisions as a CarePlan about ``patient_reference`` (e.g. ``Patient/12``)."""
    subject = Reference(reference=patient_reference)
    goals = [d for d in items if d.item.kind is PlanItemKind.GOAL]
    contained = [_goal(d, i, subject) for i, d in enumerate(goals, start=1)]
    return FhirCarePlan(
        status="active" if any(d.decision for d in items) else "draft",
        intent="proposal",
        title="Individualized care plan (decision support)",
        description=f"Computed as of {plan.as_of.isoformat()} with knowledge base {plan.kb_version}.",
        subject=subject,
        created=plan.as_of.isoformat(),
        contained=contained or None,
        goal=[Reference(reference=f"#{goal.id}") for goal in contained] or None,
        activity=[_activity(d) for d in items if d.item.kind is not PlanItemKind.GOAL] or None,
    )

"""The individualized care plan of a stored patient, and the clinician's decisions on its items.

- :func:`care_plan_patient`: the plan as of a day, each item with its latest decision, and the
  whole history of decisions (the care-plan page, the JSON API, the FHIR export).
- :func:`care_plan_json`: that result as JSON-ready data; :func:`care_plan_fhir`: the plan with
  its decisions as a FHIR R4 CarePlan, authorized and audited as an export.
- :func:`decide_care_plan_item`: accept, edit (changed text and a note) or reject one item; the
  decision is appended, never overwritten, and audited.

The record is read through :func:`~immunocare.services.get_record`, so the read is authorized
and audited like any other; a decision is authorized and audited as an update of the patient.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from immunocare.clinical.careplan import (
    CarePlan,
    DecidedItem,
    Decision,
    PlanDecision,
    care_plan,
    decided_items,
)
from immunocare.domain import PatientRecord
from immunocare.errors import ValidationError
from immunocare.interop.fhir import care_plan_resource
from immunocare.store import CarePlanRepository

from ._clinical import evaluation_on, plain
from ._context import Actor, ServiceContext, transaction
from .authz import Action, audit, authorize
from .record import get_record

__all__ = [
    "PatientCarePlan",
    "care_plan_fhir",
    "care_plan_json",
    "care_plan_patient",
    "decide_care_plan_item",
]


@dataclass(frozen=True, slots=True)
class PatientCarePlan:
    """A patient's care plan as of one day, with the clinician's decisions.

    Attributes:
        record: the whole record.
        plan: the plan computed from the record.
        items: each plan item with its latest decision.
        history: every decision on the patient's plan, oldest first (also on items the plan no
            longer has).
    """

    record: PatientRecord
    plan: CarePlan
    items: tuple[DecidedItem, ...]
    history: tuple[PlanDecision, ...]


def _plan(
    ctx: ServiceContext, actor: Actor | None, patient_id: int, as_of: date | None
) -> tuple[PatientRecord, CarePlan]:
    record = get_record(ctx, actor=actor, patient_id=patient_id)
    return record, care_plan(evaluation_on(ctx, record, as_of))


def care_plan_patient(
    ctx: ServiceContext, *, actor: Actor | None, patient_id: int, as_of: date | None = None
) -> PatientCarePlan:
    """The patient's care plan as of ``as_of`` (today by default), with its decisions."""
    record, plan = _plan(ctx, actor, patient_id, as_of)
    with transaction(ctx) as session:
        history = CarePlanRepository(session).decisions(patient_id=patient_id)
    return PatientCarePlan(record=record, plan=plan, items=decided_items(plan, history), history=history)


def care_plan_json(found: PatientCarePlan) -> dict[str, Any]:
    """The plan, each item with its latest decision and the text that holds, the team and the history."""
    plan = found.plan
    items = [plain(d.item) | {"text": d.text, "decision": plain(d.decision)} for d in found.items]
    return {
        "patient_id": plan.patient_id,
        "as_of": plan.as_of.isoformat(),
        "kb_version": plan.kb_version,
        "items": items,
        "team": plain(plan.team),
        "history": plain(found.history),
    }


def care_plan_fhir(
    ctx: ServiceContext, *, actor: Actor | None, patient_id: int, as_of: date | None = None
) -> dict[str, Any]:
    """The plan and its decisions as a FHIR R4 CarePlan resource (JSON-ready)."""
    actor = authorize(ctx, actor, Action.EXPORT, patient_id=patient_id)
    found = care_plan_patient(ctx, actor=actor, patient_id=patient_id, as_of=as_of)
    resource = care_plan_resource(found.plan, found.items, patient_reference=f"Patient/{patient_id}")
    with transaction(ctx) as session:
        audit(
            ctx, session, actor, Action.EXPORT, patient_id=patient_id, detail="care plan as a FHIR CarePlan"
        )
    data: dict[str, Any] = resource.model_dump(mode="json", by_alias=True, exclude_none=True)
    return data


def _decision(value: str) -> Decision:
    try:
        return Decision(value)
    except ValueError:
        allowed = ", ".join(d.value for d in Decision)
        raise ValidationError.single("decision", f"must be one of {allowed}, not {value!r}") from None


def decide_care_plan_item(
    ctx: ServiceContext,
    *,
    actor: Actor | None,
    patient_id: int,
    item_id: str,
    decision: str,
    text: str | None = None,
    note: str | None = None,
    as_of: date | None = None,
) -> PlanDecision:
    """Record the clinician's decision on one item of the patient's current plan.

    Raises:
        ValidationError: the decision is unknown (``decision``), the item is not in the plan
            (``item_id``), or an edit has no changed text (``text``).
    """
    actor = authorize(ctx, actor, Action.UPDATE, patient_id=patient_id)
    chosen = _decision(decision)
    _, plan = _plan(ctx, actor, patient_id, as_of)
    if plan.item(item_id) is None:
        raise ValidationError.single("item_id", f"{item_id!r} is not an item of this patient's care plan")
    entry = PlanDecision(
        item_id=item_id,
        decision=chosen,
        decided_at=ctx.clock.now(),
        decided_by=actor.username,
        text=text or None,
        note=(note or "").strip() or None,
    )
    with transaction(ctx) as session:
        stored = CarePlanRepository(session).add_decision(patient_id=patient_id, decision=entry)
        detail = f"care plan item {item_id}: {chosen.value}"
        audit(ctx, session, actor, Action.UPDATE, patient_id=patient_id, detail=detail)
    return stored

"""/api/patients/{id}/care-plan: the care plan as JSON or FHIR, and decisions on its items."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from immunocare.services.care_plans import (
    care_plan_fhir,
    care_plan_json,
    care_plan_patient,
    decide_care_plan_item,
)

from ._deps import ActorDep, ContextDep
from .patients import PatientId

__all__ = ["DecisionIn", "router"]

router = APIRouter(tags=["Care plan"])

AsOf = Annotated[date | None, Query(description="The day to compute the plan as of (default: today).")]


class DecisionIn(BaseModel):
    """A clinician's decision on one plan item."""

    item_id: str = Field(min_length=1, max_length=200, description="The plan item's stable id.")
    decision: str = Field(description="accepted, edited or rejected.")
    text: str | None = Field(None, max_length=4000, description="The changed text (required to edit).")
    note: str | None = Field(None, max_length=4000, description="Why, in the clinician's words.")


@router.get("/api/patients/{patient_id}/care-plan", summary="The patient's care plan")
def care_plan(ctx: ContextDep, actor: ActorDep, patient_id: PatientId, as_of: AsOf = None) -> dict[str, Any]:
    """Goals, therapies, monitoring, the infection action plan and the team, with the decisions."""
    return care_plan_json(care_plan_patient(ctx, actor=actor, patient_id=patient_id, as_of=as_of))


@router.get("/api/patients/{patient_id}/care-plan/fhir", summary="The care plan as a FHIR R4 CarePlan")
def care_plan_as_fhir(
    ctx: ContextDep, actor: ActorDep, patient_id: PatientId, as_of: AsOf = None
) -> dict[str, Any]:
    """A CarePlan (intent proposal) whose activities' status follows the decisions."""
    return care_plan_fhir(ctx, actor=actor, patient_id=patient_id, as_of=as_of)


@router.post(
    "/api/patients/{patient_id}/care-plan/decisions", status_code=201, summary="Decide on a plan item"
)
def decide(ctx: ContextDep, actor: ActorDep, patient_id: PatientId, data: DecisionIn) -> dict[str, Any]:
    """Accept, edit or reject one item of the current plan; the decision is kept and audited."""
    stored = decide_care_plan_item(
        ctx,
        actor=actor,
        patient_id=patient_id,
        item_id=data.item_id,
        decision=data.decision,
        text=data.text,
        note=data.note,
    )
    return {
        "id": stored.id,
        "item_id": stored.item_id,
        "decision": stored.decision.value,
        "decided_at": stored.decided_at.isoformat(),
        "decided_by": stored.decided_by,
        "text": stored.text,
        "note": stored.note,
    }

"""/api/patients/{id}/assessment and /api/worklist: decision support as JSON."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from immunocare.services.assessments import assess_patient, assessment_json
from immunocare.services.schemas import PatientOut
from immunocare.services.worklist import WorklistEntry, worklist

from ._deps import ActorDep, ContextDep
from .patients import PatientId

__all__ = ["WorklistEntryOut", "WorklistOut", "WorklistSignOut", "router"]

router = APIRouter(tags=["Decision support"])


class WorklistSignOut(BaseModel):
    """A warning sign met."""

    rule_id: str
    title: str
    explanation: str
    latest: date | None
    verified: bool


class WorklistEntryOut(BaseModel):
    """A patient on the worklist, with the warning signs met."""

    patient: PatientOut
    sign_list: str
    signs_in_list: int
    latest: date | None
    signs: list[WorklistSignOut]

    @classmethod
    def of(cls, entry: WorklistEntry) -> WorklistEntryOut:
        """The API form of a worklist entry."""
        return cls(
            patient=PatientOut.from_domain(entry.patient),
            sign_list=entry.sign_list.rule_id,
            signs_in_list=len(entry.sign_list.parts),
            latest=entry.latest,
            signs=[
                WorklistSignOut(
                    rule_id=sign.finding.rule_id,
                    title=sign.finding.title,
                    explanation=sign.finding.explanation,
                    latest=sign.latest,
                    verified=sign.finding.verified,
                )
                for sign in entry.signs
            ],
        )


class WorklistOut(BaseModel):
    """Patients with enough warning signs and no known immunodeficiency, most signs first."""

    as_of: date
    screened: int
    entries: list[WorklistEntryOut]


@router.get("/api/patients/{patient_id}/assessment", summary="Assess a patient")
def assessment(
    ctx: ContextDep,
    actor: ActorDep,
    patient_id: PatientId,
    as_of: Annotated[date | None, Query(description="The day to assess as of (default: today).")] = None,
) -> dict[str, Any]:
    """Warning signs, referral, laboratory results, ESID classification and the work-up plan."""
    return assessment_json(assess_patient(ctx, actor=actor, patient_id=patient_id, as_of=as_of))


@router.get("/api/worklist", response_model=WorklistOut, summary="The worklist")
def list_worklist(ctx: ContextDep, actor: ActorDep) -> WorklistOut:
    """Patients with two or more warning signs (the list's threshold) and no known immunodeficiency."""
    found = worklist(ctx, actor=actor)
    return WorklistOut(
        as_of=found.as_of, screened=found.screened, entries=[WorklistEntryOut.of(e) for e in found.entries]
    )

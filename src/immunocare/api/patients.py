"""/api/patients: register, search, read and correct patients."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from immunocare import services
from immunocare.services.schemas import PatientIn, PatientOut, PatientUpdate

from ._deps import ActorDep, ContextDep

__all__ = ["PatientId", "router"]

router = APIRouter(prefix="/api/patients", tags=["Patients"])

PatientId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The patient's identifier.")]


class PatientList(BaseModel):
    """A page of patients."""

    patients: list[PatientOut]
    total: int
    limit: int
    offset: int


@router.get("", response_model=PatientList, summary="Search patients")
def search(
    ctx: ContextDep,
    actor: ActorDep,
    q: Annotated[str | None, Query(max_length=100, description="Part of an MRN or name.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> PatientList:
    """Patients whose MRN or names contain ``q``."""
    page = services.search_patients(ctx, actor=actor, text=q, limit=limit, offset=offset)
    return PatientList(patients=page.patients, total=page.total, limit=page.limit, offset=page.offset)


@router.post("", response_model=PatientOut, status_code=201, summary="Register a patient")
def create(ctx: ContextDep, actor: ActorDep, body: PatientIn) -> PatientOut:
    """Register a new patient; the MRN must be new."""
    return services.create_patient(ctx, actor=actor, data=body)


@router.get("/{patient_id}", response_model=PatientOut, summary="Read a patient")
def read(ctx: ContextDep, actor: ActorDep, patient_id: PatientId) -> PatientOut:
    """A patient's demographics."""
    return services.get_patient(ctx, actor=actor, patient_id=patient_id)


@router.patch("/{patient_id}", response_model=PatientOut, summary="Correct a patient's demographics")
def update(ctx: ContextDep, actor: ActorDep, patient_id: PatientId, body: PatientUpdate) -> PatientOut:
    """Change only the fields given."""
    return services.update_patient(ctx, actor=actor, patient_id=patient_id, changes=body)

"""Use cases on patients: register, find, read and correct demographics."""

from __future__ import annotations

from dataclasses import dataclass

from immunocare.domain import Patient
from immunocare.store import PatientRepository

from ._checks import check_patient
from ._context import Actor, ServiceContext, transaction
from .authz import Action, audit, authorize
from .schemas import PatientIn, PatientOut, PatientUpdate

__all__ = ["PatientPage", "create_patient", "get_patient", "search_patients", "update_patient"]


@dataclass(frozen=True, slots=True)
class PatientPage:
    """One page of a patient search."""

    patients: list[PatientOut]
    total: int
    limit: int
    offset: int


def create_patient(ctx: ServiceContext, *, actor: Actor | None, data: PatientIn) -> PatientOut:
    """Register a new patient (the MRN must be new)."""
    actor = authorize(ctx, actor, Action.CREATE)
    patient: Patient = data.to_domain(zone=ctx.settings.zone)
    check_patient(ctx, patient)
    with transaction(ctx) as session:
        stored = PatientRepository(session).add(patient=patient)
        audit(ctx, session, actor, Action.CREATE, patient_id=stored.id, detail="patient registered")
    return PatientOut.from_domain(stored)


def get_patient(ctx: ServiceContext, *, actor: Actor | None, patient_id: int) -> PatientOut:
    """A patient's demographics."""
    actor = authorize(ctx, actor, Action.READ, patient_id=patient_id)
    with transaction(ctx) as session:
        patient = PatientRepository(session).get(patient_id=patient_id)
        audit(ctx, session, actor, Action.READ, patient_id=patient_id, detail="demographics")
    return PatientOut.from_domain(patient)


def update_patient(
    ctx: ServiceContext, *, actor: Actor | None, patient_id: int, changes: PatientUpdate
) -> PatientOut:
    """Correct a patient's demographics; only the fields given change."""
    actor = authorize(ctx, actor, Action.UPDATE, patient_id=patient_id)
    with transaction(ctx) as session:
        repository = PatientRepository(session)
        current = repository.get(patient_id=patient_id)
        given = changes.model_dump(exclude_unset=True, exclude_none=True)
        merged = PatientIn.model_validate({**PatientIn.from_domain(current).model_dump(), **given})
        patient: Patient = merged.to_domain(zone=ctx.settings.zone, id=patient_id)
        check_patient(ctx, patient)
        stored = repository.update(patient=patient)
        audit(
            ctx, session, actor, Action.UPDATE, patient_id=patient_id, detail="changed: " + ", ".join(given)
        )
    return PatientOut.from_domain(stored)


def search_patients(
    ctx: ServiceContext, *, actor: Actor | None, text: str | None = None, limit: int = 50, offset: int = 0
) -> PatientPage:
    """Patients whose MRN or names contain ``text`` (all patients without it), a page at a time."""
    actor = authorize(ctx, actor, Action.LIST)
    query = (text or "").strip() or None
    with transaction(ctx) as session:
        repository = PatientRepository(session)
        found = repository.search(text=query, limit=limit, offset=offset)
        total = repository.count(text=query)
        audit(ctx, session, actor, Action.LIST, detail=f"search {query!r}, {len(found)} shown")
    return PatientPage([PatientOut.from_domain(p) for p in found], total, limit, offset)

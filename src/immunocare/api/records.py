"""/api/patients/{id}/record and /api/records: the whole record as one JSON document, and its schema."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from immunocare import services
from immunocare.services.schemas import PatientOut, RecordDocument, record_json_schema

from ._deps import ActorDep, ContextDep
from .patients import PatientId

__all__ = ["router"]

router = APIRouter(tags=["Record documents"])


@router.get("/api/patients/{patient_id}/record", response_model=RecordDocument, summary="Export a record")
def export(ctx: ContextDep, actor: ActorDep, patient_id: PatientId) -> RecordDocument:
    """The patient's whole record as one document (the format of ``immunocare record export``)."""
    return services.export_record(ctx, actor=actor, patient_id=patient_id)


@router.post("/api/records", response_model=PatientOut, status_code=201, summary="Import a record")
def import_(ctx: ContextDep, actor: ActorDep, body: RecordDocument) -> PatientOut:
    """Create a patient and all of its items from a document, all or nothing."""
    return services.import_record(ctx, actor=actor, document=body)


@router.get("/api/schema", summary="JSON Schema of the record document")
def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the record document."""
    return record_json_schema()

"""The whole record as one JSON document: export, parse and import (all or nothing)."""

from __future__ import annotations

from typing import Any

import pydantic

from immunocare.domain import ItemKind, Patient, PatientRecord, RecordItem
from immunocare.errors import ConflictError, FieldIssue, ValidationError
from immunocare.store import PatientRepository, RecordRepository

from ._checks import check_item, check_patient
from ._context import Actor, ServiceContext, transaction
from .authz import Action, audit, authorize
from .record import to_domain_item
from .schemas import ITEM_SCHEMAS, PatientIn, PatientOut, RecordDocument, issues_from_pydantic

__all__ = ["export_record", "import_record", "parse_record_document", "record_from_document"]


def parse_record_document(raw: str | bytes | dict[str, Any]) -> RecordDocument:
    """Validate a record document, reporting every problem with its path (``labs.3.value.unit``)."""
    try:
        if isinstance(raw, dict):
            return RecordDocument.model_validate(raw)
        return RecordDocument.model_validate_json(raw)
    except pydantic.ValidationError as error:
        raise ValidationError(issues_from_pydantic(error)) from None


def export_record(ctx: ServiceContext, *, actor: Actor | None, patient_id: int) -> RecordDocument:
    """A patient's whole record as a document."""
    actor = authorize(ctx, actor, Action.EXPORT, patient_id=patient_id)
    with transaction(ctx) as session:
        record = RecordRepository(session).load(patient_id=patient_id)
        audit(ctx, session, actor, Action.EXPORT, patient_id=patient_id, detail="whole record")
    items = {
        kind.value: [ITEM_SCHEMAS[kind].schema_in.from_domain(item) for item in record.items(kind)]
        for kind in ItemKind
    }
    return RecordDocument.model_validate(
        {"exported_at": ctx.now(), "patient": PatientIn.from_domain(record.patient), **items}
    )


def _convert_all(
    ctx: ServiceContext, document: RecordDocument
) -> tuple[Patient, list[tuple[ItemKind, RecordItem]]]:
    issues: list[FieldIssue] = []
    patient: Patient | None = None
    try:
        patient = document.patient.to_domain(zone=ctx.settings.zone)
        check_patient(ctx, patient)
    except ValidationError as error:
        issues.extend(error.prefixed("patient").issues)
    items: list[tuple[ItemKind, RecordItem]] = []
    for kind in ItemKind:
        for index, data in enumerate(getattr(document, kind.value)):
            try:
                item = to_domain_item(ctx, kind, data)
                if patient is not None:
                    check_item(ctx, patient, item)
                items.append((kind, item))
            except ValidationError as error:
                issues.extend(error.prefixed(f"{kind.value}.{index}").issues)
    if issues or patient is None:
        raise ValidationError(issues)
    return patient, items


def record_from_document(ctx: ServiceContext, document: RecordDocument) -> PatientRecord:
    """The record a document describes, checked as an import would check it, without storing it."""
    patient, items = _convert_all(ctx, document)
    grouped: dict[str, Any] = {kind.value: tuple(item for k, item in items if k is kind) for kind in ItemKind}
    return PatientRecord(patient=patient, **grouped)


def import_record(ctx: ServiceContext, *, actor: Actor | None, document: RecordDocument) -> PatientOut:
    """Create a patient and every item of a document in one transaction; nothing is written on error."""
    actor = authorize(ctx, actor, Action.IMPORT)
    patient, items = _convert_all(ctx, document)
    with transaction(ctx) as session:
        patients = PatientRepository(session)
        if patients.get_by_mrn(mrn=patient.mrn) is not None:
            raise ConflictError(f"a patient with MRN {patient.mrn} already exists")
        stored = patients.add(patient=patient)
        assert stored.id is not None
        repository = RecordRepository(session)
        for kind, item in items:
            repository.add(patient_id=stored.id, kind=kind, item=item)
        audit(ctx, session, actor, Action.IMPORT, patient_id=stored.id, detail=f"{len(items)} items imported")
    return PatientOut.from_domain(stored)

"""Assessing a patient: the clinical core run on a stored record, or on a record document."""

from __future__ import annotations

import dataclasses
from datetime import date
from enum import Enum
from typing import Any

from immunocare.clinical.assess import assess
from immunocare.domain import Assessment

from ._context import Actor, ServiceContext
from .documents import record_from_document
from .record import get_record
from .schemas import RecordDocument

__all__ = ["assess_document", "assess_patient", "assessment_json"]


def assess_patient(
    ctx: ServiceContext, *, actor: Actor | None, patient_id: int, as_of: date | None = None
) -> Assessment:
    """The assessment of a stored patient (reading the record is authorized and audited)."""
    record = get_record(ctx, actor=actor, patient_id=patient_id)
    return assess(record, ctx.kb, as_of or ctx.today())


def assess_document(ctx: ServiceContext, *, document: RecordDocument, as_of: date) -> Assessment:
    """The assessment of a record document, checked as an import would be; nothing is stored."""
    return assess(record_from_document(ctx, document), ctx.kb, as_of)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def assessment_json(assessment: Assessment) -> dict[str, Any]:
    """An assessment as JSON-ready data (the form ``immunocare assess --format json`` prints)."""
    data: dict[str, Any] = _plain(assessment)
    return data

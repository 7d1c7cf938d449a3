"""What the services share to run the clinical core: the evaluation of a day, and JSON-ready results."""

from __future__ import annotations

import dataclasses
from datetime import date
from enum import Enum
from typing import Any

from immunocare.clinical.criteria import Evaluation
from immunocare.domain import PatientRecord
from immunocare.errors import ValidationError

from ._context import ServiceContext

__all__ = ["evaluation_on", "plain"]


def evaluation_on(ctx: ServiceContext, record: PatientRecord, as_of: date | None) -> Evaluation:
    """The record's evaluation on ``as_of``: today by default, never before birth nor after today.

    Raises:
        ValidationError: ``as_of`` is before the birth date or in the future.
    """
    day = as_of or ctx.today()
    if day < record.patient.birth_date:
        raise ValidationError.single("as_of", f"{day.isoformat()} is before the patient's birth date")
    if day > ctx.today():
        raise ValidationError.single("as_of", f"{day.isoformat()} is in the future")
    return Evaluation(record, ctx.kb, day)


def plain(value: Any) -> Any:
    """Dataclasses, enums, dates and sequences of the clinical core as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value

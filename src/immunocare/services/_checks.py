"""Checks that need the clock or the knowledge base: future dates, dates before birth, known codes."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from immunocare.domain import LabResult, Patient, RecordItem, Vaccination
from immunocare.domain.units import UNITS
from immunocare.errors import FieldIssue, ValidationError
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.analytes import Analyte
from immunocare.knowledge.topics.vaccines import Vaccine

from ._context import ServiceContext

__all__ = ["check_item", "check_patient"]

_MAY_BE_FUTURE = frozenset({("Medication", "stop"), ("AntibioticCourse", "stop")})


def _dates(value: Any, path: str) -> Iterator[tuple[str, str, date]]:
    """(owner class, field path, day) for every date and datetime inside a record item."""
    for field in dataclasses.fields(value):
        item = getattr(value, field.name)
        where = f"{path}{field.name}"
        if isinstance(item, datetime):
            yield type(value).__name__, where, item.date()
        elif isinstance(item, date):
            yield type(value).__name__, where, item
        elif isinstance(item, tuple):
            for index, element in enumerate(item):
                if dataclasses.is_dataclass(element):
                    yield from _dates(element, f"{where}.{index}.")


def _date_issues(item: RecordItem, patient: Patient, today: date) -> list[FieldIssue]:
    issues = []
    for owner, path, day in _dates(item, ""):
        field = path.rsplit(".", 1)[-1]
        if day > today and (owner, field) not in _MAY_BE_FUTURE:
            issues.append(FieldIssue(path, f"is in the future ({day} is after today, {today})"))
        elif day < patient.birth_date:
            issues.append(FieldIssue(path, f"is before the patient's birth date ({patient.birth_date})"))
    return issues


def _code_issues(item: RecordItem, kb: KnowledgeBase) -> list[FieldIssue]:
    if isinstance(item, Vaccination):
        known = {int(vaccine.cvx) for vaccine in kb.of(Vaccine)}  # CDC writes "03"; people write "3"
        if known and int(item.cvx) not in known:
            return [FieldIssue("cvx", f"CVX {item.cvx} is not a vaccine code immunocare knows")]
    if isinstance(item, LabResult) and item.value is not None:
        for analyte in kb.of(Analyte):
            if item.loinc in analyte.loinc and UNITS[analyte.unit].dimension != item.value.dimension:
                return [FieldIssue("value.unit", f"{analyte.title} is not measured in {item.value.unit}")]
    return []


def check_item(ctx: ServiceContext, patient: Patient, item: RecordItem) -> None:
    """Refuse an item dated in the future or before birth, or carrying a code immunocare does not know."""
    issues = _date_issues(item, patient, ctx.today()) + _code_issues(item, ctx.kb)
    if issues:
        raise ValidationError(issues)


def check_patient(ctx: ServiceContext, patient: Patient) -> None:
    """Refuse a birth date in the future."""
    if patient.birth_date > ctx.today():
        raise ValidationError.single("birth_date", f"is in the future ({patient.birth_date})")

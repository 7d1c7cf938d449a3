"""Small builders for clinical scenarios: a plain infection, a lab result, a record around them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import count
from typing import Any

from immunocare.domain import (
    AntibioticCourse,
    CourseEffect,
    InfectionEpisode,
    InfectionSite,
    LabResult,
    PatientRecord,
    Quantity,
    Route,
    Severity,
    Sex,
)
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.analytes import Analyte
from tests.factories import make_patient

_ids = count(1)


def episode(onset: date, site: InfectionSite = InfectionSite.EAR, **overrides: Any) -> InfectionEpisode:
    """An uncomplicated infection episode with an id, no antibiotics unless given."""
    fields: dict[str, Any] = {"onset": onset, "site": site, "severity": Severity.MODERATE, "id": next(_ids)}
    return InfectionEpisode(**(fields | overrides))


def course(
    start: date, stop: date | None, effect: CourseEffect = CourseEffect.NONE, route: Route = Route.ORAL
) -> AntibioticCourse:
    """An antibiotic course."""
    return AntibioticCourse(drug="amoxicillin", start=start, stop=stop, effect=effect, route=route)


def lab(
    kb: KnowledgeBase, analyte: str, value: float, day: date, unit: str | None = None, **overrides: Any
) -> LabResult:
    """A result of a knowledge-base analyte (its first LOINC code and unit) at 09:00 UTC."""
    item = kb.get(analyte)
    assert isinstance(item, Analyte) and item.loinc, analyte
    fields: dict[str, Any] = {
        "loinc": item.loinc[0],
        "analyte": item.title,
        "value": Quantity(value, unit or item.unit),
        "collected_at": datetime(day.year, day.month, day.day, 9, tzinfo=UTC),
        "id": next(_ids),
    }
    return LabResult(**(fields | overrides))


def record(birth: date, sex: Sex = Sex.MALE, **items: Any) -> PatientRecord:
    """A record of a patient born on ``birth`` holding the items given by kind."""
    return PatientRecord(patient=make_patient(birth_date=birth, sex=sex, id=1), **items)

"""Observations: laboratory results (LOINC + UCUM) and growth measurements (vital signs).

Only final, amended or corrected results are read. A body weight, body height or head
circumference (the LOINC codes of FHIR's vital-signs profiles) becomes a growth measurement;
other vital signs are passed over. Any other LOINC-coded observation of the laboratory category
(or of no category) becomes a lab result: its quantity with its UCUM unit (a comparator such as
``<`` kept), or its text; the laboratory's reference range when it has a known unit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fhir.resources.R4B.observation import Observation, ObservationReferenceRange

from immunocare.domain import Comparator, GrowthKind, GrowthMeasurement, LabResult, ReferenceInterval
from immunocare.domain.codes import loinc_problem
from immunocare.errors import ValidationError

from ._codes import LOINC, concept_text, day_of, instant_of, loinc_codes, quantity_of
from ._read import referenced_id
from ._report import Skipped, Sourced, label

__all__ = ["ObservationsRead", "read_observations", "unused_observation"]

GROWTH = {
    "29463-7": GrowthKind.WEIGHT,
    "8302-2": GrowthKind.HEIGHT,
    "9843-4": GrowthKind.HEAD_CIRCUMFERENCE,
    "8287-5": GrowthKind.HEAD_CIRCUMFERENCE,
}
"""Body weight, body height and head circumference (FHIR R4 vital-signs profiles; US vitals IG)."""

_FINAL = frozenset({"final", "amended", "corrected"})
_LABORATORY = "laboratory"
_VITAL_SIGNS = "vital-signs"


@dataclass(frozen=True, slots=True)
class ObservationsRead:
    """What the Observations gave."""

    labs: tuple[Sourced[LabResult], ...]
    growth: tuple[Sourced[GrowthMeasurement], ...]
    skipped: tuple[Skipped, ...]


def _unused(status: object, categories: set[str], loinc: list[str]) -> str | None:
    """Why an observation is not read (its status, category or codes), or ``None``."""
    if status not in _FINAL:
        return f"status {status}"
    if any(code in GROWTH for code in loinc):
        return None
    if _VITAL_SIGNS in categories:
        return "a vital sign immunocare does not use"
    if categories and _LABORATORY not in categories:
        return "not a laboratory observation"
    return None if loinc else "no LOINC code"


def _objects(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def unused_observation(raw: dict[str, Any]) -> str | None:
    """Why an Observation (as JSON) will not be read, told before validating it, or ``None``."""
    categories = {
        c["code"]
        for concept in _objects(raw.get("category"))
        for c in _objects(concept.get("coding"))
        if isinstance(c.get("code"), str)
    }
    code = raw.get("code")
    codings = _objects(code.get("coding")) if isinstance(code, dict) else []
    loinc = [
        c["code"]
        for c in codings
        if c.get("system") == LOINC and isinstance(c.get("code"), str) and loinc_problem(c["code"]) is None
    ]
    return _unused(raw.get("status"), categories, loinc)


def _collected(observation: Observation, zone: ZoneInfo) -> datetime | None:
    period_start = observation.effectivePeriod.start if observation.effectivePeriod else None
    return (
        instant_of(observation.effectiveDateTime, zone)
        or instant_of(period_start, zone)
        or instant_of(observation.effectiveInstant, zone)
        or instant_of(observation.issued, zone)
    )


def _interval(ranges: list[ObservationReferenceRange] | None) -> ReferenceInterval | None:
    first = ranges[0] if ranges else None
    low, high = (first.low, first.high) if first else (None, None)
    known = low or high
    if first is None or known is None:
        return None
    try:
        unit = quantity_of(known.value, known.unit, known.code, field="referenceRange").unit
        bounds = [
            quantity_of(q.value, q.unit, q.code, field="referenceRange").value_in(unit) if q else None
            for q in (low, high)
        ]
        return ReferenceInterval(unit=unit, low=bounds[0], high=bounds[1], text=first.text)
    except ValidationError:
        return None


def _comparator(code: str | None) -> Comparator | None:
    if code is None:
        return None
    try:
        return Comparator(code)
    except ValueError:
        raise ValidationError.single("valueQuantity.comparator", f"{code!r} is not read") from None


def _lab(observation: Observation, loinc: str, zone: ZoneInfo, ids: Iterator[int]) -> LabResult | Skipped:
    collected = _collected(observation, zone)
    if collected is None:
        return Skipped(label(observation), "no full collection date")
    quantity = observation.valueQuantity
    try:
        return LabResult(
            loinc=loinc,
            analyte=concept_text(observation.code) or loinc,
            collected_at=collected,
            value=quantity_of(quantity.value, quantity.unit, quantity.code, field="valueQuantity")
            if quantity
            else None,
            comparator=_comparator(quantity.comparator if quantity else None),
            value_text=observation.valueString or concept_text(observation.valueCodeableConcept),
            reference_interval=_interval(observation.referenceRange),
            specimen=referenced_id(observation.specimen, "Specimen"),
            laboratory=next((p.display for p in observation.performer or [] if p.display), None),
            id=next(ids),
        )
    except ValidationError as error:
        return Skipped(label(observation), f"result not readable: {error}")


def _growth(
    observation: Observation, kind: GrowthKind, zone: ZoneInfo, ids: Iterator[int]
) -> GrowthMeasurement | Skipped:
    quantity = observation.valueQuantity
    day = day_of(observation.effectiveDateTime, zone) or day_of(
        observation.effectivePeriod.start if observation.effectivePeriod else None, zone
    )
    if quantity is None or day is None:
        return Skipped(label(observation), "growth measurement without a value or a full date")
    try:
        value = quantity_of(quantity.value, quantity.unit, quantity.code, field="valueQuantity")
        return GrowthMeasurement(kind=kind, measured_on=day, value=value, id=next(ids))
    except ValidationError as error:
        return Skipped(label(observation), f"growth measurement not readable: {error}")


def _one(
    observation: Observation, zone: ZoneInfo, ids: Iterator[int]
) -> LabResult | GrowthMeasurement | Skipped:
    codes = loinc_codes(observation.code)
    categories = {c.code for concept in observation.category or [] for c in concept.coding or [] if c.code}
    reason = _unused(observation.status, categories, codes)
    if reason is not None:
        return Skipped(label(observation), reason)
    growth = next((GROWTH[code] for code in codes if code in GROWTH), None)
    return _growth(observation, growth, zone, ids) if growth else _lab(observation, codes[0], zone, ids)


def read_observations(
    observations: Iterable[Observation], zone: ZoneInfo, ids: Iterator[int]
) -> ObservationsRead:
    """Sort each Observation into a lab result or a growth measurement (ids from ``ids``), or skip it."""
    labs: list[Sourced[LabResult]] = []
    growth: list[Sourced[GrowthMeasurement]] = []
    skipped: list[Skipped] = []
    for observation in observations:
        result = _one(observation, zone, ids)
        if isinstance(result, LabResult):
            labs.append(Sourced(result, label(observation)))
        elif isinstance(result, GrowthMeasurement):
            growth.append(Sourced(result, label(observation)))
        else:
            skipped.append(result)
    return ObservationsRead(tuple(labs), tuple(growth), tuple(skipped))

"""MedicationRequests: antibiotic courses (by the knowledge base's antimicrobials) and medications.

A request the patient was not given (entered in error, cancelled, draft) or that is only a
proposal or plan is passed over. The drug is its ``medicationCodeableConcept`` (or a contained
Medication's code); its ATC or RxNorm coding is kept. The course runs from the dosage's bounds
(else ``authoredOn``) to the bounds' end, else the start plus the bounds' or the expected supply's
duration; a completed or stopped request without an end is read as ending on its start day, an
active one as ongoing. The route comes from SNOMED CT route codes (FHIR's route-codes value set)
or the route's text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.dosage import Dosage
from fhir.resources.R4B.duration import Duration
from fhir.resources.R4B.medication import Medication as FhirMedication
from fhir.resources.R4B.medicationrequest import MedicationRequest

from immunocare.domain import CodeSystem, Medication, Quantity, Route
from immunocare.errors import ValidationError
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.coded_conditions import is_antimicrobial

from ._codes import Coded, codings, concept_text, day_of, quantity_of
from ._read import referenced_id
from ._report import Skipped, Sourced, label

__all__ = ["CourseDraft", "MedicationsRead", "read_medication_requests"]

ROUTES = {
    "26643006": Route.ORAL,
    "47625008": Route.INTRAVENOUS,
    "78421000": Route.INTRAMUSCULAR,
    "34206005": Route.SUBCUTANEOUS,
}
"""SNOMED CT route codes (FHIR's route-codes value set) immunocare tells apart."""

_NOT_GIVEN = frozenset({"entered-in-error", "cancelled", "draft"})
_NOT_ORDERS = frozenset({"proposal", "plan", "option"})
_ENDED = frozenset({"completed", "stopped"})
_TIMING_UNITS = {"min": "min", "h": "h", "d": "d", "wk": "wk", "mo": "mo", "a": "a"}


@dataclass(frozen=True, slots=True)
class CourseDraft:
    """An antibiotic request, before it is joined to the infection it treated.

    ``medication`` is what the request stays when it treated no infection of the record.
    """

    source: str
    encounter_id: str | None
    reason_ids: tuple[str, ...]
    medication: Medication


@dataclass(frozen=True, slots=True)
class MedicationsRead:
    """What the MedicationRequests gave."""

    courses: tuple[CourseDraft, ...]
    medications: tuple[Sourced[Medication], ...]
    skipped: tuple[Skipped, ...]


def _drug(request: MedicationRequest) -> CodeableConcept | None:
    if request.medicationCodeableConcept is not None:
        return request.medicationCodeableConcept
    reference = request.medicationReference.reference if request.medicationReference else None
    for contained in request.contained or []:
        if isinstance(contained, FhirMedication) and reference == f"#{contained.id}":
            return contained.code
    return None


def _days(duration: Duration | None) -> int | None:
    if duration is None or duration.value is None:
        return None
    try:
        length = quantity_of(duration.value, duration.unit, duration.code, field="duration").value_in("d")
    except ValidationError:
        return None
    return max(int(length), 1)


def _stop(request: MedicationRequest, dosage: Dosage | None, start: date, zone: ZoneInfo) -> date | None:
    repeat = dosage.timing.repeat if dosage and dosage.timing else None
    end = day_of(repeat.boundsPeriod.end, zone) if repeat and repeat.boundsPeriod else None
    supply = request.dispenseRequest.expectedSupplyDuration if request.dispenseRequest else None
    days = _days(repeat.boundsDuration if repeat else None) or _days(supply)
    if end is None and days is not None:
        end = start + timedelta(days=days - 1)
    if end is None and request.status in _ENDED:
        end = start
    return end if end is None or end >= start else start


def _route(dosage: Dosage | None) -> Route:
    concept = dosage.route if dosage else None
    coded = concept.coding or [] if concept else []
    found = next((ROUTES[c.code] for c in coded if c.code in ROUTES), None)
    text = (concept_text(concept) or "").lower()
    if found is None and ("intravenous" in text or text == "iv"):
        found = Route.INTRAVENOUS
    return found or Route.OTHER


def _dose(dosage: Dosage | None) -> tuple[Quantity | None, Quantity | None]:
    amount = dosage.doseAndRate[0].doseQuantity if dosage and dosage.doseAndRate else None
    repeat = dosage.timing.repeat if dosage and dosage.timing else None
    try:
        dose = quantity_of(amount.value, amount.unit, amount.code, field="dose") if amount else None
    except ValidationError:
        dose = None
    unit = _TIMING_UNITS.get(repeat.periodUnit or "") if repeat else None
    interval = None
    if repeat is not None and unit is not None and repeat.period:
        interval = Quantity(float(repeat.period) / (repeat.frequency or 1), unit)
    return dose, interval


def _medication(request: MedicationRequest, zone: ZoneInfo, ids: Iterator[int]) -> Medication | Skipped:
    concept = _drug(request)
    coded: Coded | None = next(
        (c for c in codings(concept) if c.system in (CodeSystem.ATC, CodeSystem.RXNORM)), None
    )
    name = concept_text(concept) or (
        request.medicationReference.display if request.medicationReference else None
    )
    if not name:
        return Skipped(label(request), "no drug name")
    dosage = request.dosageInstruction[0] if request.dosageInstruction else None
    repeat = dosage.timing.repeat if dosage and dosage.timing else None
    start = day_of(repeat.boundsPeriod.start, zone) if repeat and repeat.boundsPeriod else None
    start = start or day_of(request.authoredOn, zone)
    if start is None:
        return Skipped(label(request), "no full start or authored date")
    dose, interval = _dose(dosage)
    medication = partial(
        Medication,
        name=name,
        start=start,
        code=coded.code if coded else None,
        code_system=coded.system if coded else None,
        stop=_stop(request, dosage, start, zone),
        route=_route(dosage),
        id=next(ids),
    )
    try:
        return medication(dose=dose, dose_interval=interval)
    except ValidationError:
        return medication()


def _antimicrobial(kb: KnowledgeBase, medication: Medication) -> bool:
    return (
        is_antimicrobial(kb, system=medication.code_system, code=medication.code, text=medication.name)
        is not None
    )


def read_medication_requests(
    requests: Iterable[MedicationRequest], kb: KnowledgeBase, zone: ZoneInfo, ids: Iterator[int]
) -> MedicationsRead:
    """Sort each request into an antibiotic course, a medication (its id from ``ids``), or a skipped one."""
    courses: list[CourseDraft] = []
    medications: list[Sourced[Medication]] = []
    skipped: list[Skipped] = []
    for request in requests:
        if request.status in _NOT_GIVEN or request.intent in _NOT_ORDERS:
            skipped.append(Skipped(label(request), f"not given ({request.status}, {request.intent})"))
            continue
        result = _medication(request, zone, ids)
        if isinstance(result, Skipped):
            skipped.append(result)
        elif _antimicrobial(kb, result):
            reasons = tuple(
                found for ref in request.reasonReference or [] if (found := referenced_id(ref, "Condition"))
            )
            encounter = referenced_id(request.encounter, "Encounter")
            courses.append(CourseDraft(label(request), encounter, reasons, result))
        else:
            medications.append(Sourced(result, label(request)))
    return MedicationsRead(tuple(courses), tuple(medications), tuple(skipped))

"""FHIR R4 resources to one :class:`~immunocare.domain.PatientRecord`, joining what belongs together.

- The Patient gives the demographics (a full birth date is required: every rule depends on age).
- Infections recorded twice (same kind of infection, same onset: a diagnosis repeated at a
  follow-up visit) are one episode.
- An infection was **hospitalised** when an inpatient Encounter (class IMP, ACUTE or NONAC) is
  the Condition's encounter, names the Condition as its reason or diagnosis, or overlaps the
  infection's days (onset to abatement, or the onset day alone).
- An antibiotic request is a **course of the infection** it names as its reason, else of the
  infection diagnosed in the same encounter, else of the infection whose days it overlaps (the
  latest such); a course never starts before its infection. An intravenous course means the
  infection needed IV antibiotics. A request that treated no infection of the record stays a
  medication.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import count
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient as FhirPatient

from immunocare.domain import (
    AntibioticCourse,
    InfectionEpisode,
    ItemKind,
    Medication,
    Patient,
    PatientRecord,
    RecordItem,
    Route,
    Severity,
    Sex,
)
from immunocare.errors import ValidationError
from immunocare.knowledge import KnowledgeBase

from ._codes import day_of
from ._conditions import InfectionDraft, read_conditions
from ._medications import CourseDraft, read_medication_requests
from ._observations import read_observations
from ._read import referenced_id
from ._report import FhirRecord, Skipped, Sourced, label

__all__ = ["record_from_fhir", "unused_encounter"]

ItemT = TypeVar("ItemT", bound=RecordItem)

INPATIENT = frozenset({"IMP", "ACUTE", "NONAC"})
"""Encounter classes (HL7 v3 ActCode) of an inpatient stay."""

_NOT_HELD = frozenset({"planned", "cancelled", "entered-in-error"})
_NOT_SENT = "(not sent)"


@dataclass(frozen=True, slots=True)
class _Stay:
    encounter_id: str | None
    start: date
    end: date
    conditions: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Infection:
    """One infection, from the Conditions that record it (the first gives its kind and onset)."""

    drafts: tuple[InfectionDraft, ...]
    onset: date
    last_day: date
    conditions: frozenset[str]
    encounters: frozenset[str]

    @classmethod
    def of(cls, drafts: Sequence[InfectionDraft]) -> _Infection:
        return cls(
            drafts=tuple(drafts),
            onset=drafts[0].onset,
            last_day=max((d.end or d.onset) for d in drafts),
            conditions=frozenset(d.condition_id for d in drafts if d.condition_id),
            encounters=frozenset(d.encounter_id for d in drafts if d.encounter_id),
        )

    @property
    def first(self) -> InfectionDraft:
        return self.drafts[0]

    def overlaps(self, start: date, end: date) -> bool:
        return self.onset <= end and self.last_day >= start


def _patient(resource: FhirPatient) -> Patient:
    birth = resource.birthDate
    if not isinstance(birth, date):
        raise ValidationError.single(
            "birthDate", "a full birth date (YYYY-MM-DD) is needed: every rule depends on age"
        )
    names = sorted(resource.name or [], key=lambda n: n.use != "official")
    name = names[0] if names else None
    identifier = next((i.value for i in resource.identifier or [] if i.value and i.value.strip()), None)
    given = " ".join(g.strip() for g in (name.given or [] if name else []) if g and g.strip())
    return Patient(
        mrn=identifier or f"FHIR Patient/{resource.id or _NOT_SENT}",
        family_name=(name.family if name and name.family and name.family.strip() else None) or _NOT_SENT,
        given_names=given or _NOT_SENT,
        birth_date=birth,
        sex=Sex(resource.gender) if resource.gender in set(Sex) else Sex.UNKNOWN,
        id=None,
    )


def unused_encounter(raw: dict[str, Any]) -> str | None:
    """Why an Encounter (as JSON) will not be read, told before validating it: not a stay, or ``None``."""
    klass = raw.get("class")
    return None if isinstance(klass, dict) and klass.get("code") in INPATIENT else "not an inpatient stay"


def _stays(encounters: Iterable[Encounter], zone: ZoneInfo) -> tuple[list[_Stay], list[Skipped]]:
    stays: list[_Stay] = []
    skipped: list[Skipped] = []
    for encounter in encounters:
        if encounter.status in _NOT_HELD:
            skipped.append(Skipped(label(encounter), f"encounter {encounter.status}"))
            continue
        if encounter.class_fhir is None or encounter.class_fhir.code not in INPATIENT:
            continue
        period = encounter.period
        start = day_of(period.start, zone) if period else None
        if start is None:
            skipped.append(Skipped(label(encounter), "inpatient stay without a full start date"))
            continue
        end = day_of(period.end, zone) if period else None
        open_end = date.max if encounter.status == "in-progress" else start
        named = [r.condition for r in encounter.diagnosis or []] + list(encounter.reasonReference or [])
        conditions = frozenset(c for ref in named if (c := referenced_id(ref, "Condition")))
        stays.append(_Stay(encounter.id, start, max(end or open_end, start), conditions))
    return stays, skipped


def _grouped(drafts: Sequence[InfectionDraft]) -> list[_Infection]:
    groups: dict[tuple[object, ...], list[InfectionDraft]] = {}
    for draft in drafts:
        codes = draft.codes
        key = (codes.site, codes.pathogen_class, codes.abscess, draft.onset)
        groups.setdefault(key, []).append(draft)
    return [_Infection.of(group) for group in groups.values()]


def _hospitalised(infection: _Infection, stays: list[_Stay]) -> bool:
    return any(
        stay.encounter_id in infection.encounters
        or not infection.conditions.isdisjoint(stay.conditions)
        or infection.overlaps(stay.start, stay.end)
        for stay in stays
    )


def _treated(course: CourseDraft, infections: list[_Infection]) -> int | None:
    start = course.medication.start
    stop = course.medication.stop or start
    reasons = frozenset(course.reason_ids)
    rules: list[Callable[[_Infection], bool]] = [
        lambda i: not i.conditions.isdisjoint(reasons),
        lambda i: course.encounter_id in i.encounters,
        lambda i: i.overlaps(start, stop),
    ]
    started = [(n, i) for n, i in enumerate(infections) if i.onset <= start]
    for rule in rules:
        found = [n for n, i in started if rule(i)]
        if found:
            return max(found, key=lambda n: infections[n].onset)
    return None


def _episode(
    infection: _Infection, courses: list[CourseDraft], stays: list[_Stay], number: int
) -> Sourced[InfectionEpisode]:
    first = infection.first
    given = tuple(
        AntibioticCourse(
            drug=c.medication.name, start=c.medication.start, stop=c.medication.stop, route=c.medication.route
        )
        for c in sorted(courses, key=lambda c: c.medication.start)
    )
    ends = [d.end for d in infection.drafts if d.end is not None]
    episode = InfectionEpisode(
        onset=first.onset,
        site=first.codes.site,
        end=max(ends) if ends else None,
        abscess=first.codes.abscess,
        pathogen_class=first.codes.pathogen_class,
        severity=max((d.severity for d in infection.drafts), key=list(Severity).index),
        hospitalised=_hospitalised(infection, stays),
        iv_antibiotics=any(c.route is Route.INTRAVENOUS for c in given),
        antibiotic_courses=given,
        id=number,
    )
    return Sourced(episode, ", ".join([*(d.source for d in infection.drafts), *(c.source for c in courses)]))


def _assign(
    drafts: Iterable[CourseDraft], infections: list[_Infection]
) -> tuple[dict[int, list[CourseDraft]], list[Sourced[Medication]]]:
    """The courses of each infection (by index), and the requests that treated none."""
    courses: dict[int, list[CourseDraft]] = {}
    untreated: list[Sourced[Medication]] = []
    for course in drafts:
        index = _treated(course, infections)
        if index is None:
            untreated.append(Sourced(course.medication, course.source))
        else:
            courses.setdefault(index, []).append(course)
    return courses, untreated


def _registered(
    kind: ItemKind, sourced: Iterable[Sourced[ItemT]], sources: dict[tuple[ItemKind, int], str]
) -> tuple[ItemT, ...]:
    """The items, each source noted in ``sources`` by the item's kind and id."""
    items = tuple(one.item for one in sourced)
    sources.update(((kind, one.item.id), one.source) for one in sourced if one.item.id is not None)
    return items


def record_from_fhir(
    patient: FhirPatient,
    *,
    conditions: Sequence[Condition] = (),
    encounters: Sequence[Encounter] = (),
    medication_requests: Sequence[MedicationRequest] = (),
    observations: Sequence[Observation] = (),
    passed_over: Sequence[Skipped] = (),
    kb: KnowledgeBase,
    zone: ZoneInfo,
) -> FhirRecord:
    """The patient record these resources describe, and what was read and passed over.

    ``passed_over`` are the resources a search left unread (:attr:`Search.passed_over`); they are
    counted with the rest. Pure: no I/O, no clock. Dates without a time zone are read in ``zone``
    (the center's).

    Raises:
        ValidationError: the Patient has no full birth date.
    """
    ids = count(1)
    read_c = read_conditions(conditions, kb, zone, ids)
    stays, skipped_stays = _stays(encounters, zone)
    meds = read_medication_requests(medication_requests, kb, zone, ids)
    obs = read_observations(observations, zone, ids)
    infections = _grouped(read_c.infections)
    courses, untreated = _assign(meds.courses, infections)
    episodes = [_episode(i, courses.get(n, []), stays, next(ids)) for n, i in enumerate(infections)]
    sources: dict[tuple[ItemKind, int], str] = {}
    record = PatientRecord(
        patient=_patient(patient),
        growth=_registered(ItemKind.GROWTH, obs.growth, sources),
        infections=_registered(ItemKind.INFECTIONS, episodes, sources),
        labs=_registered(ItemKind.LABS, obs.labs, sources),
        medications=_registered(ItemKind.MEDICATIONS, (*meds.medications, *untreated), sources),
        diagnoses=_registered(ItemKind.DIAGNOSES, read_c.diagnoses, sources),
        phenotypes=_registered(ItemKind.PHENOTYPES, read_c.phenotypes, sources),
    )
    counts = Counter({"Patient": 1, "Condition": 0, "Encounter": 0, "MedicationRequest": 0, "Observation": 0})
    counts.update(
        r.get_resource_type() for r in (*conditions, *encounters, *medication_requests, *observations)
    )
    counts.update(unread.kind for unread in passed_over)
    skipped = (*passed_over, *read_c.skipped, *skipped_stays, *meds.skipped, *obs.skipped)
    return FhirRecord(record, patient.id, dict(counts), skipped, sources)

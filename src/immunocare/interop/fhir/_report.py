"""What a mapping read and what it passed over, and why."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from fhir.resources.R4B.domainresource import DomainResource

from immunocare.domain import Evidence, ItemKind, PatientRecord, RecordItem

__all__ = ["FhirRecord", "Skipped", "Sourced", "label"]

T = TypeVar("T")


def label(resource: DomainResource) -> str:
    """``Condition/abc``, or ``Condition (no id)``, for reports."""
    kind = resource.get_resource_type()
    return f"{kind}/{resource.id}" if resource.id else f"{kind} (no id)"


@dataclass(frozen=True, slots=True)
class Skipped:
    """A resource (or part of one) the mapping did not use, and why."""

    resource: str
    reason: str

    @property
    def kind(self) -> str:
        """The resource type (``Condition`` for ``Condition/abc``)."""
        return self.resource.split("/")[0].split(" (")[0]


@dataclass(frozen=True, slots=True)
class Sourced(Generic[T]):
    """A record item and the resource it was read from."""

    item: T
    source: str


@dataclass(frozen=True, slots=True)
class FhirRecord:
    """The record built from FHIR resources, with an account of what was read and passed over.

    Attributes:
        record: the patient record the clinical core reads.
        patient_id: the FHIR id of the Patient resource, when it has one.
        read: how many resources of each type were read.
        skipped: the resources not used, each with the reason (an unknown code, a missing date…).
        sources: the resource(s) each record item was read from, by kind and item id (the mapping
            numbers the items, so that evidence can name them).
    """

    record: PatientRecord
    patient_id: str | None
    read: Mapping[str, int]
    skipped: tuple[Skipped, ...] = ()
    sources: Mapping[tuple[ItemKind, int], str] = field(default_factory=dict)

    def item(self, evidence: Evidence) -> tuple[RecordItem, str] | None:
        """The record item a piece of evidence names, with the resource it came from."""
        if evidence.kind is None or evidence.item_id is None:
            return None
        source = self.sources.get((evidence.kind, evidence.item_id))
        found = next((i for i in self.record.items(evidence.kind) if i.id == evidence.item_id), None)
        return (found, source) if found is not None and source is not None else None

    def summary(self) -> str:
        """One line: what was read, and how many resources were not used, by reason.

        >>> from datetime import date
        >>> from immunocare.domain import Patient, Sex
        >>> patient = Patient(mrn="1", family_name="Doe", given_names="Jo", birth_date=date(2020, 1, 1),
        ...                   sex=Sex.FEMALE)
        >>> FhirRecord(PatientRecord(patient=patient), "1", {"Condition": 3},
        ...            (Skipped("Condition/9", "no code immunocare reads"),)).summary()
        'read 3 Condition; not used: 1 (no code immunocare reads: 1)'
        """
        read = ", ".join(f"{count} {kind}" for kind, count in self.read.items() if count) or "nothing"
        if not self.skipped:
            return f"read {read}; every resource used"
        reasons = Counter(s.reason for s in self.skipped)
        why = "; ".join(f"{reason}: {count}" for reason, count in reasons.most_common())
        return f"read {read}; not used: {len(self.skipped)} ({why})"

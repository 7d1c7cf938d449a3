"""The whole patient record and the kinds of item it holds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TypeAlias

from ._diagnosis import CareTeamMember, Diagnosis, FamilyHistoryEntry, GeneticFinding, Phenotype
from ._imaging import ImagingStudy
from ._infection import InfectionEpisode
from ._labs import LabResult
from ._patient import GrowthMeasurement, Patient
from ._treatment import ImmunoglobulinInfusion, Medication, Vaccination

__all__ = [
    "ITEM_TYPES",
    "ItemKind",
    "PatientRecord",
    "RecordItem",
    "TimelineEntry",
    "item_date",
    "summarize",
    "timeline",
]

RecordItem: TypeAlias = (
    GrowthMeasurement
    | InfectionEpisode
    | LabResult
    | Vaccination
    | Medication
    | ImmunoglobulinInfusion
    | Diagnosis
    | Phenotype
    | FamilyHistoryEntry
    | GeneticFinding
    | ImagingStudy
    | CareTeamMember
)


class ItemKind(StrEnum):
    """The kinds of item a record holds; each value is the record's attribute and the API path."""

    GROWTH = "growth"
    INFECTIONS = "infections"
    LABS = "labs"
    VACCINATIONS = "vaccinations"
    MEDICATIONS = "medications"
    INFUSIONS = "infusions"
    DIAGNOSES = "diagnoses"
    PHENOTYPES = "phenotypes"
    FAMILY_HISTORY = "family_history"
    GENETIC_FINDINGS = "genetic_findings"
    IMAGING = "imaging"
    CARE_TEAM = "care_team"

    @property
    def label(self) -> str:
        """The kind in words, for headings."""
        return _KIND_LABELS[self]

    @property
    def item_label(self) -> str:
        """One item of the kind in words, for buttons ("Add an infection")."""
        return _ITEM_LABELS[self]


_KIND_LABELS = {
    ItemKind.GROWTH: "Growth",
    ItemKind.INFECTIONS: "Infections",
    ItemKind.LABS: "Laboratory results",
    ItemKind.VACCINATIONS: "Vaccinations",
    ItemKind.MEDICATIONS: "Medications",
    ItemKind.INFUSIONS: "Immunoglobulin infusions",
    ItemKind.DIAGNOSES: "Diagnoses",
    ItemKind.PHENOTYPES: "Phenotypes (HPO)",
    ItemKind.FAMILY_HISTORY: "Family history",
    ItemKind.GENETIC_FINDINGS: "Genetic findings",
    ItemKind.IMAGING: "Imaging",
    ItemKind.CARE_TEAM: "Care team",
}
_ITEM_LABELS = {
    ItemKind.GROWTH: "measurement",
    ItemKind.INFECTIONS: "infection",
    ItemKind.LABS: "lab result",
    ItemKind.VACCINATIONS: "vaccination",
    ItemKind.MEDICATIONS: "medication",
    ItemKind.INFUSIONS: "infusion",
    ItemKind.DIAGNOSES: "diagnosis",
    ItemKind.PHENOTYPES: "phenotype",
    ItemKind.FAMILY_HISTORY: "family history entry",
    ItemKind.GENETIC_FINDINGS: "genetic finding",
    ItemKind.IMAGING: "imaging study",
    ItemKind.CARE_TEAM: "care-team member",
}

ITEM_TYPES: dict[ItemKind, type[RecordItem]] = {
    ItemKind.GROWTH: GrowthMeasurement,
    ItemKind.INFECTIONS: InfectionEpisode,
    ItemKind.LABS: LabResult,
    ItemKind.VACCINATIONS: Vaccination,
    ItemKind.MEDICATIONS: Medication,
    ItemKind.INFUSIONS: ImmunoglobulinInfusion,
    ItemKind.DIAGNOSES: Diagnosis,
    ItemKind.PHENOTYPES: Phenotype,
    ItemKind.FAMILY_HISTORY: FamilyHistoryEntry,
    ItemKind.GENETIC_FINDINGS: GeneticFinding,
    ItemKind.IMAGING: ImagingStudy,
    ItemKind.CARE_TEAM: CareTeamMember,
}
"""The record-shape class of each kind of item."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientRecord:
    """A patient and everything recorded about them; the input of every clinical function."""

    patient: Patient
    growth: tuple[GrowthMeasurement, ...] = ()
    infections: tuple[InfectionEpisode, ...] = ()
    labs: tuple[LabResult, ...] = ()
    vaccinations: tuple[Vaccination, ...] = ()
    medications: tuple[Medication, ...] = ()
    infusions: tuple[ImmunoglobulinInfusion, ...] = ()
    diagnoses: tuple[Diagnosis, ...] = ()
    phenotypes: tuple[Phenotype, ...] = ()
    family_history: tuple[FamilyHistoryEntry, ...] = ()
    genetic_findings: tuple[GeneticFinding, ...] = ()
    imaging: tuple[ImagingStudy, ...] = ()
    care_team: tuple[CareTeamMember, ...] = ()

    def items(self, kind: ItemKind) -> tuple[RecordItem, ...]:
        """The items of one kind."""
        items: tuple[RecordItem, ...] = getattr(self, kind.value)
        return items


_DATES: dict[type, Callable[..., date | None]] = {
    GrowthMeasurement: lambda i: i.measured_on,
    InfectionEpisode: lambda i: i.onset,
    LabResult: lambda i: i.collected_at.date(),
    Vaccination: lambda i: i.given_on,
    Medication: lambda i: i.start,
    ImmunoglobulinInfusion: lambda i: i.given_on,
    Diagnosis: lambda i: i.diagnosed_on,
    Phenotype: lambda i: i.onset,
    FamilyHistoryEntry: lambda i: None,
    GeneticFinding: lambda i: i.reported_on,
    ImagingStudy: lambda i: i.performed_on,
    CareTeamMember: lambda i: i.since,
}


def item_date(item: RecordItem) -> date | None:
    """The day an item belongs to on a timeline, if it has one."""
    return _DATES[type(item)](item)


def _infection(i: InfectionEpisode) -> str:
    extra = [i.severity.value.replace("_", "-")]
    if i.hospitalised:
        extra.append("hospitalised")
    if i.iv_antibiotics:
        extra.append("IV antibiotics")
    return f"{i.label} ({', '.join(extra)})"


def _infusion(i: ImmunoglobulinInfusion) -> str:
    text = f"{i.product} {i.dose} {i.route.value.upper()} at {i.setting.value}"
    return text + (f" — {len(i.adverse_events)} adverse event(s)" if i.adverse_events else "")


def _imaging(i: ImagingStudy) -> str:
    found = ", ".join(finding.label for finding in i.findings) or "no structured findings"
    return f"{i.modality.label} {i.body_site.value}: {found}"


_SUMMARIES: dict[type, Callable[..., str]] = {
    GrowthMeasurement: lambda i: f"{i.kind.value.replace('_', ' ').capitalize()} {i.value}",
    InfectionEpisode: _infection,
    LabResult: lambda i: f"{i.analyte} {i.display_value}",
    Vaccination: lambda i: (
        f"{i.vaccine} (CVX {i.cvx})" + (f", dose {i.dose_number}" if i.dose_number else "")
    ),
    Medication: lambda i: (
        i.name + (f" {i.dose}" if i.dose else "") + (" (prophylaxis)" if i.prophylaxis else "")
    ),
    ImmunoglobulinInfusion: _infusion,
    Diagnosis: lambda i: f"{i.display} ({i.system.value} {i.code}, {i.status.value})",
    Phenotype: lambda i: ("Excluded: " if i.excluded else "") + f"{i.label} ({i.hpo_id})",
    FamilyHistoryEntry: lambda i: f"{i.relation.label}: {i.condition}",
    GeneticFinding: lambda i: (
        f"{i.gene} {i.hgvs} ({i.zygosity.value}, {i.acmg_class.value.replace('_', ' ')})"
    ),
    ImagingStudy: _imaging,
    CareTeamMember: lambda i: f"{i.name} ({i.role.value.replace('_', ' ')})",
}


def summarize(item: RecordItem) -> str:
    """A one-line description of any record item, for timelines and evidence lists."""
    return _SUMMARIES[type(item)](item)


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One dated item on the chart's timeline."""

    day: date
    kind: ItemKind
    item: RecordItem
    summary: str


def timeline(record: PatientRecord, *, kinds: frozenset[ItemKind] | None = None) -> list[TimelineEntry]:
    """Every dated item of the record, newest first."""
    entries = []
    for kind in ItemKind:
        if kinds is not None and kind not in kinds:
            continue
        for item in record.items(kind):
            day = item_date(item)
            if day is not None:
                entries.append(TimelineEntry(day, kind, item, summarize(item)))
    entries.sort(key=lambda e: (e.day, e.kind.value), reverse=True)
    return entries

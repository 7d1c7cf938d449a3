"""The tables, one row class each; columns mirror the fields of the domain shapes.

A :class:`~immunocare.domain.Quantity` field ``dose`` is stored as ``dose_value`` + ``dose_unit``;
enums as their values (checked); dates as dates; instants with :class:`UTCDateTime`; small lists
of value objects (antibiotic courses, adverse events, infusion sites, a reference interval) as
JSON. Every record item has its own table with ``patient_id`` (deleted with the patient) and an
index on ``(patient_id, date)``; :data:`ITEM_ROWS` names the table of each :class:`ItemKind`.

The audit log keeps ``patient_id`` and ``user_id`` without foreign keys, so that it outlives the
records and users it names; the migration adds triggers that refuse UPDATE and DELETE on it.
These classes are the store's business: repositories hand out domain objects, never rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import ClassVar

from sqlalchemy import JSON, ForeignKey, Index, MetaData, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from immunocare._types import JSONDict
from immunocare.clinical.careplan import Decision
from immunocare.domain import (
    AcmgClass,
    BodySite,
    CareRole,
    CodeSystem,
    Comparator,
    DiagnosisStatus,
    GrowthKind,
    IgRoute,
    InfectionSite,
    InfusionSetting,
    ItemKind,
    Modality,
    PathogenClass,
    Relation,
    Route,
    Severity,
    Sex,
    Zygosity,
)

from ._models import Role
from ._schema import Base

__all__ = [
    "ITEM_ROWS",
    "METADATA",
    "ApiTokenRow",
    "AuditRow",
    "CarePlanDecisionRow",
    "CareTeamRow",
    "DiagnosisRow",
    "FamilyHistoryRow",
    "GeneticFindingRow",
    "GrowthRow",
    "ImagingRow",
    "InfectionRow",
    "InfusionRow",
    "ItemRow",
    "LabRow",
    "MedicationRow",
    "PatientRow",
    "PhenotypeRow",
    "UserRow",
    "VaccinationRow",
    "WebSessionRow",
]

_NULLABLE_JSON = JSON(none_as_null=True)


class PatientRow(Base):
    """``patients``: one row per person; the MRN is unique."""

    __tablename__ = "patients"
    __table_args__ = (Index("ix_patients_names", "family_name", "given_names"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mrn: Mapped[str] = mapped_column(unique=True)
    family_name: Mapped[str]
    given_names: Mapped[str]
    birth_date: Mapped[date]
    sex: Mapped[Sex]


class UserRow(Base):
    """``users``: people who log in; the username is unique."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(unique=True)
    display_name: Mapped[str]
    role: Mapped[Role]
    password_hash: Mapped[str]
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id", ondelete="SET NULL"), index=True)
    active: Mapped[bool]
    created_at: Mapped[datetime]


class ApiTokenRow(Base):
    """``api_tokens``: hashed API tokens, deleted with their user."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str]
    token_hash: Mapped[str] = mapped_column(unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class WebSessionRow(Base):
    """``web_sessions``: hashed browser-session tokens, deleted with their user."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(unique=True)
    csrf_token: Mapped[str]
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class AuditRow(Base):
    """``audit_log``: append-only; no foreign keys, so entries outlive what they name."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_patient_id_at", "patient_id", "at"),
        Index("ix_audit_log_user_id_at", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    user_id: Mapped[int | None]
    username: Mapped[str | None]
    role: Mapped[Role | None]
    action: Mapped[str]
    outcome: Mapped[str]
    patient_id: Mapped[int | None]
    item_kind: Mapped[ItemKind | None]
    item_id: Mapped[int | None]
    detail: Mapped[str | None] = mapped_column(Text)
    client: Mapped[str | None]


class CarePlanDecisionRow(Base):
    """``care_plan_decisions``: a clinician's decisions on care-plan items, a history never rewritten."""

    __tablename__ = "care_plan_decisions"
    __table_args__ = (Index("ix_care_plan_decisions_patient", "patient_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    item_id: Mapped[str]
    decision: Mapped[Decision]
    decided_at: Mapped[datetime]
    decided_by: Mapped[str]
    text: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class ItemRow(Base):
    """What every record-item table has: an id, its patient, and an index to list by date.

    ``sort_date`` names the column that orders the items on a timeline (``None``: entry order).
    """

    __abstract__ = True
    sort_date: ClassVar[str | None]

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-2)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), sort_order=-1)

    @declared_attr.directive
    @classmethod
    def __table_args__(cls) -> tuple[Index]:
        """An index on the patient (and the date), for listing a patient's items in order."""
        columns = ["patient_id", cls.sort_date] if cls.sort_date else ["patient_id"]
        return (Index(f"ix_{cls.__tablename__}_patient", *columns),)


class GrowthRow(ItemRow):
    """``growth_measurements``."""

    __tablename__ = "growth_measurements"
    sort_date = "measured_on"

    kind: Mapped[GrowthKind]
    measured_on: Mapped[date]
    value_value: Mapped[float]
    value_unit: Mapped[str]


class InfectionRow(ItemRow):
    """``infection_episodes``; the antibiotic courses are JSON."""

    __tablename__ = "infection_episodes"
    sort_date = "onset"

    onset: Mapped[date]
    site: Mapped[InfectionSite]
    end: Mapped[date | None]
    abscess: Mapped[bool]
    pathogen_class: Mapped[PathogenClass]
    organism: Mapped[str | None]
    severity: Mapped[Severity]
    hospitalised: Mapped[bool]
    iv_antibiotics: Mapped[bool]
    antibiotic_courses: Mapped[list[JSONDict]] = mapped_column(JSON)
    notes: Mapped[str | None] = mapped_column(Text)


class LabRow(ItemRow):
    """``lab_results``; ``collected_at`` is a UTC instant, the reference interval JSON."""

    __tablename__ = "lab_results"
    sort_date = "collected_at"

    loinc: Mapped[str]
    analyte: Mapped[str]
    collected_at: Mapped[datetime]
    value_value: Mapped[float | None]
    value_unit: Mapped[str | None]
    comparator: Mapped[Comparator | None]
    value_text: Mapped[str | None] = mapped_column(Text)
    reference_interval: Mapped[JSONDict | None] = mapped_column(_NULLABLE_JSON)
    method: Mapped[str | None]
    specimen: Mapped[str | None]
    laboratory: Mapped[str | None]


class VaccinationRow(ItemRow):
    """``vaccinations``."""

    __tablename__ = "vaccinations"
    sort_date = "given_on"

    cvx: Mapped[str]
    vaccine: Mapped[str]
    given_on: Mapped[date]
    dose_number: Mapped[int | None]
    lot_number: Mapped[str | None]
    notes: Mapped[str | None] = mapped_column(Text)


class MedicationRow(ItemRow):
    """``medications``."""

    __tablename__ = "medications"
    sort_date = "start"

    name: Mapped[str]
    start: Mapped[date]
    code: Mapped[str | None]
    code_system: Mapped[CodeSystem | None]
    stop: Mapped[date | None]
    dose_value: Mapped[float | None]
    dose_unit: Mapped[str | None]
    dose_interval_value: Mapped[float | None]
    dose_interval_unit: Mapped[str | None]
    route: Mapped[Route]
    indication: Mapped[str | None]
    prophylaxis: Mapped[bool]


class InfusionRow(ItemRow):
    """``immunoglobulin_infusions``; site locations and adverse events are JSON."""

    __tablename__ = "immunoglobulin_infusions"
    sort_date = "given_on"

    product: Mapped[str]
    route: Mapped[IgRoute]
    given_on: Mapped[date]
    dose_value: Mapped[float]
    dose_unit: Mapped[str]
    volume_value: Mapped[float | None]
    volume_unit: Mapped[str | None]
    max_rate_value: Mapped[float | None]
    max_rate_unit: Mapped[str | None]
    sites: Mapped[int | None]
    site_locations: Mapped[list[str]] = mapped_column(JSON)
    lot_number: Mapped[str | None]
    setting: Mapped[InfusionSetting]
    adverse_events: Mapped[list[JSONDict]] = mapped_column(JSON)
    notes: Mapped[str | None] = mapped_column(Text)


class DiagnosisRow(ItemRow):
    """``diagnoses``."""

    __tablename__ = "diagnoses"
    sort_date = "diagnosed_on"

    code: Mapped[str]
    system: Mapped[CodeSystem]
    display: Mapped[str]
    status: Mapped[DiagnosisStatus]
    iuis_category: Mapped[str | None]
    diagnosed_on: Mapped[date | None]
    notes: Mapped[str | None] = mapped_column(Text)


class PhenotypeRow(ItemRow):
    """``phenotypes``: HPO terms observed or excluded."""

    __tablename__ = "phenotypes"
    sort_date = "onset"

    hpo_id: Mapped[str]
    label: Mapped[str]
    excluded: Mapped[bool]
    onset: Mapped[date | None]


class FamilyHistoryRow(ItemRow):
    """``family_history``: undated, listed in entry order."""

    __tablename__ = "family_history"
    sort_date = None

    relation: Mapped[Relation]
    condition: Mapped[str]
    immunodeficiency: Mapped[bool]
    code: Mapped[str | None]
    code_system: Mapped[CodeSystem | None]
    notes: Mapped[str | None] = mapped_column(Text)


class GeneticFindingRow(ItemRow):
    """``genetic_findings``."""

    __tablename__ = "genetic_findings"
    sort_date = "reported_on"

    gene: Mapped[str]
    hgvs: Mapped[str]
    zygosity: Mapped[Zygosity]
    acmg_class: Mapped[AcmgClass]
    protein_change: Mapped[str | None]
    reported_on: Mapped[date | None]
    laboratory: Mapped[str | None]
    notes: Mapped[str | None] = mapped_column(Text)


class ImagingRow(ItemRow):
    """``imaging_studies``; the structured findings are JSON."""

    __tablename__ = "imaging_studies"
    sort_date = "performed_on"

    modality: Mapped[Modality]
    body_site: Mapped[BodySite]
    performed_on: Mapped[date]
    findings: Mapped[list[JSONDict]] = mapped_column(JSON)
    report: Mapped[str | None] = mapped_column(Text)


class CareTeamRow(ItemRow):
    """``care_team_members``."""

    __tablename__ = "care_team_members"
    sort_date = "since"

    name: Mapped[str]
    role: Mapped[CareRole]
    organization: Mapped[str | None]
    contact: Mapped[str | None]
    since: Mapped[date | None]


ITEM_ROWS: Mapping[ItemKind, type[ItemRow]] = MappingProxyType(
    {
        ItemKind.GROWTH: GrowthRow,
        ItemKind.INFECTIONS: InfectionRow,
        ItemKind.LABS: LabRow,
        ItemKind.VACCINATIONS: VaccinationRow,
        ItemKind.MEDICATIONS: MedicationRow,
        ItemKind.INFUSIONS: InfusionRow,
        ItemKind.DIAGNOSES: DiagnosisRow,
        ItemKind.PHENOTYPES: PhenotypeRow,
        ItemKind.FAMILY_HISTORY: FamilyHistoryRow,
        ItemKind.GENETIC_FINDINGS: GeneticFindingRow,
        ItemKind.IMAGING: ImagingRow,
        ItemKind.CARE_TEAM: CareTeamRow,
    }
)
"""The row class (table) of each kind of record item."""

METADATA: MetaData = Base.metadata
"""Every table above: what the migrations must build, and what autogenerate compares against."""

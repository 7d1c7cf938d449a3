"""Builders of realistic synthetic record items: ``make_<kind>(**overrides)``.

Every builder fills **every** field (optional ones included), so a round trip through the store
or an API exercises the whole shape; pass keyword overrides for what a test is about. The default
story is one synthetic boy with X-linked agammaglobulinemia: severe pneumonias, absent IgA, a
hemizygous BTK variant, a maternal uncle who died of sepsis, intravenous immunoglobulin.
All of it is made up; none of it is a real patient.

``ITEM_MAKERS`` maps each :class:`~immunocare.domain.ItemKind` to its builder.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from immunocare import services
from immunocare.domain import (
    AcmgClass,
    AntibioticCourse,
    BodySite,
    CareRole,
    CareTeamMember,
    CodeSystem,
    Comparator,
    CourseEffect,
    Diagnosis,
    DiagnosisStatus,
    Extent,
    FamilyHistoryEntry,
    GeneticFinding,
    GrowthKind,
    GrowthMeasurement,
    IgRoute,
    ImagingFinding,
    ImagingFindingKind,
    ImagingStudy,
    ImmunoglobulinInfusion,
    InfectionEpisode,
    InfectionSite,
    InfusionAdverseEvent,
    InfusionSetting,
    ItemKind,
    LabResult,
    Medication,
    Modality,
    PathogenClass,
    Patient,
    Phenotype,
    Quantity,
    RecordItem,
    ReferenceInterval,
    Relation,
    Route,
    Severity,
    Sex,
    Vaccination,
    Zygosity,
)
from immunocare.services import Actor, ServiceContext, UserCreate
from immunocare.services.schemas import PatientIn
from immunocare.store import ApiToken, AuditEntry, Role, User, WebSession, hash_token

__all__ = [
    "CET",
    "ITEM_MAKERS",
    "make_api_token",
    "make_audit_entry",
    "make_care_team_member",
    "make_diagnosis",
    "make_family_history",
    "make_genetic_finding",
    "make_growth",
    "make_imaging",
    "make_infection",
    "make_infusion",
    "make_lab",
    "make_medication",
    "make_patient",
    "make_phenotype",
    "make_user",
    "make_vaccination",
    "make_web_session",
]

CET = timezone(timedelta(hours=1), "CET")
"""A fixed non-UTC offset, so that tests see instants converted to UTC and back."""


def make_patient(**overrides: Any) -> Patient:
    """A synthetic boy born in 2016."""
    fields: dict[str, Any] = {
        "mrn": "MRN-100234",
        "family_name": "Okafor",
        "given_names": "Samuel Chidi",
        "birth_date": date(2016, 2, 11),
        "sex": Sex.MALE,
    }
    return Patient(**(fields | overrides))


def make_growth(**overrides: Any) -> GrowthMeasurement:
    """A weight measured at the clinic."""
    fields: dict[str, Any] = {
        "kind": GrowthKind.WEIGHT,
        "measured_on": date(2019, 3, 4),
        "value": Quantity(15.2, "kg"),
    }
    return GrowthMeasurement(**(fields | overrides))


def make_infection(**overrides: Any) -> InfectionEpisode:
    """A severe pneumococcal pneumonia with an abscess, treated IV then orally."""
    fields: dict[str, Any] = {
        "onset": date(2018, 11, 2),
        "site": InfectionSite.LUNG,
        "end": date(2018, 11, 20),
        "abscess": True,
        "pathogen_class": PathogenClass.BACTERIAL,
        "organism": "Streptococcus pneumoniae",
        "severity": Severity.SEVERE,
        "hospitalised": True,
        "iv_antibiotics": True,
        "antibiotic_courses": (
            AntibioticCourse(
                drug="ceftriaxone",
                start=date(2018, 11, 3),
                stop=date(2018, 11, 10),
                route=Route.INTRAVENOUS,
                effect=CourseEffect.GOOD,
            ),
            AntibioticCourse(
                drug="amoxicillin",
                start=date(2018, 11, 11),
                stop=date(2018, 11, 20),
                route=Route.ORAL,
                effect=CourseEffect.PARTIAL,
            ),
        ),
        "notes": "Third pneumonia this year; chest drain on day 2.",
    }
    return InfectionEpisode(**(fields | overrides))


def make_lab(**overrides: Any) -> LabResult:
    """Serum IgA below the laboratory's detection limit, collected in the morning (CET)."""
    fields: dict[str, Any] = {
        "loinc": "2458-8",
        "analyte": "IgA",
        "collected_at": datetime(2019, 3, 4, 8, 30, 15, 250000, tzinfo=CET),
        "value": Quantity(0.07, "g/L"),
        "comparator": Comparator.LT,
        "value_text": "below the detection limit",
        "reference_interval": ReferenceInterval(unit="g/L", low=0.3, high=1.3, text="age 2–5 years"),
        "method": "nephelometry",
        "specimen": "S-2019-004411",
        "laboratory": "Synthetic University Hospital, Immunology Laboratory",
    }
    return LabResult(**(fields | overrides))


def make_vaccination(**overrides: Any) -> Vaccination:
    """An inactivated influenza vaccine dose."""
    fields: dict[str, Any] = {
        "cvx": "150",
        "vaccine": "Influenza, injectable, quadrivalent, preservative free",
        "given_on": date(2019, 10, 14),
        "dose_number": 1,
        "lot_number": "FLU-2019-0087",
        "notes": "Inactivated vaccine; given with the infusion.",
    }
    return Vaccination(**(fields | overrides))


def make_medication(**overrides: Any) -> Medication:
    """Azithromycin prophylaxis."""
    fields: dict[str, Any] = {
        "name": "azithromycin",
        "start": date(2019, 1, 7),
        "code": "J01FA10",
        "code_system": CodeSystem.ATC,
        "stop": date(2019, 6, 30),
        "dose": Quantity(200, "mg"),
        "dose_interval": Quantity(2, "d"),
        "route": Route.ORAL,
        "indication": "prevention of bacterial chest infections",
        "prophylaxis": True,
    }
    return Medication(**(fields | overrides))


def make_infusion(**overrides: Any) -> ImmunoglobulinInfusion:
    """An IVIG infusion at the clinic with a mild headache."""
    fields: dict[str, Any] = {
        "product": "Privigen",
        "route": IgRoute.IV,
        "given_on": date(2019, 3, 18),
        "dose": Quantity(6, "g"),
        "volume": Quantity(60, "mL"),
        "max_rate": Quantity(1.2, "mL/kg/h"),
        "sites": 1,
        "site_locations": ("left antecubital fossa",),
        "lot_number": "P100234-7",
        "setting": InfusionSetting.CLINIC,
        "adverse_events": (
            InfusionAdverseEvent(
                description="headache", severity=Severity.MILD, action_taken="paracetamol; rate halved"
            ),
        ),
        "notes": "First infusion.",
    }
    return ImmunoglobulinInfusion(**(fields | overrides))


def make_diagnosis(**overrides: Any) -> Diagnosis:
    """X-linked agammaglobulinemia, confirmed."""
    fields: dict[str, Any] = {
        "code": "D80.0",
        "system": CodeSystem.ICD10CM,
        "display": "X-linked agammaglobulinemia",
        "status": DiagnosisStatus.CONFIRMED,
        "iuis_category": "3.1",
        "diagnosed_on": date(2019, 3, 15),
        "notes": "Absent CD19+ B cells; BTK variant.",
    }
    return Diagnosis(**(fields | overrides))


def make_phenotype(**overrides: Any) -> Phenotype:
    """Recurrent respiratory infections (HPO)."""
    fields: dict[str, Any] = {
        "hpo_id": "HP:0002205",
        "label": "Recurrent respiratory infections",
        "excluded": False,
        "onset": date(2017, 9, 1),
    }
    return Phenotype(**(fields | overrides))


def make_family_history(**overrides: Any) -> FamilyHistoryEntry:
    """A maternal uncle who died of sepsis in early childhood."""
    fields: dict[str, Any] = {
        "relation": Relation.MATERNAL_UNCLE,
        "condition": "Died of pneumococcal sepsis aged 3",
        "immunodeficiency": True,
        "code": "A40.3",
        "code_system": CodeSystem.ICD10CM,
        "notes": "No immunological work-up at the time.",
    }
    return FamilyHistoryEntry(**(fields | overrides))


def make_genetic_finding(**overrides: Any) -> GeneticFinding:
    """A hemizygous BTK missense variant."""
    fields: dict[str, Any] = {
        "gene": "BTK",
        "hgvs": "NM_000061.3:c.1564G>A",
        "zygosity": Zygosity.HEMIZYGOUS,
        "acmg_class": AcmgClass.LIKELY_PATHOGENIC,
        "protein_change": "p.(Gly522Arg)",
        "reported_on": date(2019, 4, 2),
        "laboratory": "Synthetic Genomics Laboratory",
        "notes": "Mother to be offered carrier testing.",
    }
    return GeneticFinding(**(fields | overrides))


def make_imaging(**overrides: Any) -> ImagingStudy:
    """A chest CT showing multifocal bronchiectasis and bronchial wall thickening."""
    fields: dict[str, Any] = {
        "modality": Modality.CT,
        "body_site": BodySite.CHEST,
        "performed_on": date(2019, 5, 20),
        "findings": (
            ImagingFinding(kind=ImagingFindingKind.BRONCHIECTASIS, extent=Extent.MULTIFOCAL),
            ImagingFinding(kind=ImagingFindingKind.BRONCHIAL_WALL_THICKENING),
        ),
        "report": "Cylindrical bronchiectasis in the middle lobe and both lower lobes.",
    }
    return ImagingStudy(**(fields | overrides))


def make_care_team_member(**overrides: Any) -> CareTeamMember:
    """The treating immunologist."""
    fields: dict[str, Any] = {
        "name": "Dr Amara Eze",
        "role": CareRole.IMMUNOLOGIST,
        "organization": "Synthetic Children's Hospital",
        "contact": "immunology@hospital.example",
        "since": date(2019, 3, 15),
    }
    return CareTeamMember(**(fields | overrides))


ITEM_MAKERS: dict[ItemKind, Callable[..., RecordItem]] = {
    ItemKind.GROWTH: make_growth,
    ItemKind.INFECTIONS: make_infection,
    ItemKind.LABS: make_lab,
    ItemKind.VACCINATIONS: make_vaccination,
    ItemKind.MEDICATIONS: make_medication,
    ItemKind.INFUSIONS: make_infusion,
    ItemKind.DIAGNOSES: make_diagnosis,
    ItemKind.PHENOTYPES: make_phenotype,
    ItemKind.FAMILY_HISTORY: make_family_history,
    ItemKind.GENETIC_FINDINGS: make_genetic_finding,
    ItemKind.IMAGING: make_imaging,
    ItemKind.CARE_TEAM: make_care_team_member,
}
"""The builder of each kind of record item."""

_NOON = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
_HASH = "$argon2id$v=19$m=8,t=1,p=1$c3ludGhldGlj$0j8r2a0Tq0qyQ1v3ZPbL8g"


def make_user(**overrides: Any) -> User:
    """A physician account (the password hash is a well-formed but synthetic argon2 string)."""
    fields: dict[str, Any] = {
        "username": "a.eze",
        "display_name": "Dr Amara Eze",
        "role": Role.PHYSICIAN,
        "password_hash": _HASH,
        "created_at": _NOON,
        "patient_id": None,
        "active": True,
    }
    return User(**(fields | overrides))


def make_web_session(**overrides: Any) -> WebSession:
    """A twelve-hour browser session; the ``user_id`` override is usually needed."""
    fields: dict[str, Any] = {
        "user_id": 1,
        "token_hash": hash_token("session-token"),
        "csrf_token": "csrf-token",
        "created_at": _NOON,
        "expires_at": _NOON + timedelta(hours=12),
    }
    return WebSession(**(fields | overrides))


def make_api_token(**overrides: Any) -> ApiToken:
    """A one-year API token; the ``user_id`` override is usually needed."""
    fields: dict[str, Any] = {
        "user_id": 1,
        "name": "laboratory interface",
        "token_hash": hash_token("api-token"),
        "created_at": _NOON,
        "expires_at": _NOON + timedelta(days=365),
        "revoked_at": None,
        "last_used_at": None,
    }
    return ApiToken(**(fields | overrides))


def make_audit_entry(**overrides: Any) -> AuditEntry:
    """A physician reading a lab result."""
    fields: dict[str, Any] = {
        "at": _NOON,
        "action": "record.item.read",
        "outcome": "success",
        "user_id": 1,
        "username": "a.eze",
        "role": Role.PHYSICIAN,
        "patient_id": 1,
        "item_kind": ItemKind.LABS,
        "item_id": 1,
        "detail": "opened from the timeline",
        "client": "127.0.0.1 Mozilla/5.0",
    }
    return AuditEntry(**(fields | overrides))


PASSWORD = "correct-horse-battery"
"""The password of every user the tests add."""


def register_patient(ctx: ServiceContext, mrn: str, family_name: str, given_names: str = "Claire") -> int:
    """Register a patient through the services (as the command line) and return the id."""
    data = PatientIn(
        mrn=mrn, family_name=family_name, given_names=given_names, birth_date=date(1988, 3, 9), sex=Sex.FEMALE
    )
    return services.create_patient(ctx, actor=Actor.command_line("test"), data=data).id


def add_user(ctx: ServiceContext, username: str, role: Role, *, patient_id: int | None = None) -> None:
    """Add a user with :data:`PASSWORD` through the services (as the command line)."""
    data = UserCreate(
        username=username, display_name=username.title(), role=role, password=PASSWORD, patient_id=patient_id
    )
    services.create_user(ctx, actor=Actor.command_line("test"), data=data)

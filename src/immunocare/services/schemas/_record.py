"""Input and output schemas of the patient and of every kind of record item."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field

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
    LabResult,
    Medication,
    Modality,
    PathogenClass,
    Patient,
    Phenotype,
    ReferenceInterval,
    Relation,
    Route,
    Severity,
    Sex,
    Vaccination,
    Zygosity,
)

from ._common import Bool, DomainModel, InputModel, LongText, Number, QuantityIn, ShortText, Text

__all__ = [
    "AntibioticCourseIn",
    "CareTeamMemberIn",
    "CareTeamMemberOut",
    "DiagnosisIn",
    "DiagnosisOut",
    "FamilyHistoryIn",
    "FamilyHistoryOut",
    "GeneticFindingIn",
    "GeneticFindingOut",
    "GrowthIn",
    "GrowthOut",
    "ImagingFindingIn",
    "ImagingIn",
    "ImagingOut",
    "InfectionIn",
    "InfectionOut",
    "InfusionAdverseEventIn",
    "InfusionIn",
    "InfusionOut",
    "LabResultIn",
    "LabResultOut",
    "MedicationIn",
    "MedicationOut",
    "PatientIn",
    "PatientOut",
    "PatientUpdate",
    "PhenotypeIn",
    "PhenotypeOut",
    "ReferenceIntervalIn",
    "VaccinationIn",
    "VaccinationOut",
]

Id = Annotated[int, Field(ge=1, description="The item's identifier in this immunocare instance.")]


class PatientIn(DomainModel):
    """A new patient."""

    __domain__ = Patient

    mrn: Annotated[str, Field(min_length=1, max_length=64, description="Medical record number.")]
    family_name: ShortText
    given_names: ShortText
    birth_date: date
    sex: Sex


class PatientOut(PatientIn):
    """A stored patient."""

    id: Id


class PatientUpdate(InputModel):
    """Changes to a patient's demographics; only the fields given change."""

    mrn: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    family_name: ShortText | None = None
    given_names: ShortText | None = None
    birth_date: date | None = None
    sex: Sex | None = None


class GrowthIn(DomainModel):
    """A weight, height or head circumference."""

    __domain__ = GrowthMeasurement

    kind: GrowthKind
    measured_on: date
    value: QuantityIn


class GrowthOut(GrowthIn):
    """A stored growth measurement."""

    id: Id


class AntibioticCourseIn(DomainModel):
    """A course of antimicrobial treatment within an infection episode."""

    __domain__ = AntibioticCourse

    drug: ShortText
    start: date
    stop: date | None = None
    route: Route = Route.ORAL
    effect: CourseEffect = CourseEffect.UNKNOWN


class InfectionIn(DomainModel):
    """An infection episode."""

    __domain__ = InfectionEpisode

    onset: date
    site: InfectionSite
    end: date | None = None
    abscess: Bool = False
    pathogen_class: PathogenClass = PathogenClass.UNKNOWN
    organism: ShortText | None = None
    severity: Severity = Severity.MODERATE
    hospitalised: Bool = False
    iv_antibiotics: Bool = False
    antibiotic_courses: Annotated[tuple[AntibioticCourseIn, ...], Field(max_length=50)] = ()
    notes: LongText | None = None


class InfectionOut(InfectionIn):
    """A stored infection episode."""

    id: Id


class ReferenceIntervalIn(DomainModel):
    """The reporting laboratory's reference interval."""

    __domain__ = ReferenceInterval

    unit: Annotated[str, Field(min_length=1, max_length=40)]
    low: Number | None = None
    high: Number | None = None
    text: Text | None = None


class LabResultIn(DomainModel):
    """A laboratory result. A time without an offset is read in the center's time zone."""

    __domain__ = LabResult

    loinc: Annotated[str, Field(max_length=10, examples=["2465-3"])]
    analyte: ShortText
    collected_at: datetime
    value: QuantityIn | None = None
    comparator: Comparator | None = None
    value_text: Text | None = None
    reference_interval: ReferenceIntervalIn | None = None
    method: ShortText | None = None
    specimen: ShortText | None = None
    laboratory: ShortText | None = None


class LabResultOut(LabResultIn):
    """A stored laboratory result."""

    id: Id


class VaccinationIn(DomainModel):
    """A vaccine dose given."""

    __domain__ = Vaccination

    cvx: Annotated[str, Field(max_length=3, examples=["33"])]
    vaccine: ShortText
    given_on: date
    dose_number: Annotated[int, Field(strict=True, ge=1, le=20)] | None = None
    lot_number: ShortText | None = None
    notes: LongText | None = None


class VaccinationOut(VaccinationIn):
    """A stored vaccination."""

    id: Id


class MedicationIn(DomainModel):
    """A medication, including immunosuppressants and antimicrobials."""

    __domain__ = Medication

    name: ShortText
    start: date
    code: Annotated[str, Field(max_length=20)] | None = None
    code_system: CodeSystem | None = None
    stop: date | None = None
    dose: QuantityIn | None = None
    dose_interval: QuantityIn | None = None
    route: Route = Route.ORAL
    indication: Text | None = None
    prophylaxis: Bool = False


class MedicationOut(MedicationIn):
    """A stored medication."""

    id: Id


class InfusionAdverseEventIn(DomainModel):
    """A reaction to an infusion."""

    __domain__ = InfusionAdverseEvent

    description: Text
    severity: Severity = Severity.MILD
    action_taken: Text | None = None


class InfusionIn(DomainModel):
    """An immunoglobulin infusion."""

    __domain__ = ImmunoglobulinInfusion

    product: ShortText
    route: IgRoute
    given_on: date
    dose: QuantityIn
    volume: QuantityIn | None = None
    max_rate: QuantityIn | None = None
    sites: Annotated[int, Field(strict=True, ge=1, le=12)] | None = None
    site_locations: Annotated[tuple[ShortText, ...], Field(max_length=12)] = ()
    lot_number: ShortText | None = None
    setting: InfusionSetting = InfusionSetting.CLINIC
    adverse_events: Annotated[tuple[InfusionAdverseEventIn, ...], Field(max_length=20)] = ()
    notes: LongText | None = None


class InfusionOut(InfusionIn):
    """A stored infusion."""

    id: Id


class DiagnosisIn(DomainModel):
    """A coded diagnosis."""

    __domain__ = Diagnosis

    code: Annotated[str, Field(max_length=20)]
    system: CodeSystem
    display: ShortText
    status: DiagnosisStatus = DiagnosisStatus.CONFIRMED
    iuis_category: Annotated[str, Field(max_length=5)] | None = None
    diagnosed_on: date | None = None
    notes: LongText | None = None


class DiagnosisOut(DiagnosisIn):
    """A stored diagnosis."""

    id: Id


class PhenotypeIn(DomainModel):
    """An HPO term, observed or excluded; the label defaults to HPO's."""

    __domain__ = Phenotype

    hpo_id: Annotated[str, Field(max_length=10, examples=["HP:0002205"])]
    label: ShortText = Field("", validate_default=False)
    excluded: Bool = False
    onset: date | None = None


class PhenotypeOut(PhenotypeIn):
    """A stored phenotype."""

    id: Id


class FamilyHistoryIn(DomainModel):
    """A condition in a relative."""

    __domain__ = FamilyHistoryEntry

    relation: Relation
    condition: ShortText
    immunodeficiency: Bool = False
    code: Annotated[str, Field(max_length=20)] | None = None
    code_system: CodeSystem | None = None
    notes: LongText | None = None


class FamilyHistoryOut(FamilyHistoryIn):
    """A stored family history entry."""

    id: Id


class GeneticFindingIn(DomainModel):
    """A variant reported by a genetics laboratory."""

    __domain__ = GeneticFinding

    gene: Annotated[str, Field(max_length=30, examples=["BTK"])]
    hgvs: Annotated[str, Field(max_length=200, examples=["NM_000061.3:c.1564G>A"])]
    zygosity: Zygosity
    acmg_class: AcmgClass
    protein_change: ShortText | None = None
    reported_on: date | None = None
    laboratory: ShortText | None = None
    notes: LongText | None = None


class GeneticFindingOut(GeneticFindingIn):
    """A stored genetic finding."""

    id: Id


class ImagingFindingIn(DomainModel):
    """One structured finding of an imaging study."""

    __domain__ = ImagingFinding

    kind: ImagingFindingKind
    extent: Extent | None = None


class ImagingIn(DomainModel):
    """An imaging study and its report."""

    __domain__ = ImagingStudy

    modality: Modality
    body_site: BodySite
    performed_on: date
    findings: Annotated[tuple[ImagingFindingIn, ...], Field(max_length=20)] = ()
    report: LongText | None = None


class ImagingOut(ImagingIn):
    """A stored imaging study."""

    id: Id


class CareTeamMemberIn(DomainModel):
    """A member of the care team."""

    __domain__ = CareTeamMember

    name: ShortText
    role: CareRole
    organization: ShortText | None = None
    contact: ShortText | None = None
    since: date | None = None


class CareTeamMemberOut(CareTeamMemberIn):
    """A stored care-team member."""

    id: Id

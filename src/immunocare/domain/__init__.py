"""The patient record as data: frozen dataclasses, units, codes and the Finding type.

No I/O and no clock live here: functions that depend on the date take it as an argument.

- :mod:`~immunocare.domain.units`: :class:`Quantity` with UCUM units, conversions in one place.
- :mod:`~immunocare.domain.codes`: code systems and their syntax checks (LOINC check digit…).
- the record: :class:`Patient`, :class:`GrowthMeasurement`, :class:`InfectionEpisode`,
  :class:`LabResult`, :class:`Vaccination`, :class:`Medication`, :class:`ImmunoglobulinInfusion`,
  :class:`Diagnosis`, :class:`Phenotype`, :class:`FamilyHistoryEntry`, :class:`GeneticFinding`,
  :class:`ImagingStudy`, :class:`CareTeamMember`, gathered in :class:`PatientRecord`;
  :class:`ItemKind` names each kind.
- :mod:`~immunocare.domain.findings`: :class:`Finding`, :class:`Recommendation`, :class:`Assessment`.

Every shape checks its own invariants on construction (an end before its start, an unknown unit,
a malformed code) and raises :class:`immunocare.errors.ValidationError` naming the field.
"""

from ._diagnosis import (
    AcmgClass,
    CareRole,
    CareTeamMember,
    Diagnosis,
    DiagnosisStatus,
    FamilyHistoryEntry,
    GeneticFinding,
    Phenotype,
    Relation,
    Zygosity,
)
from ._imaging import BodySite, Extent, ImagingFinding, ImagingFindingKind, ImagingStudy, Modality
from ._infection import (
    AntibioticCourse,
    CourseEffect,
    InfectionEpisode,
    InfectionSite,
    PathogenClass,
    Route,
    Severity,
)
from ._labs import Comparator, LabResult, ReferenceInterval
from ._patient import GrowthKind, GrowthMeasurement, Patient, Sex, age_in_years
from ._record import (
    ITEM_TYPES,
    ItemKind,
    PatientRecord,
    RecordItem,
    TimelineEntry,
    item_date,
    summarize,
    timeline,
)
from ._treatment import (
    IgRoute,
    ImmunoglobulinInfusion,
    InfusionAdverseEvent,
    InfusionSetting,
    Medication,
    Vaccination,
)
from .codes import CodeSystem
from .findings import Assessment, Evidence, Finding, FindingStatus, Recommendation, Section, Urgency
from .units import Quantity

__all__ = [
    "ITEM_TYPES",
    "AcmgClass",
    "AntibioticCourse",
    "Assessment",
    "BodySite",
    "CareRole",
    "CareTeamMember",
    "CodeSystem",
    "Comparator",
    "CourseEffect",
    "Diagnosis",
    "DiagnosisStatus",
    "Evidence",
    "Extent",
    "FamilyHistoryEntry",
    "Finding",
    "FindingStatus",
    "GeneticFinding",
    "GrowthKind",
    "GrowthMeasurement",
    "IgRoute",
    "ImagingFinding",
    "ImagingFindingKind",
    "ImagingStudy",
    "ImmunoglobulinInfusion",
    "InfectionEpisode",
    "InfectionSite",
    "InfusionAdverseEvent",
    "InfusionSetting",
    "ItemKind",
    "LabResult",
    "Medication",
    "Modality",
    "PathogenClass",
    "Patient",
    "PatientRecord",
    "Phenotype",
    "Quantity",
    "Recommendation",
    "RecordItem",
    "ReferenceInterval",
    "Relation",
    "Route",
    "Section",
    "Severity",
    "Sex",
    "TimelineEntry",
    "Urgency",
    "Vaccination",
    "Zygosity",
    "age_in_years",
    "item_date",
    "summarize",
    "timeline",
]

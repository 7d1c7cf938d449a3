"""Infection episodes and the antibiotic courses given for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from immunocare.errors import ValidationError

from ._checks import require_order, require_text

__all__ = [
    "AntibioticCourse",
    "CourseEffect",
    "InfectionEpisode",
    "InfectionSite",
    "PathogenClass",
    "Route",
    "Severity",
]


class InfectionSite(StrEnum):
    """Where an infection was."""

    EAR = "ear"
    SINUS = "sinus"
    UPPER_RESPIRATORY = "upper_respiratory"
    LUNG = "lung"
    SKIN = "skin"
    LYMPH_NODE = "lymph_node"
    DEEP_ORGAN = "deep_organ"
    BONE_JOINT = "bone_joint"
    BLOOD = "blood"
    CNS = "cns"
    GASTROINTESTINAL = "gastrointestinal"
    URINARY = "urinary"
    ORAL_FUNGAL = "oral_fungal"
    SKIN_FUNGAL = "skin_fungal"
    OTHER = "other"

    @property
    def label(self) -> str:
        """How the site reads in a chart."""
        return _SITE_LABELS[self]


_SITE_LABELS = {
    InfectionSite.EAR: "Ear (otitis)",
    InfectionSite.SINUS: "Sinus (sinusitis)",
    InfectionSite.UPPER_RESPIRATORY: "Upper respiratory tract",
    InfectionSite.LUNG: "Lung (pneumonia)",
    InfectionSite.SKIN: "Skin / soft tissue",
    InfectionSite.LYMPH_NODE: "Lymph node (lymphadenitis)",
    InfectionSite.DEEP_ORGAN: "Deep organ",
    InfectionSite.BONE_JOINT: "Bone or joint",
    InfectionSite.BLOOD: "Blood (sepsis / bacteraemia)",
    InfectionSite.CNS: "Central nervous system",
    InfectionSite.GASTROINTESTINAL: "Gastrointestinal",
    InfectionSite.URINARY: "Urinary tract",
    InfectionSite.ORAL_FUNGAL: "Oral fungal (thrush)",
    InfectionSite.SKIN_FUNGAL: "Skin / nail fungal",
    InfectionSite.OTHER: "Other",
}


class PathogenClass(StrEnum):
    """The kind of organism, when known."""

    BACTERIAL = "bacterial"
    VIRAL = "viral"
    FUNGAL = "fungal"
    MYCOBACTERIUM_TUBERCULOSIS = "mycobacterium_tuberculosis"
    NONTUBERCULOUS_MYCOBACTERIUM = "nontuberculous_mycobacterium"
    PARASITIC = "parasitic"
    UNKNOWN = "unknown"


class Severity(StrEnum):
    """How severe an infection or an adverse event was."""

    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"
    LIFE_THREATENING = "life_threatening"


class Route(StrEnum):
    """How a drug was given."""

    ORAL = "oral"
    INTRAVENOUS = "intravenous"
    INTRAMUSCULAR = "intramuscular"
    SUBCUTANEOUS = "subcutaneous"
    INHALED = "inhaled"
    TOPICAL = "topical"
    OTHER = "other"


class CourseEffect(StrEnum):
    """How well an antibiotic course worked."""

    GOOD = "good"
    PARTIAL = "partial"
    NONE = "none"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True, kw_only=True)
class AntibioticCourse:
    """One course of an antimicrobial for an infection episode."""

    drug: str
    start: date
    stop: date | None = None
    route: Route = Route.ORAL
    effect: CourseEffect = CourseEffect.UNKNOWN

    def __post_init__(self) -> None:
        require_text("drug", self.drug)
        require_order("start", self.start, "stop", self.stop)

    def days(self, *, until: date) -> int:
        """Days of treatment, counting both ends; an open course runs until ``until``."""
        return ((self.stop or until) - self.start).days + 1


@dataclass(frozen=True, slots=True, kw_only=True)
class InfectionEpisode:
    """One infection, from onset to resolution.

    Attributes:
        onset: first day of symptoms (or of diagnosis when onset is unknown).
        end: day of resolution; ``None`` while ongoing or unknown.
        site: the main site.
        abscess: whether the infection formed an abscess.
        pathogen_class: bacterial, viral, fungal, mycobacterial…, when known.
        organism: the organism as reported, e.g. "Streptococcus pneumoniae".
        severity: clinical severity.
        hospitalised: whether the patient was admitted for it.
        iv_antibiotics: whether intravenous antimicrobials were needed.
        antibiotic_courses: the courses given, in order.
        notes: free text.
    """

    onset: date
    site: InfectionSite
    end: date | None = None
    abscess: bool = False
    pathogen_class: PathogenClass = PathogenClass.UNKNOWN
    organism: str | None = None
    severity: Severity = Severity.MODERATE
    hospitalised: bool = False
    iv_antibiotics: bool = False
    antibiotic_courses: tuple[AntibioticCourse, ...] = ()
    notes: str | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        require_order("onset", self.onset, "end", self.end)
        for index, course in enumerate(self.antibiotic_courses):
            if course.start < self.onset:
                raise ValidationError.single(
                    f"antibiotic_courses.{index}.start", f"is before the infection's onset ({self.onset})"
                )

    @property
    def label(self) -> str:
        """A one-line description for timelines and evidence lists."""
        parts = [self.site.label]
        if self.abscess:
            parts.append("abscess")
        if self.organism:
            parts.append(self.organism)
        return ", ".join(parts)

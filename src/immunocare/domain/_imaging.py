"""Imaging studies of the lungs, sinuses and abdomen, with their structured findings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from immunocare.errors import ValidationError

__all__ = ["BodySite", "Extent", "ImagingFinding", "ImagingFindingKind", "ImagingStudy", "Modality"]


class Modality(StrEnum):
    """How the images were made."""

    CT = "ct"
    X_RAY = "x_ray"
    MRI = "mri"
    ULTRASOUND = "ultrasound"

    @property
    def label(self) -> str:
        """The modality as a radiologist writes it."""
        return _MODALITY_LABELS[self]


_MODALITY_LABELS = {
    Modality.CT: "CT",
    Modality.X_RAY: "X-ray",
    Modality.MRI: "MRI",
    Modality.ULTRASOUND: "Ultrasound",
}


class BodySite(StrEnum):
    """The region imaged."""

    CHEST = "chest"
    SINUSES = "sinuses"
    ABDOMEN = "abdomen"
    OTHER = "other"


class ImagingFindingKind(StrEnum):
    """A structured finding a report can state; each names the regions it can be seen in."""

    BRONCHIECTASIS = "bronchiectasis"
    BRONCHIAL_WALL_THICKENING = "bronchial_wall_thickening"
    CONSOLIDATION = "consolidation"
    GLILD = "glild"
    CHRONIC_SINUSITIS = "chronic_sinusitis"
    LYMPHADENOPATHY = "lymphadenopathy"
    SPLENOMEGALY = "splenomegaly"

    @property
    def label(self) -> str:
        """The finding in words."""
        return _FINDING_LABELS[self]

    @property
    def sites(self) -> frozenset[BodySite]:
        """The regions whose images can show the finding (``other`` can show any)."""
        return _FINDING_SITES[self] | {BodySite.OTHER}


_FINDING_LABELS = {
    ImagingFindingKind.BRONCHIECTASIS: "Bronchiectasis",
    ImagingFindingKind.BRONCHIAL_WALL_THICKENING: "Bronchial wall thickening",
    ImagingFindingKind.CONSOLIDATION: "Consolidation",
    ImagingFindingKind.GLILD: "Granulomatous–lymphocytic interstitial lung disease (GLILD)",
    ImagingFindingKind.CHRONIC_SINUSITIS: "Chronic sinusitis",
    ImagingFindingKind.LYMPHADENOPATHY: "Lymphadenopathy",
    ImagingFindingKind.SPLENOMEGALY: "Splenomegaly",
}
_LUNG = frozenset({BodySite.CHEST})
_FINDING_SITES = {
    ImagingFindingKind.BRONCHIECTASIS: _LUNG,
    ImagingFindingKind.BRONCHIAL_WALL_THICKENING: _LUNG,
    ImagingFindingKind.CONSOLIDATION: _LUNG,
    ImagingFindingKind.GLILD: _LUNG,
    ImagingFindingKind.CHRONIC_SINUSITIS: frozenset({BodySite.SINUSES}),
    ImagingFindingKind.LYMPHADENOPATHY: frozenset({BodySite.CHEST, BodySite.ABDOMEN}),
    ImagingFindingKind.SPLENOMEGALY: frozenset({BodySite.CHEST, BodySite.ABDOMEN}),
}


class Extent(StrEnum):
    """How much of the organ a finding involves (for the lungs: one lobe, several, all)."""

    FOCAL = "focal"
    MULTIFOCAL = "multifocal"
    DIFFUSE = "diffuse"


@dataclass(frozen=True, slots=True, kw_only=True)
class ImagingFinding:
    """One structured finding of a study, e.g. multifocal bronchiectasis."""

    kind: ImagingFindingKind
    extent: Extent | None = None

    @property
    def label(self) -> str:
        """The finding and its extent in words."""
        return self.kind.label + (f" ({self.extent.value})" if self.extent else "")


@dataclass(frozen=True, slots=True, kw_only=True)
class ImagingStudy:
    """An imaging study and what its report found.

    Attributes:
        modality: CT, X-ray, MRI or ultrasound.
        body_site: chest, sinuses, abdomen or other.
        performed_on: the day of the study.
        findings: the structured findings (none when the study was normal); each at most once,
            and each in a region that can show it (no sinusitis on a chest film).
        report: the radiologist's report, free text.
    """

    modality: Modality
    body_site: BodySite
    performed_on: date
    findings: tuple[ImagingFinding, ...] = ()
    report: str | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        seen: set[ImagingFindingKind] = set()
        for index, finding in enumerate(self.findings):
            if finding.kind in seen:
                message = f"{finding.kind.label} is listed twice"
                raise ValidationError.single(f"findings.{index}.kind", message)
            seen.add(finding.kind)
            if self.body_site not in finding.kind.sites:
                raise ValidationError.single(
                    f"findings.{index}.kind",
                    f"{finding.kind.label} cannot be seen on imaging of the {self.body_site.value}",
                )

    def has(self, kind: ImagingFindingKind) -> bool:
        """Whether the study found ``kind``."""
        return any(finding.kind is kind for finding in self.findings)

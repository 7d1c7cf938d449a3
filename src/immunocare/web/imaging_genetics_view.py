"""The work-up page's Imaging and Genetics sections, arranged for reading.

Imaging: every study with its structured findings and the HPO terms each shows, then the studies
the work-up advises (done, or to consider). Genetics: each gene's reading, confirmed first, with
the relatives to offer testing.
"""

from __future__ import annotations

from dataclasses import dataclass

from immunocare.clinical.genetics import GeneticInterpretation, Verdict
from immunocare.clinical.imaging import ImagingAdvice, ImagingTerm
from immunocare.domain import ImagingStudy, Recommendation
from immunocare.services.assessments import PatientWorkup

__all__ = ["GeneticsSection", "ImagingSection", "StudyRow", "genetics_section", "imaging_section"]


@dataclass(frozen=True, slots=True)
class StudyRow:
    """A study by ``as_of`` and the HPO terms its findings show."""

    study: ImagingStudy
    terms: tuple[ImagingTerm, ...]


@dataclass(frozen=True, slots=True)
class ImagingSection:
    """The studies, newest first, and the imaging the work-up advises."""

    studies: tuple[StudyRow, ...]
    advice: tuple[ImagingAdvice, ...]


@dataclass(frozen=True, slots=True)
class GeneticsSection:
    """Each gene's reading (confirmed first) and the family testing advised."""

    readings: tuple[GeneticInterpretation, ...]
    family: tuple[Recommendation, ...]


def imaging_section(workup: PatientWorkup) -> ImagingSection:
    """The Imaging section of one patient's work-up."""
    studies = sorted(
        (s for s in workup.record.imaging if s.performed_on <= workup.as_of),
        key=lambda s: s.performed_on,
        reverse=True,
    )
    rows = tuple(StudyRow(s, tuple(t for t in workup.imaging_terms if t.study == s)) for s in studies)
    return ImagingSection(studies=rows, advice=workup.plan.imaging)


def genetics_section(workup: PatientWorkup) -> GeneticsSection:
    """The Genetics section of one patient's work-up."""
    order = list(Verdict)
    readings = tuple(sorted(workup.genetics, key=lambda reading: order.index(reading.verdict)))
    return GeneticsSection(readings=readings, family=workup.family_testing)

"""Assessing a patient: the clinical core run on a stored record, or on a record document.

- :func:`assess_patient` / :func:`assess_document`: the whole :class:`~immunocare.domain.Assessment`
  (the JSON API and the command line); :func:`assessment_json` turns it into JSON-ready data.
- :func:`recognize_patient`: the record with its warning signs, referral advice and
  secondary-immunodeficiency watch (the chart).
- :func:`workup_patient`: everything the work-up page lays out — laboratory readings, vaccine
  challenges, ESID classification and the staged work-up plan.

Each reads the record once through :func:`~immunocare.services.get_record`, so the read is
authorized and audited like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from immunocare.clinical.assess import assess
from immunocare.clinical.criteria import classify
from immunocare.clinical.genetics import GeneticInterpretation, family_testing
from immunocare.clinical.imaging import ImagingTerm
from immunocare.clinical.labs import LabReading
from immunocare.clinical.recognize import Recognition, recognize
from immunocare.clinical.vaccine_response import VaccineResponse, vaccine_response
from immunocare.clinical.workup import WorkupPlan, workup_plan
from immunocare.domain import Assessment, Finding, PatientRecord, Recommendation

from ._clinical import evaluation_on, plain
from ._context import Actor, ServiceContext
from .documents import record_from_document
from .record import get_record
from .schemas import RecordDocument

__all__ = [
    "PatientRecognition",
    "PatientWorkup",
    "assess_document",
    "assess_patient",
    "assessment_json",
    "recognize_patient",
    "workup_patient",
]


@dataclass(frozen=True, slots=True)
class PatientRecognition:
    """A patient's record with what Recognize found in it as of one day."""

    record: PatientRecord
    as_of: date
    recognition: Recognition


@dataclass(frozen=True, slots=True)
class PatientWorkup:
    """What the work-up page shows for one patient as of one day.

    Attributes:
        record: the whole record.
        as_of: the day of the assessment.
        recognition: warning signs, referral advice, secondary-immunodeficiency watch.
        readings: every laboratory result sampled by ``as_of``, read against its reference, oldest first.
        confounded_from: analytes whose results stop counting for the rules, with the day they stop
            (the first immunoglobulin infusion) and the knowledge item that says why.
        vaccines: the vaccine challenges.
        classification: every ESID working definition, met first.
        plan: the staged work-up plan (its imaging advice included).
        imaging_terms: the HPO terms the record's imaging findings show.
        genetics: each gene with a reported variant, read against the IUIS classification.
        family_testing: the relatives to offer testing, for each confirmed genetic diagnosis.
    """

    record: PatientRecord
    as_of: date
    recognition: Recognition
    readings: tuple[LabReading, ...]
    confounded_from: dict[str, tuple[date, str]]
    vaccines: VaccineResponse
    classification: tuple[Finding, ...]
    plan: WorkupPlan
    imaging_terms: tuple[ImagingTerm, ...] = ()
    genetics: tuple[GeneticInterpretation, ...] = ()
    family_testing: tuple[Recommendation, ...] = ()


def assess_patient(
    ctx: ServiceContext, *, actor: Actor | None, patient_id: int, as_of: date | None = None
) -> Assessment:
    """The assessment of a stored patient (reading the record is authorized and audited)."""
    record = get_record(ctx, actor=actor, patient_id=patient_id)
    return assess(record, ctx.kb, evaluation_on(ctx, record, as_of).as_of)


def recognize_patient(
    ctx: ServiceContext, *, actor: Actor | None, patient_id: int, as_of: date | None = None
) -> PatientRecognition:
    """The record and its warning signs, referral advice and secondary-immunodeficiency watch."""
    record = get_record(ctx, actor=actor, patient_id=patient_id)
    evaluation = evaluation_on(ctx, record, as_of)
    return PatientRecognition(record, evaluation.as_of, recognize(evaluation))


def workup_patient(
    ctx: ServiceContext, *, actor: Actor | None, patient_id: int, as_of: date | None = None
) -> PatientWorkup:
    """Everything the work-up page shows, as of ``as_of`` (today by default)."""
    record = get_record(ctx, actor=actor, patient_id=patient_id)
    evaluation = evaluation_on(ctx, record, as_of)
    day = evaluation.as_of
    return PatientWorkup(
        record=record,
        as_of=day,
        recognition=recognize(evaluation),
        readings=tuple(r for r in evaluation.labs.readings if r.day <= day),
        confounded_from={
            analyte: (start, item.id) for analyte, (start, item) in evaluation.confounded_from.items()
        },
        vaccines=vaccine_response(record, ctx.kb, day),
        classification=classify(evaluation),
        plan=workup_plan(evaluation),
        imaging_terms=evaluation.imaging_terms,
        genetics=evaluation.genetics,
        family_testing=family_testing(evaluation.genetics, ctx.kb),
    )


def assess_document(ctx: ServiceContext, *, document: RecordDocument, as_of: date) -> Assessment:
    """The assessment of a record document, checked as an import would be; nothing is stored."""
    return assess(record_from_document(ctx, document), ctx.kb, as_of)


def assessment_json(assessment: Assessment) -> dict[str, Any]:
    """An assessment as JSON-ready data (the form ``immunocare assess --format json`` prints)."""
    data: dict[str, Any] = plain(assessment)
    return data

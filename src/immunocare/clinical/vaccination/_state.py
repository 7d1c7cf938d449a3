"""The immunodeficiency categories and treatments of the ``vaccination_rules`` topic a record shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from immunocare.domain import (
    CodeSystem,
    DiagnosisStatus,
    Evidence,
    Finding,
    FindingStatus,
    ItemKind,
    summarize,
)
from immunocare.knowledge.topics.sid_drugs import classify_medication
from immunocare.knowledge.topics.vaccination_rules import ImmunodeficiencyCategory, Treatment

from ..criteria import Evaluation
from ..genetics import Verdict
from ..immunoglobulin import infusions_given
from ..recognize import high_dose_course

__all__ = ["Exposure", "VaccinationState", "met_definitions", "vaccination_state"]

_SET_ASIDE = (DiagnosisStatus.REFUTED, DiagnosisStatus.RESOLVED)


@dataclass(frozen=True, slots=True)
class Exposure:
    """A category or treatment that applies to the patient, and what in the record shows it.

    Attributes:
        item: the category or treatment.
        because: the record's data, in words.
        evidence: the record items.
        start: for a treatment, its first day.
        stop: for a treatment, its last day (its last dose); ``None`` while it goes on.
        conditions: what a clinician must confirm for the exposure to count (e.g. a dose not recorded).
    """

    item: ImmunodeficiencyCategory | Treatment
    because: str
    evidence: tuple[Evidence, ...]
    start: date | None = None
    stop: date | None = None
    conditions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class VaccinationState:
    """What the vaccination rules need to know about one patient."""

    categories: tuple[Exposure, ...]
    treatments: tuple[Exposure, ...]

    @property
    def exposures(self) -> tuple[Exposure, ...]:
        """The categories, then the treatments."""
        return self.categories + self.treatments


def _in_iuis(category: ImmunodeficiencyCategory, code: str | None) -> bool:
    return code is not None and any(code == table or code.startswith(f"{table}.") for table in category.iuis)


def _category(evaluation: Evaluation, category: ImmunodeficiencyCategory) -> Exposure | None:
    for diagnosis in evaluation.record.diagnoses:
        if diagnosis.status not in _SET_ASIDE and _in_iuis(category, diagnosis.iuis_category):
            return Exposure(
                category,
                f"{diagnosis.display} ({diagnosis.status.value}, IUIS {diagnosis.iuis_category})",
                (Evidence(summary=summarize(diagnosis), kind=ItemKind.DIAGNOSES, item_id=diagnosis.id),),
            )
    for reading in evaluation.genetics:
        if reading.verdict is Verdict.CONFIRMED and (
            reading.gene in category.genes or _in_iuis(category, reading.iuis_category)
        ):
            return Exposure(category, f"{reading.gene} confirmed genetically", reading.finding.evidence)
    for finding in met_definitions(evaluation, category.esid):
        return Exposure(category, f"ESID working definition met: {finding.title}", finding.evidence)
    return None


def met_definitions(evaluation: Evaluation, ids: tuple[str, ...]) -> list[Finding]:
    """The findings of the ESID working definitions among ``ids`` that the patient meets.

    Ids the knowledge base holds no definition for yet (the categories name a few) are skipped.
    """
    known = {item.id for item in evaluation.kb.topics.get("esid_criteria", ())}
    findings = [evaluation.rule(definition) for definition in ids if definition in known]
    return [finding for finding in findings if finding.status is FindingStatus.MET]


def _medication_exposures(evaluation: Evaluation, treatment: Treatment) -> list[Exposure]:
    found = []
    for medication in evaluation.record.medications:
        if medication.start > evaluation.as_of:
            continue
        atc = medication.code if medication.code_system is CodeSystem.ATC else None
        classes = [
            drug_class
            for drug_class in classify_medication(evaluation.kb, name=medication.name, atc=atc)
            if drug_class.id in treatment.drug_classes
        ]
        if not classes:
            continue
        conditions: tuple[str, ...] = ()
        if treatment.high_dose_only:
            high = [high_dose_course(evaluation, drug_class, medication) for drug_class in classes]
            if not any(high):
                if False in high:
                    continue
                conditions = (
                    f"the {medication.name} course meets the high-dose threshold"
                    " (the record lacks the dose or weight to judge)",
                )
        found.append(
            Exposure(
                treatment,
                f"{medication.name} from {medication.start.isoformat()}"
                + (f" to {medication.stop.isoformat()}" if medication.stop else ", ongoing"),
                (Evidence(summary=summarize(medication), kind=ItemKind.MEDICATIONS, item_id=medication.id),),
                start=medication.start,
                stop=medication.stop,
                conditions=conditions,
            )
        )
    return found


def _infusion_exposure(evaluation: Evaluation, treatment: Treatment) -> list[Exposure]:
    infusions = infusions_given(evaluation.record, evaluation.as_of)
    if not infusions:
        return []
    latest = infusions[-1]
    return [
        Exposure(
            treatment,
            f"{len(infusions)} immunoglobulin infusion(s), the latest {latest.product} "
            f"on {latest.given_on.isoformat()}",
            (Evidence(summary=summarize(latest), kind=ItemKind.INFUSIONS, item_id=latest.id),),
            start=infusions[0].given_on,
        )
    ]


def vaccination_state(evaluation: Evaluation) -> VaccinationState:
    """The categories the record maps to and the treatments it shows, as of the evaluation's day.

    A transplant is not yet a kind of record item, so treatments shown by a transplant are not found.
    """
    kb = evaluation.kb
    categories = tuple(
        exposure
        for category in kb.of(ImmunodeficiencyCategory)
        if (exposure := _category(evaluation, category))
    )
    treatments: list[Exposure] = []
    for treatment in kb.of(Treatment):
        if treatment.evidence == "medication":
            treatments += _medication_exposures(evaluation, treatment)
        elif treatment.evidence == "immunoglobulin_infusion":
            treatments += _infusion_exposure(evaluation, treatment)
    return VaccinationState(categories=categories, treatments=tuple(treatments))

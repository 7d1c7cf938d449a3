"""The immunodeficiency categories and treatments of the ``vaccination_rules`` topic a record shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from immunocare.domain import (
    CodeSystem,
    DiagnosisStatus,
    Evidence,
    ItemKind,
    Quantity,
    summarize,
)
from immunocare.knowledge import KBItem
from immunocare.knowledge.topics.sid_drugs import classify_medication
from immunocare.knowledge.topics.vaccination_rules import (
    AntibodyInterval,
    ImmunodeficiencyCategory,
    Treatment,
)

from ..criteria import Evaluation
from ..groups import membership
from ..growth import latest_weight
from ..immunoglobulin import infusions_given
from ..recognize import high_dose_course

__all__ = ["Exposure", "VaccinationState", "vaccination_state"]

_DOSE, _WEIGHT, _DOSE_PER_KG, _PER_KG = "g", "kg", "g/kg", "mg/kg"
"""Doses are divided in g/kg, and rounded in the conversion to the table's mg/kg."""
_UNTOLD = "the antibody interval after the latest dose has not passed (no weight or row to tell)"


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
        sources: the code mappings that placed the patient in a category, for their citations.
        verified: ``False`` when a code mapping relied on is unverified.
    """

    item: ImmunodeficiencyCategory | Treatment
    because: str
    evidence: tuple[Evidence, ...]
    start: date | None = None
    stop: date | None = None
    conditions: tuple[str, ...] = ()
    sources: tuple[KBItem, ...] = ()
    verified: bool = True


@dataclass(frozen=True, slots=True)
class VaccinationState:
    """What the vaccination rules need to know about one patient.

    Attributes:
        categories: the immunodeficiency categories the record maps to.
        treatments: the treatments given up to the day.
        planned: the treatments recorded to start after the day.
    """

    categories: tuple[Exposure, ...]
    treatments: tuple[Exposure, ...]
    planned: tuple[Exposure, ...] = ()

    @property
    def exposures(self) -> tuple[Exposure, ...]:
        """The categories, then the treatments."""
        return self.categories + self.treatments


def _category(evaluation: Evaluation, category: ImmunodeficiencyCategory) -> Exposure | None:
    found = membership(evaluation, category)
    if found is None:
        return None
    return Exposure(category, found.because, found.evidence, sources=found.sources, verified=found.verified)


def _medication_exposures(evaluation: Evaluation, treatment: Treatment) -> list[Exposure]:
    found = []
    for medication in evaluation.record.medications:
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


def antibody_interval(
    evaluation: Evaluation, dose: Quantity, weight: Quantity | None
) -> tuple[AntibodyInterval | None, Quantity | None]:
    """The interval row for an immunoglobulin dose, and the dose per kilogram it was chosen by.

    The row whose dose range holds the dose, else the row with the next higher dose; no row when
    the weight is unknown or the dose is above every row.
    """
    if weight is None:
        return None, None
    per_kg = Quantity(dose.value_in(_DOSE) / weight.value_in(_WEIGHT), _DOSE_PER_KG).to(_PER_KG)
    rows = sorted(evaluation.kb.of(AntibodyInterval), key=lambda row: row.dose_from.value_in(_PER_KG))
    amount = per_kg.value
    holding = [r for r in rows if r.dose_from.value_in(_PER_KG) <= amount <= r.dose_to.value_in(_PER_KG)]
    higher = [r for r in rows if r.dose_from.value_in(_PER_KG) > amount]
    return next(iter(holding or higher), None), per_kg


def _infusion_exposure(evaluation: Evaluation, treatment: Treatment) -> list[Exposure]:
    """Immunoglobulin given, until the antibody interval after the latest dose has passed.

    Without an interval row (no weight, or a dose above every row) the exposure holds for certain
    only within the table's shortest interval of the latest dose; after that it is to be confirmed.
    """
    infusions = infusions_given(evaluation.record, evaluation.as_of)
    if not infusions:
        return []
    latest = infusions[-1]
    measured = latest_weight(evaluation.record, latest.given_on)
    row, per_kg = antibody_interval(evaluation, latest.dose, measured.value if measured else None)
    because = (
        f"{len(infusions)} immunoglobulin infusion(s), the latest {latest.product} "
        f"on {latest.given_on.isoformat()}"
    )
    conditions: tuple[str, ...] = ()
    if row is None or per_kg is None:
        shortest = min(
            (r.interval for r in evaluation.kb.of(AntibodyInterval)), key=lambda d: d.span_in_days()[0]
        )
        if shortest.add_to(latest.given_on) > evaluation.as_of:
            because += f" (within {shortest.label} of it: the shortest antibody interval)"
        else:
            conditions = (_UNTOLD,)
    else:
        until = row.interval.add_to(latest.given_on)
        if until <= evaluation.as_of:
            return []
        because += f" ({per_kg.value:g} mg/kg: {row.title}, until {until.isoformat()})"
    return [
        Exposure(
            treatment,
            because,
            (Evidence(summary=summarize(latest), kind=ItemKind.INFUSIONS, item_id=latest.id),),
            start=infusions[0].given_on,
            conditions=conditions,
        )
    ]


_UNDATED = "the time since the transplant is within the rule's window (its date is not recorded)"


def _transplant_exposures(evaluation: Evaluation, treatment: Treatment) -> list[Exposure]:
    """Transplants recorded as a status-code diagnosis; its date is the day of the transplant."""
    found = []
    recorded = [d for d in evaluation.record.diagnoses if d.code.startswith(treatment.icd10_prefixes)]
    for diagnosis in recorded:
        when = diagnosis.diagnosed_on
        if diagnosis.status is DiagnosisStatus.REFUTED:
            continue
        if when is not None and when > evaluation.as_of:
            continue
        found.append(
            Exposure(
                treatment,
                f"{diagnosis.display} ({diagnosis.code})"
                + (f" on {when.isoformat()}" if when else ", date not recorded"),
                (Evidence(summary=summarize(diagnosis), kind=ItemKind.DIAGNOSES, item_id=diagnosis.id),),
                start=when,
                conditions=() if when else (_UNDATED,),
            )
        )
    return found


def vaccination_state(evaluation: Evaluation) -> VaccinationState:
    """The categories the record maps to and the treatments it shows, as of the evaluation's day.

    A medication recorded with a start after that day is a planned treatment, kept apart.
    """
    kb = evaluation.kb
    categories = tuple(
        exposure
        for category in kb.of(ImmunodeficiencyCategory)
        if (exposure := _category(evaluation, category))
    )
    treatments: list[Exposure] = []
    planned: list[Exposure] = []
    for treatment in kb.of(Treatment):
        if treatment.evidence == "medication":
            for exposure in _medication_exposures(evaluation, treatment):
                later = exposure.start is not None and exposure.start > evaluation.as_of
                (planned if later else treatments).append(exposure)
        elif treatment.evidence == "immunoglobulin_infusion":
            treatments += _infusion_exposure(evaluation, treatment)
        else:
            treatments += _transplant_exposures(evaluation, treatment)
    return VaccinationState(categories=categories, treatments=tuple(treatments), planned=tuple(planned))

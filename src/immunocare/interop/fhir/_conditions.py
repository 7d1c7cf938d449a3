"""Conditions: infections (by the knowledge base's coded_conditions), HPO phenotypes, diagnoses.

A Condition becomes, in this order of preference:

1. an infection, when one of its ICD-10-CM or SNOMED CT codes is an infection code of the
   knowledge base (site, pathogen class and abscess come from there; severity from
   ``Condition.severity``, FHIR's condition-severity codes, moderate when not sent);
2. a phenotype, when it carries an HPO term (refuted means explicitly excluded);
3. a diagnosis, by its ICD-10-CM code, else its SNOMED CT code.

Entered-in-error conditions are passed over, as are refuted infections.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.condition import Condition

from immunocare.domain import CodeSystem, Diagnosis, DiagnosisStatus, Phenotype, Severity
from immunocare.errors import ValidationError
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.coded_conditions import InfectionCodes, InfectionIndex

from ._codes import codings, concept_text, day_of, hpo_terms
from ._read import referenced_id
from ._report import Skipped, Sourced, label

__all__ = ["ConditionsRead", "InfectionDraft", "read_conditions"]

SEVERITY = {"24484000": Severity.SEVERE, "6736007": Severity.MODERATE, "255604002": Severity.MILD}
"""FHIR's condition-severity value set (SNOMED CT), http://hl7.org/fhir/ValueSet/condition-severity."""

_SUSPECTED = frozenset({"unconfirmed", "provisional", "differential"})
_RESOLVED = frozenset({"inactive", "remission", "resolved"})


@dataclass(frozen=True, slots=True)
class InfectionDraft:
    """An infection read from a Condition, before its stays and antibiotic courses are joined."""

    condition_id: str | None
    encounter_id: str | None
    codes: InfectionCodes
    onset: date
    end: date | None
    severity: Severity
    source: str


@dataclass(frozen=True, slots=True)
class ConditionsRead:
    """What the Conditions gave."""

    infections: tuple[InfectionDraft, ...]
    diagnoses: tuple[Sourced[Diagnosis], ...]
    phenotypes: tuple[Sourced[Phenotype], ...]
    skipped: tuple[Skipped, ...]


def _status_code(concept: CodeableConcept | None) -> str | None:
    return next((c.code for c in concept.coding or [] if c.code), None) if concept else None


def _onset(condition: Condition, zone: ZoneInfo) -> date | None:
    period_start = condition.onsetPeriod.start if condition.onsetPeriod else None
    return (
        day_of(condition.onsetDateTime, zone)
        or day_of(period_start, zone)
        or day_of(condition.recordedDate, zone)
    )


def _severity(condition: Condition) -> Severity:
    coded = condition.severity.coding or [] if condition.severity else []
    return next((SEVERITY[c.code] for c in coded if c.code in SEVERITY), Severity.MODERATE)


def _infection(
    condition: Condition, index: InfectionIndex, zone: ZoneInfo
) -> InfectionDraft | Skipped | None:
    found = next(
        (item for coded in codings(condition.code) if (item := index.find(coded.system, coded.code))),
        None,
    )
    if found is None:
        return None
    if _status_code(condition.verificationStatus) == "refuted":
        return Skipped(label(condition), "refuted infection")
    onset = _onset(condition, zone)
    if onset is None:
        return Skipped(label(condition), "infection without a full onset or recorded date")
    end = day_of(condition.abatementDateTime, zone)
    return InfectionDraft(
        condition_id=condition.id,
        encounter_id=referenced_id(condition.encounter, "Encounter"),
        codes=found,
        onset=onset,
        end=end if end is not None and end >= onset else None,
        severity=_severity(condition),
        source=label(condition),
    )


def _phenotypes(condition: Condition, zone: ZoneInfo, ids: Iterator[int]) -> list[Phenotype]:
    excluded = _status_code(condition.verificationStatus) == "refuted"
    words = concept_text(condition.code)
    return [
        Phenotype(
            hpo_id=term,
            label=display or words or term,
            excluded=excluded,
            onset=_onset(condition, zone),
            id=next(ids),
        )
        for term, display in hpo_terms(condition.code)
    ]


def _diagnosis_status(condition: Condition) -> DiagnosisStatus:
    verification = _status_code(condition.verificationStatus)
    if verification == "refuted":
        return DiagnosisStatus.REFUTED
    if verification in _SUSPECTED:
        return DiagnosisStatus.SUSPECTED
    if _status_code(condition.clinicalStatus) in _RESOLVED:
        return DiagnosisStatus.RESOLVED
    return DiagnosisStatus.CONFIRMED


def _diagnosis(condition: Condition, zone: ZoneInfo, ids: Iterator[int]) -> Diagnosis | None:
    found = sorted(
        (c for c in codings(condition.code) if c.system in (CodeSystem.ICD10CM, CodeSystem.SNOMED)),
        key=lambda c: c.system is not CodeSystem.ICD10CM,
    )
    if not found:
        return None
    first = found[0]
    return Diagnosis(
        code=first.code,
        system=first.system,
        display=concept_text(condition.code) or first.display or first.code,
        status=_diagnosis_status(condition),
        diagnosed_on=_onset(condition, zone),
        id=next(ids),
    )


def _one(
    condition: Condition, index: InfectionIndex, zone: ZoneInfo, ids: Iterator[int]
) -> InfectionDraft | Skipped | Diagnosis | list[Phenotype]:
    if _status_code(condition.verificationStatus) == "entered-in-error":
        return Skipped(label(condition), "entered in error")
    infection = _infection(condition, index, zone)
    if infection is not None:
        return infection
    try:
        phenotypes = _phenotypes(condition, zone, ids)
        diagnosis = None if phenotypes else _diagnosis(condition, zone, ids)
    except ValidationError as error:
        return Skipped(label(condition), f"not readable: {error}")
    if phenotypes:
        return phenotypes
    return diagnosis or Skipped(label(condition), "no ICD-10-CM, SNOMED CT or HPO code immunocare reads")


def read_conditions(
    conditions: Iterable[Condition], kb: KnowledgeBase, zone: ZoneInfo, ids: Iterator[int]
) -> ConditionsRead:
    """Sort each Condition into an infection, phenotypes, a diagnosis, or a skipped resource.

    Diagnoses and phenotypes take their record ids from ``ids``.
    """
    infections: list[InfectionDraft] = []
    diagnoses: list[Sourced[Diagnosis]] = []
    phenotypes: list[Sourced[Phenotype]] = []
    skipped: list[Skipped] = []
    index = InfectionIndex.of(kb)
    for condition in conditions:
        result = _one(condition, index, zone, ids)
        if isinstance(result, InfectionDraft):
            infections.append(result)
        elif isinstance(result, Diagnosis):
            diagnoses.append(Sourced(result, label(condition)))
        elif isinstance(result, Skipped):
            skipped.append(result)
        else:
            phenotypes.extend(Sourced(phenotype, label(condition)) for phenotype in result)
    return ConditionsRead(tuple(infections), tuple(diagnoses), tuple(phenotypes), tuple(skipped))

"""What the mapping reads from FHIR data types: code systems, codings, quantities, dates.

Code-system URIs are those FHIR R4 names (terminology.hl7.org); a coding of another system, or
a code whose form is wrong for its system, is not read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding

from immunocare.domain import CodeSystem, Quantity
from immunocare.domain.codes import code_problem, hpo_problem, loinc_problem
from immunocare.domain.units import normalize_unit
from immunocare.errors import ValidationError

__all__ = [
    "HPO_SYSTEMS",
    "LOINC",
    "Coded",
    "codings",
    "concept_text",
    "day_of",
    "hpo_terms",
    "instant_of",
    "loinc_codes",
    "quantity_of",
]

SYSTEMS: dict[str, CodeSystem] = {
    "http://hl7.org/fhir/sid/icd-10-cm": CodeSystem.ICD10CM,
    "http://snomed.info/sct": CodeSystem.SNOMED,
    "http://www.nlm.nih.gov/research/umls/rxnorm": CodeSystem.RXNORM,
    "http://www.whocc.no/atc": CodeSystem.ATC,
}
"""The code systems immunocare reads, by their FHIR URI."""

LOINC = "http://loinc.org"
HPO_SYSTEMS = frozenset({"http://human-phenotype-ontology.org", "http://purl.obolibrary.org/obo/hp.owl"})


@dataclass(frozen=True, slots=True)
class Coded:
    """One coding immunocare can read: its system, code and display."""

    system: CodeSystem
    code: str
    display: str | None


def _codings_of(concept: CodeableConcept | None) -> list[Coding]:
    return list(concept.coding or []) if concept is not None else []


def codings(concept: CodeableConcept | None) -> Iterator[Coded]:
    """The codings of known systems whose code has the system's form, in the order sent."""
    for coding in _codings_of(concept):
        system = SYSTEMS.get(coding.system or "")
        if system is not None and coding.code and code_problem(system, coding.code) is None:
            yield Coded(system, coding.code, coding.display)


def loinc_codes(concept: CodeableConcept | None) -> list[str]:
    """The well-formed LOINC codes of a concept (check digit included)."""
    return [
        c.code for c in _codings_of(concept) if c.system == LOINC and c.code and loinc_problem(c.code) is None
    ]


def hpo_terms(concept: CodeableConcept | None) -> list[tuple[str, str | None]]:
    """The HPO term ids (with their displays) of a concept."""
    return [
        (c.code, c.display)
        for c in _codings_of(concept)
        if c.system in HPO_SYSTEMS and c.code and hpo_problem(c.code) is None
    ]


def concept_text(concept: CodeableConcept | None) -> str | None:
    """What a concept says in words: its text, else its first coding's display."""
    if concept is None:
        return None
    if concept.text and concept.text.strip():
        return concept.text.strip()
    return next((c.display.strip() for c in _codings_of(concept) if c.display and c.display.strip()), None)


def day_of(value: object, zone: ZoneInfo) -> date | None:
    """The day of a FHIR date or dateTime (in the center's zone); ``None`` when only a year or month."""
    if isinstance(value, datetime):
        return value.astimezone(zone).date()
    if isinstance(value, date):
        return value
    return None


def instant_of(value: object, zone: ZoneInfo) -> datetime | None:
    """A timezone-aware moment: a dateTime as sent, a bare date at midnight in the center's zone."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=zone)
    return None


def quantity_of(value: Decimal | float | None, unit: str | None, code: str | None, *, field: str) -> Quantity:
    """A FHIR Quantity's value with its UCUM unit (the code first, else the unit as written).

    Raises:
        ValidationError: no number, or a unit immunocare does not know.
    """
    if value is None:
        raise ValidationError.single(field, "has no value")
    written = code or unit
    if not written:
        raise ValidationError.single(field, "has no unit")
    return Quantity(float(value), normalize_unit(written, field=f"{field}.unit"))

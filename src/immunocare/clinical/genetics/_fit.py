"""Whether the patient's laboratory pattern and phenotypes fit an IUIS entry."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from immunocare.domain import Evidence, ItemKind
from immunocare.knowledge.topics.genetics import LabColumn
from immunocare.knowledge.topics.iuis import IuisEntry

from ..criteria import is_or_below
from ..labs import Flag, LabReading

if TYPE_CHECKING:
    from ..criteria import Evaluation

__all__ = ["Fit", "PhenotypeFit", "phenotype_fit"]


class Fit(StrEnum):
    """How the record compares with a disease's pattern."""

    CONSISTENT = "consistent"
    INCONSISTENT = "inconsistent"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True, kw_only=True)
class PhenotypeFit:
    """The comparison, with every check in words and the items it read."""

    fit: Fit
    checks: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    rules: tuple[LabColumn, ...]


def _first(column: LabColumn, evaluation: Evaluation) -> LabReading | None:
    """The first result on record: IUIS describes the untreated disease, not the treated patient."""
    readings = []
    for analyte in column.analytes:
        confounded = evaluation.confounded_from.get(analyte)
        readings += [
            reading
            for reading in evaluation.labs.of_analyte(analyte, until=evaluation.as_of)
            if reading.flag is not Flag.UNKNOWN and (confounded is None or reading.day < confounded[0])
        ]
    return min(readings, key=lambda reading: reading.day, default=None)


def _lab_checks(entry: IuisEntry, evaluation: Evaluation) -> list[tuple[bool, str, LabColumn, LabReading]]:
    checks = []
    for column in evaluation.kb.of(LabColumn):
        pattern = getattr(entry, column.column)
        reading = _first(column, evaluation) if pattern is not None else None
        if reading is None:
            continue
        allowed = next((p.flags for p in column.patterns if p.pattern is pattern), ())
        agrees = reading.flag.value in allowed
        text = (
            f"{column.title}: IUIS prints {pattern.value}, the first result is {reading.describe()}"
            f" ({'agrees' if agrees else 'disagrees'})"
        )
        checks.append((agrees, text, column, reading))
    return checks


def _observed_terms(entry: IuisEntry, evaluation: Evaluation) -> tuple[list[str], list[Evidence]]:
    targets = tuple(t for t in (entry.hpo_subtable, *entry.hpo_extra) if t)
    if not targets:
        return [], []
    names, evidence = [], []
    for phenotype in evaluation.record.phenotypes:
        if not phenotype.excluded and is_or_below(evaluation, phenotype.hpo_id, targets, True):
            names.append(f"{phenotype.label} ({phenotype.hpo_id})")
            evidence.append(Evidence(summary=phenotype.label, kind=ItemKind.PHENOTYPES, item_id=phenotype.id))
    for term in evaluation.imaging_terms:
        if is_or_below(evaluation, term.hpo_id, targets, True):
            names.append(f"{term.label} ({term.hpo_id}, on imaging)")
            evidence.append(term.evidence)
    return names, evidence


def phenotype_fit(entry: IuisEntry, evaluation: Evaluation) -> PhenotypeFit:
    """Inconsistent when a laboratory column disagrees; consistent when something agrees."""
    labs = _lab_checks(entry, evaluation)
    names, evidence = _observed_terms(entry, evaluation)
    checks = [text for _, text, _, _ in labs]
    if names:
        checks.append("phenotypes of the disease's IUIS terms observed: " + ", ".join(names))
    evidence += [e for _, _, _, reading in labs for e in reading.evidence()]
    if any(not agrees for agrees, _, _, _ in labs):
        fit = Fit.INCONSISTENT
    elif labs or names:
        fit = Fit.CONSISTENT
    else:
        fit = Fit.UNKNOWN
        checks.append("no result of the disease's laboratory columns and none of its phenotypes on record")
    rules = tuple(dict.fromkeys(column for _, _, column, _ in labs))
    return PhenotypeFit(fit=fit, checks=tuple(checks), evidence=tuple(evidence), rules=rules)

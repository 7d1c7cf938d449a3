"""The differential diagnosis as the command line and the web use it: cases in, ranked genes out.

A batch case is ``{"id", "sex", "age" (ISO 8601 duration or null), "observed_hpo": [...],
"excluded_hpo": [...]}``; its result is ``{"id", "genes", "diseases", "scores"}`` (scores are
log10 likelihood ratios, best first). Unknown or obsolete HPO ids never stop a batch: they are
replaced or left out, and :func:`rank_case` returns them as issues.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from immunocare.clinical.differential import (
    Differential,
    DifferentialModel,
    GenePanel,
    PhenotypeQuery,
    RecordPhenotypes,
    TermIssue,
    gene_panel,
    model_for,
    rank,
    record_phenotypes,
    score_all,
)
from immunocare.domain import Sex
from immunocare.domain.ages import Duration
from immunocare.errors import ValidationError
from immunocare.interop.phenopackets import export_phenopacket
from immunocare.knowledge.hpo import Hpo
from immunocare.knowledge.topics.iuis import IuisIndex

from ._context import Actor, ServiceContext
from .record import get_record

__all__ = [
    "CaseResult",
    "PatientDifferential",
    "parse_age",
    "parse_case",
    "parse_sex",
    "patient_differential",
    "rank_batch",
    "rank_case",
]

_SEXES = {"MALE": Sex.MALE, "FEMALE": Sex.FEMALE}


def parse_sex(text: str | None, field: str = "sex") -> Sex | None:
    """``MALE`` / ``FEMALE`` (any case) or ``None``; anything else names ``field``."""
    if text is None:
        return None
    if not isinstance(text, str) or text.upper() not in _SEXES:
        raise ValidationError.single(field, f"{text!r}: use MALE or FEMALE")
    return _SEXES[text.upper()]


def parse_age(text: str | None, field: str = "age") -> Duration | None:
    """An ISO 8601 duration (``P2Y``) or ``None``."""
    if text is None:
        return None
    try:
        return Duration.parse(text)
    except ValueError as error:
        raise ValidationError.single(field, str(error)) from None


def _terms(case: Mapping[str, Any], name: str, where: str) -> tuple[str, ...]:
    terms = case.get(name, [])
    if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
        raise ValidationError.single(f"{where}{name}", "must be a list of HPO ids")
    return tuple(terms)


def parse_case(case: Any, *, where: str = "") -> PhenotypeQuery:
    """One batch case as a query; ``where`` prefixes field names in errors (``line 3: ``)."""
    if not isinstance(case, Mapping):
        raise ValidationError.single(f"{where}case", "must be a JSON object")
    case_id = case.get("id")
    if case_id is not None and not isinstance(case_id, str | int):
        raise ValidationError.single(f"{where}id", "must be a string")
    return PhenotypeQuery(
        observed=_terms(case, "observed_hpo", where),
        excluded=_terms(case, "excluded_hpo", where),
        sex=parse_sex(case.get("sex"), f"{where}sex"),
        age=parse_age(case.get("age"), f"{where}age"),
        id=None if case_id is None else str(case_id),
    )


@dataclass(frozen=True, slots=True)
class CaseResult:
    """A case's output line and the terms that were replaced or left out."""

    line: dict[str, Any]
    issues: tuple[TermIssue, ...]


def rank_case(model: DifferentialModel, query: PhenotypeQuery, *, top: int) -> CaseResult:
    """One case ranked, as its output line (scores are log10 likelihood ratios)."""
    scores = score_all(model, query)
    order = scores.order(top)
    candidates = [model.candidates[i] for i in order]
    line = {
        "id": query.id,
        "genes": list(dict.fromkeys(gene for c in candidates for gene in c.genes)),
        "diseases": [c.id for c in candidates],
        "scores": [round(float(scores.totals[i]) / math.log(10), 3) for i in order],
    }
    return CaseResult(line, scores.issues)


def rank_batch(model: DifferentialModel, lines: Iterable[str], *, top: int) -> Iterator[CaseResult]:
    """Each non-blank JSON line ranked; a malformed line raises, naming its line number."""
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        where = f"line {number}: "
        try:
            case = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValidationError.single(f"{where}case", f"not JSON ({error.msg})") from None
        yield rank_case(model, parse_case(case, where=where), top=top)


@dataclass(frozen=True, slots=True)
class PatientDifferential:
    """The work-up page's differential: the record's terms (with the page's edits), ranks, panel."""

    patient_id: int
    as_of: date
    phenotypes: RecordPhenotypes
    query: PhenotypeQuery
    differential: Differential
    panel: GenePanel
    acknowledgement: str
    hpo: Hpo

    def phenopacket(self, created: datetime) -> dict[str, Any]:
        """The phenotype ranked on, as a Phenopacket v2 document."""
        return export_phenopacket(
            self.query, self.hpo, packet_id=f"immunocare-patient-{self.patient_id}", created=created
        )


def _edited(query: PhenotypeQuery, added: Iterable[str], removed: Iterable[str]) -> PhenotypeQuery:
    gone = set(removed)
    observed = tuple(dict.fromkeys(t for t in (*query.observed, *added) if t not in gone))
    excluded = tuple(t for t in query.excluded if t not in gone and t not in observed)
    return PhenotypeQuery(observed=observed, excluded=excluded, sex=query.sex, age=query.age, id=query.id)


def patient_differential(
    ctx: ServiceContext,
    *,
    actor: Actor | None,
    patient_id: int,
    as_of: date | None = None,
    added: Iterable[str] = (),
    removed: Iterable[str] = (),
    top: int = 10,
) -> PatientDifferential:
    """The differential of a patient's record as of ``as_of`` (today by default).

    ``added`` and ``removed`` are HPO ids the clinician adds or takes away on the page for this
    ranking only; the record is not changed.
    """
    record = get_record(ctx, actor=actor, patient_id=patient_id)
    day = as_of or ctx.today()
    phenotypes = record_phenotypes(record, ctx.kb, day)
    query = _edited(phenotypes.query(query_id=f"patient-{patient_id}"), added, removed)
    differential = rank(model_for(ctx.kb), query, top=top)
    return PatientDifferential(
        patient_id=patient_id,
        as_of=day,
        phenotypes=phenotypes,
        query=PhenotypeQuery(
            observed=differential.observed,
            excluded=differential.excluded,
            sex=query.sex,
            age=query.age,
            id=query.id,
        ),
        differential=differential,
        panel=gene_panel(differential, IuisIndex.from_kb(ctx.kb)),
        acknowledgement=ctx.kb.hpo.acknowledgement,
        hpo=ctx.kb.hpo,
    )

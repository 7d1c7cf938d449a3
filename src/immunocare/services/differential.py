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
from typing import Any

from immunocare.clinical.differential import DifferentialModel, PhenotypeQuery, TermIssue, score_all
from immunocare.domain import Sex
from immunocare.domain.ages import Duration
from immunocare.errors import ValidationError

__all__ = ["CaseResult", "parse_age", "parse_case", "parse_sex", "rank_batch", "rank_case"]

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
        "scores": [round(scores.totals[i] / math.log(10), 3) for i in order],
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

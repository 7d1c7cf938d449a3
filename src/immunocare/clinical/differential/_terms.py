"""HPO term ids as hpo3's integers, and the query's terms checked against the release."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from immunocare.domain.codes import hpo_problem

__all__ = ["CheckedTerms", "TermIssue", "check_terms", "term_id", "term_number"]


def term_number(term: str) -> int:
    """``HP:0004315`` → ``4315`` (the id must be well formed)."""
    return int(term.removeprefix("HP:"))


def term_id(number: int) -> str:
    """``4315`` → ``HP:0004315``."""
    return f"HP:{number:07d}"


@dataclass(frozen=True, slots=True)
class TermIssue:
    """A query term that was replaced or left out, and why."""

    term: str
    problem: str
    replaced_by: str | None = None


@dataclass(frozen=True, slots=True)
class CheckedTerms:
    """The query's terms as current HPO numbers, with what was replaced or left out."""

    numbers: tuple[int, ...]
    issues: tuple[TermIssue, ...]


def _check(ontology: Any, term: str) -> tuple[int | None, TermIssue | None]:
    problem = hpo_problem(term)
    if problem:
        return None, TermIssue(term, problem)
    try:
        found = ontology.get_hpo_object(term)
    except (RuntimeError, KeyError, ValueError):
        return None, TermIssue(term, f"not a term of HPO {ontology.version()}")
    if not found.is_obsolete:
        return term_number(found.id), None
    if found.replaced_by:
        return term_number(found.replaced_by), TermIssue(term, "obsolete", found.replaced_by)
    return None, TermIssue(term, "obsolete, without a replacement")


def check_terms(ontology: Any, terms: Iterable[str]) -> CheckedTerms:
    """Each term as a current HPO number: obsolete ones replaced, unknown ones reported, never raised."""
    numbers: dict[int, None] = {}
    issues = []
    for term in terms:
        number, issue = _check(ontology, term.strip())
        if number is not None:
            numbers[number] = None
        if issue is not None:
            issues.append(issue)
    return CheckedTerms(tuple(numbers), tuple(issues))

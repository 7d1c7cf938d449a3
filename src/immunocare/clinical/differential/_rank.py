"""Ranking candidates by a likelihood ratio, LIRICAL-style, and explaining each rank.

For an observed term ``t`` and a candidate ``d`` the ratio compares P(t | d) with P(t) in the
background of all OMIM diseases:

- ``t`` is annotated to ``d`` or is an ancestor of an annotation: ``f / bg(t)``, with ``f`` the
  annotated frequency (hpo3 has none per annotation, so one parameter stands for all);
- otherwise the most informative ancestor ``a`` of ``t`` that ``d`` carries gives partial credit,
  interpolated on ``r = IC(a) / IC(t)`` in log space between ``f / bg(a)`` and the ratio of an
  unexplained term;
- a laboratory term whose IUIS column the candidate contradicts gets the contradiction ratio.

An excluded term the candidate carries gives ``(1 - f) / (1 - bg)``; one it does not carry,
``1 / (1 - bg)``. An X-linked recessive candidate in a female gets the X-linked ratio. The
candidates' log ratios sum, and the post-test probability is the softmax over all candidates
(a uniform prior). The parameters are in :mod:`._method`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from immunocare.domain import Sex
from immunocare.domain.ages import Duration

from ._model import Candidate, DifferentialModel, Vector
from ._terms import TermIssue, check_terms, term_id

__all__ = ["Differential", "PhenotypeQuery", "RankedDisease", "Scores", "TermMatch", "rank", "score_all"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PhenotypeQuery:
    """What the differential ranks on: HPO ids observed and excluded, sex and age.

    ``age`` is the patient's age on the day: a disease whose earliest annotated onset class begins
    later gets the onset ratio.
    """

    observed: tuple[str, ...]
    excluded: tuple[str, ...] = ()
    sex: Sex | None = None
    age: Duration | None = None
    id: str | None = None


@dataclass(frozen=True, slots=True)
class TermMatch:
    """How one observed term met a candidate: the candidate's term it matched, and its ratio."""

    term: str
    label: str
    matched: str | None
    matched_label: str | None
    log10_ratio: float


@dataclass(frozen=True, slots=True)
class RankedDisease:
    """A ranked candidate with its evidence.

    Attributes:
        supporting: observed terms that raise the ratio, with the candidate's term they matched.
        against: observed terms that lower it (unexplained, or contradicted by an IUIS column).
        excluded_present: excluded terms the candidate carries.
        absent: the candidate's most specific features the patient is not recorded with.
        sex_note: why the sex lowered the ratio, when it did.
        onset_note: why the age lowered the ratio, when it did.
    """

    rank: int
    candidate: Candidate
    log10_ratio: float
    probability: float
    supporting: tuple[TermMatch, ...]
    against: tuple[TermMatch, ...]
    excluded_present: tuple[tuple[str, str], ...]
    absent: tuple[tuple[str, str], ...]
    sex_note: str | None
    onset_note: str | None = None

    def explanation(self) -> str:
        """The evidence in one sentence a clinician can check."""
        parts = [f"{self.candidate.name}: likelihood ratio 10^{self.log10_ratio:.1f}"]
        if self.supporting:
            parts.append("supported by " + ", ".join(_match_text(m) for m in self.supporting))
        if self.against:
            parts.append("not explained: " + ", ".join(m.label for m in self.against))
        if self.excluded_present:
            parts.append("excluded but expected: " + ", ".join(label for _, label in self.excluded_present))
        if self.absent:
            parts.append("expected, not recorded: " + ", ".join(label for _, label in self.absent))
        parts.extend(note for note in (self.sex_note, self.onset_note) if note)
        return "; ".join(parts) + "."


def _match_text(match: TermMatch) -> str:
    if match.matched in (None, match.term):
        return match.label
    return f"{match.label} (as {match.matched_label})"


@dataclass(frozen=True, slots=True)
class Differential:
    """The ranked candidates for one query, with the terms used and those replaced or left out."""

    query: PhenotypeQuery
    mode: str
    hpo_release: str
    observed: tuple[str, ...]
    excluded: tuple[str, ...]
    issues: tuple[TermIssue, ...]
    ranked: tuple[RankedDisease, ...]

    @property
    def genes(self) -> tuple[str, ...]:
        """The genes of the ranked candidates, each at the rank of its best candidate."""
        return tuple(dict.fromkeys(gene for r in self.ranked for gene in r.candidate.genes))


def _observed_vector(model: DifferentialModel, term: int) -> Vector:
    key = ("observed", term)
    cached = model._cache.get(key)
    if cached is not None:
        return cached
    p = model.parameters
    unexplained = math.log(p.unexplained_term_probability)
    own = model.ic(term)
    chain = model.chain(term)
    count = len(model.candidates)
    covering = next((n for n, a in enumerate(chain) if len(model.with_term.get(a, ())) == count), len(chain))
    vector = np.full(count, unexplained)
    for ancestor in reversed(chain[: covering + 1]):
        carriers = model.with_term.get(ancestor)
        if carriers is not None:
            share = model.ic(ancestor) / own if own else 1.0
            vector[carriers] = (
                share * math.log(p.annotated_frequency / model.bg(ancestor)) + (1 - share) * unexplained
            )
    contradiction = math.log(p.contradicted_term_ratio)
    for ancestor in chain:
        contradicting = model.contradicted.get(ancestor)
        if contradicting is not None:
            vector[contradicting] = contradiction
    return _remembered(model, key, vector)


def _excluded_vector(model: DifferentialModel, term: int) -> Vector:
    key = ("excluded", term)
    cached = model._cache.get(key)
    if cached is not None:
        return cached
    absent = 1 - model.bg(term)
    vector = np.full(len(model.candidates), -math.log(absent))
    carriers = model.with_term.get(term)
    if carriers is not None:
        vector[carriers] = math.log((1 - model.parameters.annotated_frequency) / absent)
    return _remembered(model, key, vector)


def _remembered(model: DifferentialModel, key: tuple[str, int], vector: Vector) -> Vector:
    vector.flags.writeable = False
    model._cache[key] = vector
    return vector


def _onset_note(candidate: Candidate, age: Duration | None) -> str | None:
    onset = candidate.onset
    if age is None or onset is None or not age.always_shorter_than(onset.starts):
        return None
    return f"annotated onset from {onset.starts.label} ({onset.hpo_label}), patient aged {age.label}"


def _totals(
    model: DifferentialModel,
    observed: Sequence[int],
    excluded: Sequence[int],
    sex: Sex | None,
    age: Duration | None,
) -> Vector:
    totals = np.zeros(len(model.candidates))
    for term in observed:
        totals += _observed_vector(model, term)
    for term in excluded:
        totals += _excluded_vector(model, term)
    if sex is Sex.FEMALE:
        totals[model.sex_penalty] += math.log(model.parameters.x_linked_in_female_ratio)
    if age is not None:
        for onset, indices in model.onset_groups:
            if age.always_shorter_than(onset.starts):
                totals[indices] += math.log(model.parameters.onset_before_annotated_ratio)
    return totals


def _match(model: DifferentialModel, term: int, index: int) -> TermMatch:
    ratio = float(_observed_vector(model, term)[index]) / math.log(10)
    closure = model.closures[index]
    matched = next((a for a in model.chain(term) if a in closure), None)
    contradicted = any(index in model.contradicted.get(a, ()) for a in model.chain(term))
    shown = None if contradicted or matched is None else matched
    return TermMatch(
        term_id(term),
        model.names.get(term, term_id(term)),
        term_id(shown) if shown is not None else None,
        model.names.get(shown) if shown is not None else None,
        ratio,
    )


def _ranked(
    model: DifferentialModel,
    rank: int,
    index: int,
    total: float,
    probability: float,
    observed: Sequence[int],
    excluded: Sequence[int],
    query: PhenotypeQuery,
) -> RankedDisease:
    candidate = model.candidates[index]
    matches = [_match(model, t, index) for t in observed]
    seen = {a for t in observed for a in model.chain(t)}
    absent = [a for a in candidate.annotations if a not in seen]
    shown = absent[: model.parameters.shown_absent_features]
    return RankedDisease(
        rank=rank,
        candidate=candidate,
        log10_ratio=total / math.log(10),
        probability=probability,
        supporting=tuple(m for m in matches if m.log10_ratio > 0),
        against=tuple(m for m in matches if m.log10_ratio <= 0),
        excluded_present=tuple(
            (term_id(t), model.names.get(t, "")) for t in excluded if t in model.closures[index]
        ),
        absent=tuple((term_id(t), model.names.get(t, "")) for t in shown),
        sex_note="X-linked recessive, in a female patient"
        if query.sex is Sex.FEMALE and candidate.x_linked_recessive
        else None,
        onset_note=_onset_note(candidate, query.age),
    )


@dataclass(frozen=True, slots=True)
class Scores:
    """Every candidate's total log likelihood ratio (natural log), and the terms it was computed on."""

    totals: Vector
    observed: tuple[int, ...]
    excluded: tuple[int, ...]
    issues: tuple[TermIssue, ...]

    def order(self, top: int) -> list[int]:
        """The indices of the ``top`` best candidates, best first (of equal totals, the later one)."""
        by_total = np.lexsort((np.arange(len(self.totals)), self.totals))
        return [int(index) for index in by_total[::-1][:top]]


def score_all(model: DifferentialModel, query: PhenotypeQuery) -> Scores:
    """Every candidate scored, in the model's candidate order, without explanations (batch mode).

    Obsolete terms are replaced by hpo3's replacement and unknown ones left out; both are listed
    in ``issues``. An excluded term that is also observed counts as observed.
    """
    observed = check_terms(model.ontology, query.observed)
    excluded = check_terms(model.ontology, query.excluded)
    excluded_terms = tuple(t for t in excluded.numbers if t not in observed.numbers)
    totals = _totals(model, observed.numbers, excluded_terms, query.sex, query.age)
    return Scores(totals, observed.numbers, excluded_terms, observed.issues + excluded.issues)


def rank(model: DifferentialModel, query: PhenotypeQuery, *, top: int = 10) -> Differential:
    """The ``top`` candidates for the query, best first, each with its explanation (see :func:`score_all`)."""
    scores = score_all(model, query)
    totals = scores.totals
    weights = np.exp(totals - totals.max()) if totals.size else totals
    norm = float(weights.sum())
    ranked = tuple(
        _ranked(
            model,
            position,
            index,
            float(totals[index]),
            float(weights[index]) / norm,
            scores.observed,
            scores.excluded,
            query,
        )
        for position, index in enumerate(scores.order(top), start=1)
    )
    return Differential(
        query=query,
        mode=model.mode.value,
        hpo_release=model.hpo_release,
        observed=tuple(term_id(t) for t in scores.observed),
        excluded=tuple(term_id(t) for t in scores.excluded),
        issues=scores.issues,
        ranked=ranked,
    )

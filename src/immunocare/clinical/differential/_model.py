"""The candidate diseases and their precomputed annotation structures, built once per process.

Candidates in the default mode are the IUIS 2024 inborn errors of immunity. hpo3 has no
gene–disease table, and most IUIS OMIM numbers are those of the gene, so a disease is linked to an
IUIS gene when the disease's OMIM number is the one IUIS prints, or else when all of the disease's
hpo3 annotations are among the gene's (HPO derives gene annotations from the gene's diseases) and it
shares a term with the IUIS row. A row linked to no hpo3 disease is kept with the HPO terms of the
IUIS table (``IUIS:<entry id>``). In ``all`` mode every hpo3 OMIM and ORPHA disease is a candidate.

Each candidate's annotation closure (its terms and all their ancestors) is an inverted index
term → candidates (numpy index arrays), so one observed term is scored against every candidate at
once as a vector.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.iuis import Inheritance, IuisEntry
from immunocare.knowledge.topics.phenotype_rules import LabPhenotypeRule, OnsetClass

from ._method import (
    AUTOSOMAL_INHERITANCE,
    DEFAULT_PARAMETERS,
    PHENOTYPIC_ABNORMALITY,
    X_LINKED_RECESSIVE,
    ScoringParameters,
)
from ._terms import term_number

__all__ = [
    "Candidate",
    "DifferentialMode",
    "DifferentialModel",
    "Indices",
    "Vector",
    "build_model",
    "model_for",
]

Indices = npt.NDArray[np.intp]
"""Candidate positions in the model's candidate order."""
Vector = npt.NDArray[np.float64]
"""One value per candidate, in the model's candidate order."""

_IUIS_EDITION = 2024


class DifferentialMode(StrEnum):
    """Which diseases are ranked."""

    IEI = "iei"
    ALL = "all"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A disease that can be ranked.

    Attributes:
        id: ``OMIM:nnnnnn``, ``ORPHA:nnn``, or ``IUIS:<entry id>`` for an IUIS row hpo3 lacks.
        genes: HGNC symbols linked to it (IUIS genes first).
        categories: the IUIS 2024 (table, subtable) pairs of its genes.
        iuis_entries: the knowledge-base ids of the IUIS rows it stands for.
        annotations: its phenotype terms (hpo3 numbers), most specific first.
        x_linked_recessive: X-linked recessive is its only mode of inheritance.
        onset: the earliest-starting HPO onset class it is annotated with (knowledge base), if any.
    """

    id: str
    name: str
    genes: tuple[str, ...]
    categories: tuple[tuple[int, int | None], ...]
    iuis_entries: tuple[str, ...]
    annotations: tuple[int, ...]
    x_linked_recessive: bool
    onset: OnsetClass | None = None


@dataclass
class _Draft:
    id: str
    name: str
    terms: set[int]
    genes: dict[str, None] = field(default_factory=dict)
    entries: list[IuisEntry] = field(default_factory=list)


@dataclass(frozen=True, eq=False)
class DifferentialModel:
    """Everything a query needs, precomputed: candidates, closures, background frequencies.

    ``log_bg`` and ``ic`` are over every hpo3 OMIM disease (the background), with add-one
    smoothing, so a term no disease carries is rare rather than impossible.
    """

    mode: DifferentialMode
    hpo_release: str
    parameters: ScoringParameters
    candidates: tuple[Candidate, ...]
    closures: tuple[frozenset[int], ...]
    with_term: Mapping[int, Indices]
    contradicted: Mapping[int, Indices]
    ancestors: Mapping[int, frozenset[int]]
    names: Mapping[int, str]
    background_size: int
    background_counts: Mapping[int, int]
    sex_penalty: Indices
    onset_groups: tuple[tuple[OnsetClass, Indices], ...]
    ontology: Any = field(repr=False, compare=False)
    _cache: dict[tuple[str, int], Vector] = field(default_factory=dict, repr=False, compare=False)
    _chains: dict[int, tuple[int, ...]] = field(default_factory=dict, repr=False, compare=False)

    def bg(self, term: int) -> float:
        """The share of background diseases whose closure holds ``term`` (smoothed)."""
        return (self.background_counts.get(term, 0) + 1) / (self.background_size + 2)

    def ic(self, term: int) -> float:
        """The term's information content, ``-ln bg``."""
        return -math.log(self.bg(term))

    def chain(self, term: int) -> tuple[int, ...]:
        """The term and its ancestors, most informative first (remembered per term)."""
        found = self._chains.get(term)
        if found is None:
            found = tuple(sorted({term, *self.ancestors.get(term, ())}, key=lambda t: (-self.ic(t), t)))
            self._chains[term] = found
        return found


def _sorted(collection: Iterable[Any]) -> list[Any]:
    """hpo3's sets in id order, so candidates (and ties) are the same in every process."""
    return sorted(collection, key=lambda item: item.id)


def _indices(positions: Iterable[int]) -> Indices:
    return np.fromiter(sorted(positions), dtype=np.intp)


def _closure(terms: Iterable[int], ancestors: Mapping[int, frozenset[int]]) -> frozenset[int]:
    found: set[int] = set()
    for term in terms:
        found.add(term)
        found |= ancestors.get(term, frozenset())
    return frozenset(found)


def _phenotypic(terms: Iterable[int], ancestors: Mapping[int, frozenset[int]]) -> set[int]:
    return {t for t in terms if PHENOTYPIC_ABNORMALITY in ancestors.get(t, frozenset())}


class _Linker:
    """Links genes to hpo3 diseases whose annotations all lie among the gene's."""

    def __init__(self, ontology: Any, diseases: list[tuple[str, Any]], counts: Mapping[int, int], least: int):
        self.gene_terms = {gene.name: frozenset(int(t) for t in gene.hpo) for gene in _sorted(ontology.genes)}
        self.by_rarest: defaultdict[int, list[tuple[str, Any, frozenset[int]]]] = defaultdict(list)
        for prefix, disease in diseases:
            terms = frozenset(int(t) for t in disease.hpo)
            if len(terms) >= least:
                rarest = min(terms, key=lambda t: (counts.get(t, 0), t))
                self.by_rarest[rarest].append((prefix, disease, terms))

    def diseases_of(self, gene: str) -> list[tuple[str, Any, frozenset[int]]]:
        terms = self.gene_terms.get(gene, frozenset())
        return [
            found for term in sorted(terms) for found in self.by_rarest.get(term, ()) if found[2] <= terms
        ]


def _iuis_terms(entry: IuisEntry) -> set[int]:
    printed = [entry.hpo_table, entry.hpo_subtable, *entry.hpo_extra]
    return {term_number(term) for term in printed if term}


def _iei_drafts(
    kb: KnowledgeBase, ontology: Any, linker: _Linker, ancestors: Mapping[int, frozenset[int]]
) -> dict[str, _Draft]:
    omim = {f"OMIM:{d.id}": d for d in ontology.omim_diseases}
    drafts: dict[str, _Draft] = {}
    for entry in (e for e in kb.of(IuisEntry) if e.edition == _IUIS_EDITION):
        iuis = _iuis_terms(entry)
        linked = [(key, omim[key]) for key in (f"OMIM:{n}" for n in entry.omim) if key in omim]
        if not linked:
            linked = [
                (f"{prefix}:{disease.id}", disease)
                for gene in entry.genes
                for prefix, disease, terms in linker.diseases_of(gene)
                if prefix == "OMIM" and (not iuis or _closure(terms, ancestors) & iuis)
            ]
        for key, disease in linked or [(f"IUIS:{entry.id}", None)]:
            if disease is None and not iuis:
                continue
            draft = drafts.setdefault(
                key,
                _Draft(
                    key,
                    disease.name if disease else entry.disease,
                    {int(t) for t in disease.hpo} if disease else set(iuis),
                ),
            )
            draft.genes.update(dict.fromkeys(entry.genes))
            draft.entries.append(entry)
    return drafts


def _all_drafts(
    kb: KnowledgeBase, ontology: Any, linker: _Linker, ancestors: Mapping[int, frozenset[int]]
) -> dict[str, _Draft]:
    drafts = _iei_drafts(kb, ontology, linker, ancestors)
    for prefix, collection in (
        ("OMIM", _sorted(ontology.omim_diseases)),
        ("ORPHA", _sorted(ontology.orpha_diseases)),
    ):
        for disease in collection:
            key = f"{prefix}:{disease.id}"
            drafts.setdefault(key, _Draft(key, disease.name, {int(t) for t in disease.hpo}))
    for gene in linker.gene_terms:
        for prefix, disease, _ in linker.diseases_of(gene):
            draft = drafts[f"{prefix}:{disease.id}"]
            if gene not in draft.genes:
                draft.genes[gene] = None
    return drafts


def _x_linked_recessive(draft: _Draft, closure: frozenset[int]) -> bool:
    modes = {mode for entry in draft.entries for mode in entry.inheritance}
    if modes:
        return all(m.pattern == "XL" and m is not Inheritance.XL_GOF for m in modes)
    return X_LINKED_RECESSIVE in closure and not closure & set(AUTOSOMAL_INHERITANCE)


def _earliest_onset(draft: _Draft, classes: Mapping[int, OnsetClass]) -> OnsetClass | None:
    annotated = [classes[t] for t in sorted(draft.terms) if t in classes]
    return min(annotated, key=lambda c: c.starts.span_in_days(), default=None)


def _onset_groups(candidates: Iterable[Candidate]) -> tuple[tuple[OnsetClass, Indices], ...]:
    groups: defaultdict[str, list[int]] = defaultdict(list)
    classes: dict[str, OnsetClass] = {}
    for index, candidate in enumerate(candidates):
        if candidate.onset is not None:
            groups[candidate.onset.id].append(index)
            classes[candidate.onset.id] = candidate.onset
    return tuple((classes[key], _indices(groups[key])) for key in sorted(groups))


def _lab_columns(kb: KnowledgeBase, drafts: list[_Draft]) -> dict[int, set[int]]:
    """Adds each agreeing lab term to a candidate's terms; returns the contradicted ones."""
    contradicted: defaultdict[int, set[int]] = defaultdict(set)
    for rule in (r for r in kb.of(LabPhenotypeRule) if r.iuis_column):
        term = term_number(rule.hpo_id)
        for index, draft in enumerate(drafts):
            patterns = [getattr(e, str(rule.iuis_column)) for e in draft.entries]
            patterns = [p for p in patterns if p is not None]
            if any(p in rule.iuis_agrees for p in patterns):
                draft.terms.add(term)
            elif patterns and all(p in rule.iuis_contradicts for p in patterns):
                contradicted[term].add(index)
    return contradicted


def build_model(
    kb: KnowledgeBase, mode: DifferentialMode, parameters: ScoringParameters = DEFAULT_PARAMETERS
) -> DifferentialModel:
    """Build the model (about two seconds for the default mode; more for ``all``)."""
    ontology = kb.hpo.ontology
    ancestors = {int(t): frozenset(int(p) for p in t.all_parents) for t in ontology}
    names = {int(t): t.name for t in ontology}
    background = [_closure((int(t) for t in d.hpo), ancestors) for d in ontology.omim_diseases]
    counts: defaultdict[int, int] = defaultdict(int)
    for closure in background:
        for term in closure:
            counts[term] += 1
    diseases = [("OMIM", d) for d in _sorted(ontology.omim_diseases)]
    diseases += [("ORPHA", d) for d in _sorted(ontology.orpha_diseases)]
    linker = _Linker(ontology, diseases, counts, parameters.min_linked_annotations)
    build = _iei_drafts if mode is DifferentialMode.IEI else _all_drafts
    drafts = list(build(kb, ontology, linker, ancestors).values())
    contradicted = _lab_columns(kb, drafts)
    closures = tuple(_closure(d.terms, ancestors) for d in drafts)
    onset_classes = {term_number(c.hpo_id): c for c in kb.of(OnsetClass)}
    with_term: defaultdict[int, list[int]] = defaultdict(list)
    for index, closure in enumerate(closures):
        for term in closure:
            with_term[term].append(index)
    candidates = tuple(
        Candidate(
            id=d.id,
            name=d.name,
            genes=tuple(d.genes),
            categories=tuple(dict.fromkeys(e.category for e in d.entries)),
            iuis_entries=tuple(e.id for e in d.entries),
            annotations=tuple(sorted(_phenotypic(d.terms, ancestors), key=lambda t: (counts.get(t, 0), t))),
            x_linked_recessive=_x_linked_recessive(d, closure),
            onset=_earliest_onset(d, onset_classes),
        )
        for d, closure in zip(drafts, closures, strict=True)
    )
    return DifferentialModel(
        mode=mode,
        hpo_release=kb.hpo.release,
        parameters=parameters,
        candidates=candidates,
        closures=closures,
        with_term={term: _indices(indices) for term, indices in with_term.items()},
        contradicted={term: _indices(indices) for term, indices in contradicted.items()},
        ancestors=ancestors,
        names=names,
        background_size=len(background),
        background_counts=dict(counts),
        sex_penalty=_indices(i for i, c in enumerate(candidates) if c.x_linked_recessive),
        onset_groups=_onset_groups(candidates),
        ontology=ontology,
    )


_LOCK = threading.Lock()
_MODELS: dict[tuple[str, str, DifferentialMode], DifferentialModel] = {}


def model_for(kb: KnowledgeBase, mode: DifferentialMode = DifferentialMode.IEI) -> DifferentialModel:
    """The model for this knowledge base and mode, built on first use and kept for the process."""
    key = (kb.version, kb.hpo.release, mode)
    with _LOCK:
        if key not in _MODELS:
            _MODELS[key] = build_model(kb, mode)
        return _MODELS[key]

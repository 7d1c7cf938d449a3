"""Codes as the rules match them, and the source's vocabulary that turns codes into concept ids.

A :class:`Codes` value holds what selects rows of one table: OMOP concept ids, vocabulary codes
(SNOMED CT, LOINC, ATC, RxNorm) to look up in ``concept``, ICD-10-CM prefixes of the source value and
exact source values. :class:`Vocabulary` resolves every code list of a screen at once (one query on
``concept``, one on ``concept_ancestor``), so each rule then matches by a plain filter
(:func:`code_filter`) on every engine, without joins. ICD-10-CM prefixes on a table's raw source
values are first resolved to the matching distinct values (one small query, see :func:`code_filter`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

import ibis
import ibis.expr.types as ir

from immunocare.knowledge.topics.analytes import Analyte
from immunocare.knowledge.topics.case_finding import ConceptSet, icd10_key
from immunocare.knowledge.topics.sid_drugs import DrugClass

if TYPE_CHECKING:
    from immunocare.knowledge import KnowledgeBase

__all__ = [
    "Codes",
    "Omop",
    "Vocabulary",
    "analyte_codes",
    "code_filter",
    "concept_codes",
    "drug_class_codes",
]

T = TypeVar("T")


class Omop(Protocol):
    """What the rules read of an OMOP source (:class:`immunocare.population.sources.OmopSource`)."""

    @property
    def engine(self) -> str:
        """``duckdb`` or ``spark``."""

    @property
    def description(self) -> str:
        """Where the data are, in words (no credentials)."""

    def table(self, name: str) -> ir.Table:
        """An OMOP table by its lower-case name, with lower-case columns."""

    def has(self, name: str) -> bool:
        """Whether the source has the table."""


@dataclass(frozen=True)
class Codes:
    """Codes that select rows of one table, ready to match.

    Attributes:
        omop: concept ids (descendants included when the source has ``concept_ancestor``).
        vocabulary: ``(vocabulary_id, concept_code)`` pairs turned into concept ids through ``concept``.
        icd10cm: ICD-10-CM prefixes of the source value, as :func:`icd10_key` writes them.
        source_values: exact source values (e.g. LOINC codes in ``measurement_source_value``).
        names: generic drug names, lower case, each matched as a word of the source value in any
            case ("rituximab" matches "RITUXIMAB 500 MG/50 ML").
    """

    omop: tuple[int, ...] = ()
    vocabulary: tuple[tuple[str, str], ...] = ()
    icd10cm: tuple[str, ...] = ()
    source_values: tuple[str, ...] = ()
    names: tuple[str, ...] = ()

    def __add__(self, other: Codes) -> Codes:
        return Codes(
            omop=_merged(self.omop, other.omop),
            vocabulary=_merged(self.vocabulary, other.vocabulary),
            icd10cm=_merged(self.icd10cm, other.icd10cm),
            source_values=_merged(self.source_values, other.source_values),
            names=_merged(self.names, other.names),
        )


def _merged(mine: tuple[T, ...], theirs: tuple[T, ...]) -> tuple[T, ...]:
    return tuple(dict.fromkeys((*mine, *theirs)))


def concept_codes(concepts: ConceptSet) -> Codes:
    """The codes of a knowledge-base concept set."""
    return Codes(
        omop=concepts.omop,
        vocabulary=tuple(("SNOMED", c) for c in concepts.snomed)
        + tuple(("LOINC", c) for c in concepts.loinc),
        icd10cm=tuple(icd10_key(c) for c in concepts.icd10cm),
        source_values=concepts.loinc,
    )


def analyte_codes(kb: KnowledgeBase, analytes: Iterable[str]) -> Codes:
    """The LOINC codes of analytes, matched through ``concept`` and on the source value."""
    loinc = tuple(code for a in analytes if isinstance(item := kb.get(a), Analyte) for code in item.loinc)
    return Codes(vocabulary=tuple(("LOINC", c) for c in loinc), source_values=loinc)


class Vocabulary:
    """The concept ids of a screen's code lists, with descendants, resolved once for the source."""

    def __init__(self, source: Omop, wanted: Iterable[Codes]) -> None:
        wanted = tuple(wanted)
        pairs = {pair for codes in wanted for pair in codes.vocabulary}
        self.by_code: dict[tuple[str, str], set[int]] = defaultdict(set)
        if pairs and source.has("concept"):
            c = source.table("concept")
            found = c.filter(
                c.vocabulary_id.isin(sorted({v for v, _ in pairs}))
                & c.concept_code.isin(sorted({k for _, k in pairs}))
            ).select(vocabulary=c.vocabulary_id, code=c.concept_code, id=c.concept_id.cast("int64"))
            for row in found.execute().itertuples(index=False):
                if (row.vocabulary, row.code) in pairs:
                    self.by_code[(row.vocabulary, row.code)].add(int(row.id))
        base = {i for codes in wanted for i in self._base(codes)}
        self.below: dict[int, set[int]] = defaultdict(set)
        if base and source.has("concept_ancestor"):
            a = source.table("concept_ancestor")
            links = a.select(
                up=a.ancestor_concept_id.cast("int64"), down=a.descendant_concept_id.cast("int64")
            )
            for row in links.filter(links.up.isin(sorted(base))).execute().itertuples(index=False):
                self.below[int(row.up)].add(int(row.down))

    def _base(self, codes: Codes) -> set[int]:
        return {*codes.omop, *(i for pair in codes.vocabulary for i in self.by_code.get(pair, ()))}

    def ids(self, codes: Codes) -> tuple[int, ...]:
        """The concept ids the codes mean: their own and their descendants, sorted."""
        base = self._base(codes)
        return tuple(sorted(base.union(*(self.below.get(i, set()) for i in base))))


def icd10_column(value: ir.Value) -> ir.StringValue:
    """A source value as ICD-10-CM prefixes are matched: trimmed, upper case, no dot (:func:`icd10_key`)."""
    return value.cast("string").strip().upper().replace(".", "")


def _icd10_match(key: ir.StringValue, prefixes: Iterable[str]) -> ir.BooleanValue:
    """Whether a key starts with one of the prefixes: one set lookup per prefix length."""
    by_length = defaultdict(list)
    for prefix in prefixes:
        by_length[len(prefix)].append(prefix)
    return ibis.or_(*(key.substr(0, n).isin(chosen) for n, chosen in sorted(by_length.items())))


def code_filter(
    table: ir.Table,
    *,
    concept: str,
    source: str,
    codes: Codes,
    vocabulary: Vocabulary,
    icd10: str | None = None,
) -> ir.BooleanValue | None:
    """Whether a row is selected by the codes (concept id or source value); ``None`` if none can be.

    ICD-10-CM prefixes are matched as one set lookup per prefix length (the key cut to that length),
    not one ``LIKE`` per prefix. The key is the ``icd10`` column when the table has it already
    (:func:`icd10_column`); else one small query first finds the distinct source values that match
    (a table has far fewer distinct codes than rows) and the rows are then kept by a set lookup of
    their value. That query keys an aggregate of the value (``max``), not the grouping key itself, so
    that the engine cannot push the match below the grouping and compute it for every row; and it
    runs apart so that the rows' query reads the table once (a table read twice in one query is a
    shared subquery, which DuckDB materializes).
    """
    terms = []
    ids = vocabulary.ids(codes)
    if ids:
        terms.append(table[concept].cast("int64").isin(ids))
    if codes.icd10cm and icd10 is not None:
        terms.append(_icd10_match(table[icd10], codes.icd10cm))
    elif codes.icd10cm:
        terms.extend(
            _values_where(table, source, lambda seen: _icd10_match(icd10_column(seen), codes.icd10cm))
        )
    if codes.names:
        terms.extend(_values_where(table, source, lambda seen: _word_match(seen, codes.names)))
    if codes.source_values:
        terms.append(table[source].cast("string").strip().isin(codes.source_values))
    return ibis.or_(*terms) if terms else None


def _values_where(
    table: ir.Table, source: str, matches: Callable[[ir.StringValue], ir.BooleanValue]
) -> list[ir.BooleanValue]:
    """The rows whose source value is one of the distinct values that ``matches`` (none: no term)."""
    text = table[source].cast("string")
    values = table.group_by(value=text).agg(seen=text.max())
    found = sorted(
        v for v in values.filter(matches(values.seen)).value.to_pyarrow().to_pylist() if v is not None
    )
    return [text.isin(found)] if found else []


def _word_match(text: ir.StringValue, names: tuple[str, ...]) -> ir.BooleanValue:
    """Whether one of the lower-case ``names`` is a word of ``text`` (any case)."""
    words = "|".join(re.escape(name) for name in names)
    return text.lower().re_search(f"(^|[^a-z0-9])({words})([^a-z0-9]|$)")


def drug_class_codes(kb: KnowledgeBase, class_ids: Iterable[str]) -> Codes:
    """The codes of ``sid_drugs`` classes, as OMOP rows carry them.

    The members' ATC codes and the classes' ATC groups are turned into concept ids through
    ``concept`` (their drug concepts descend from them in ``concept_ancestor``); the members' ATC
    codes match ``*_source_value`` exactly, and their generic names and synonyms as a word of it.
    """
    classes = [item for c in class_ids if isinstance(item := kb.get(c), DrugClass)]
    atc = tuple(code for item in classes for member in item.members for code in member.atc)
    names = tuple(name for item in classes for m in item.members for name in (m.name, *m.synonyms))
    return Codes(
        vocabulary=tuple(("ATC", code) for code in (*atc, *(g for item in classes for g in item.atc_groups))),
        source_values=atc,
        names=tuple(name.lower() for name in names),
    )

"""Codes as the rules match them, and the source's vocabulary that turns codes into concept ids.

A :class:`Codes` value holds what selects rows of one table: OMOP concept ids, vocabulary codes
(SNOMED CT, LOINC, ATC, RxNorm) to look up in ``concept``, ICD-10-CM prefixes of the source value and
exact source values. :class:`Vocabulary` resolves every code list of a screen at once (one query on
``concept``, one on ``concept_ancestor``), so each rule then matches by a plain filter
(:func:`code_filter`) on every engine, without joins. Source values (ICD-10-CM prefixes, drug names,
exact codes) are matched once on each column's distinct values, not on every row.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
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
    "SourceColumn",
    "Vocabulary",
    "analyte_codes",
    "code_filter",
    "concept_codes",
    "drug_class_codes",
]

T = TypeVar("T")

SourceColumn = tuple[str, str]
"""An OMOP table and one of its source-value columns, e.g. ``("drug_exposure", "drug_source_value")``."""


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
    """A screen's code lists resolved once for the source: concept ids with descendants, source values.

    Concept ids come from two small queries (``concept``, ``concept_ancestor``). Source values are
    matched on each column's distinct values, fetched once per column (a table has far fewer distinct
    codes than rows) and compared here, in Python: every engine then filters rows by a plain set
    lookup of their raw value, and every engine keeps the same rows.
    """

    def __init__(self, source: Omop, wanted: Iterable[Codes]) -> None:
        wanted = tuple(wanted)
        self._source = source
        self._values: dict[tuple[str, str], tuple[str, ...]] = {}
        self._icd10cm: tuple[tuple[str, int], ...] | None = None
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

    def source_ids(self, codes: Codes) -> tuple[int, ...]:
        """The ICD-10-CM concept ids (of ``concept``) whose codes the ICD-10-CM prefixes select, sorted.

        They are matched in ``*_source_concept_id``, which holds the source code's concept when the
        source value is missing or written otherwise. The ICD-10-CM concepts are read once.
        """
        if not codes.icd10cm or not self._source.has("concept"):
            return ()
        if self._icd10cm is None:
            c = self._source.table("concept")
            rows = c.filter(c.vocabulary_id == "ICD10CM").select(code=c.concept_code, id=c.concept_id)
            found = rows.to_pyarrow().to_pydict()
            self._icd10cm = tuple(
                (icd10_key(code), int(i)) for code, i in zip(found["code"], found["id"], strict=True) if code
            )
        return tuple(sorted(i for key, i in self._icd10cm if key.startswith(codes.icd10cm)))

    def _distinct(self, column: SourceColumn) -> tuple[str, ...]:
        if column not in self._values:
            text = self._source.table(column[0])[column[1]].cast("string")
            values = text.name("value").as_table().distinct().value.to_pyarrow().to_pylist()
            self._values[column] = tuple(value for value in values if value is not None)
        return self._values[column]

    def values(self, column: SourceColumn, codes: Codes) -> tuple[str, ...]:
        """The distinct values of a source column the codes select, sorted.

        A value is selected when its :func:`icd10_key` starts with one of the ICD-10-CM prefixes,
        when one of the names is a word of it (any case), or when, trimmed, it is one of the source
        values. Nothing is fetched when the codes have none of these.
        """
        if not (codes.icd10cm or codes.names or codes.source_values):
            return ()
        prefixes = codes.icd10cm
        words = re.compile(f"(^|[^a-z0-9])({'|'.join(map(re.escape, codes.names))})([^a-z0-9]|$)")
        exact = set(codes.source_values)
        return tuple(
            sorted(
                value
                for value in self._distinct(column)
                if (prefixes and icd10_key(value).startswith(prefixes))
                or (codes.names and words.search(value.lower()))
                or value.strip() in exact
            )
        )


def code_filter(
    rows: ir.Table,
    codes: Codes,
    vocabulary: Vocabulary,
    *,
    concept: str,
    value: str,
    source: SourceColumn,
    source_concept: str | None = None,
) -> ir.BooleanValue | None:
    """Whether a row is selected by the codes (concept id, source value or source concept id).

    ``rows`` are rows of the ``source`` table (or a selection of them): their ``concept`` column holds
    the concept id, their ``value`` column the raw value of the ``source`` column and their
    ``source_concept`` column, if named and there, the source concept id. The values the codes
    select are found among the column's distinct values (:meth:`Vocabulary.values`), so each row
    costs a few set lookups, with no string work per row. ``None`` if no row can be selected.
    """
    terms = []
    if ids := vocabulary.ids(codes):
        terms.append(rows[concept].cast("int64").isin(ids))
    if values := vocabulary.values(source, codes):
        terms.append(rows[value].cast("string").isin(values))
    if source_concept in rows.columns and (source_ids := vocabulary.source_ids(codes)):
        terms.append(rows[source_concept].cast("int64").isin(source_ids))
    return ibis.or_(*terms) if terms else None


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

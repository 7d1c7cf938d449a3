"""The IUIS classification of inborn errors of immunity, 2022 and 2024 editions.

Two item types live in ``data/iuis/``:

- :class:`IuisCategory`: a table (1–9) or subtable of one edition, with its title.
- :class:`IuisEntry`: one row of the edition's spreadsheet: the table and subtable, the disease,
  the gene as printed and its HGNC symbol(s), the inheritance as printed and parsed into
  :class:`Inheritance`, OMIM, ICD-10 and HPO ids, and the laboratory pattern columns (T, B cell
  counts, immunoglobulins, neutrophils) parsed into :class:`LabPattern` where they are regular.

The files are TSV (about 1,100 rows load at every start); ``scripts/derive_iuis.py`` regenerates
them from the survey's copies and ``data/iuis/PROVENANCE.md`` says what was read and what was
interpreted. The classification is the work of the IUIS Expert Committee on Inborn Errors of
Immunity and must be attributed to it wherever it is shown.

:class:`IuisIndex` answers the questions later rules ask (no I/O)::

    index = IuisIndex.from_kb(kb)
    index.tables_of_gene("BTK")            # (3,)
    index.inheritance_of("BTK")            # (Inheritance.XL,)

>>> Inheritance("AD GOF").pattern, Inheritance("AD GOF").gain_of_function
('AD', True)
>>> Inheritance("XLR").pattern
'XL'
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from immunocare.domain.codes import (
    CodeSystem,
    code_problem,
    hgnc_symbol_problem,
    hpo_problem,
    icd10cm_problem,
)
from immunocare.errors import NotFoundError
from immunocare.knowledge._base import KBItem, Topic
from immunocare.knowledge._files import RawItem, read_csv
from immunocare.knowledge._markdown import markdown_table

if TYPE_CHECKING:
    from immunocare.knowledge._kb import KnowledgeBase

__all__ = [
    "ORDER",
    "TOPIC",
    "Inheritance",
    "IuisCategory",
    "IuisEdition",
    "IuisEntry",
    "IuisIndex",
    "LabPattern",
    "read_iuis",
]

ORDER = 70

_LIST_FIELDS = frozenset({"genes", "inheritance", "omim", "hpo_extra"})
_LAB_FIELDS = ("t_cell_count", "b_cell_count", "immunoglobulin_levels", "neutrophil_count")
_PATTERNS = {"AR": "AR", "AD": "AD", "XL": "XL", "XLR": "XL"}


class IuisEdition(IntEnum):
    """The editions of the classification in the knowledge base."""

    Y2022 = 2022
    Y2024 = 2024


class Inheritance(StrEnum):
    """Inheritance as parsed from the printed text (and, in 2024, the GOF/DN column).

    The raw text stays on the entry; ``data/iuis/PROVENANCE.md`` lists how each printed form
    was read. ``digenic`` and ``sporadic`` (non-inherited, e.g. toxin exposure) are kept because
    IUIS prints them; an entry whose inheritance is unknown or not stated has none.
    """

    AR = "AR"
    AR_LOF = "AR LOF"
    AR_GOF = "AR GOF"
    AD = "AD"
    AD_LOF = "AD LOF"
    AD_GOF = "AD GOF"
    AD_DN = "AD DN"
    XL = "XL"
    XLR = "XLR"
    XL_GOF = "XL GOF"
    DIGENIC = "digenic"
    SPORADIC = "sporadic"

    @property
    def pattern(self) -> str | None:
        """``AR``, ``AD`` or ``XL`` (XLR included); ``None`` for digenic and sporadic."""
        return _PATTERNS.get(self.value.split()[0])

    @property
    def gain_of_function(self) -> bool:
        """Whether IUIS states a gain-of-function mechanism."""
        return self.value.endswith("GOF")


class LabPattern(StrEnum):
    """A laboratory column (cell count, immunoglobulin levels) where its text is regular."""

    ABSENT = "absent"
    MARKEDLY_DECREASED = "markedly decreased"
    DECREASED = "decreased"
    NORMAL_OR_DECREASED = "normal or decreased"
    NORMAL = "normal"
    NORMAL_OR_INCREASED = "normal or increased"
    INCREASED = "increased"
    VARIABLE = "variable"


def _check_codes(codes: Iterable[str], problem: Callable[[str], str | None]) -> None:
    for code in codes:
        found = problem(code)
        if found:
            raise ValueError(f"{code}: {found}")


class IuisCategory(KBItem):
    """A table (``subtable`` unset) or subtable of one edition; ``title`` is its printed title."""

    edition: IuisEdition
    table: int = Field(ge=1, le=9, description="IUIS table 1–9 (table 10, phenocopies, is not listed).")
    subtable: int | None = Field(None, ge=1)


class IuisEntry(KBItem):
    """One row of an IUIS spreadsheet: a disease, its gene(s), table, inheritance and codes.

    Attributes:
        genes: HGNC symbols of the printed gene(s), normalised; empty for deletions such as
            22q11.2 and for "Unknown"; several when one row names several genes (C4A+C4B).
        inheritance: parsed from ``inheritance_printed`` (and, in 2024, ``gof_dn_printed``);
            empty when IUIS gives none, "?" or "Variable".
        omim: OMIM numbers (six digits) read from ``omim_printed``.
        lab_edition: the edition whose laboratory columns these are (2022, through PhenIEI),
            set whenever a laboratory column is.
    """

    edition: IuisEdition
    table: int = Field(ge=1, le=9, description="IUIS table 1–9.")
    table_title: str = Field(min_length=1)
    subtable: int | None = Field(None, ge=1)
    subtable_title: str | None = None
    disease: str = Field(min_length=1)
    gene_printed: str = Field(min_length=1, description="The genetic defect as printed.")
    genes: tuple[str, ...] = ()
    inheritance_printed: str | None = None
    gof_dn_printed: str | None = Field(None, description="The 2024 GOF/DN column as printed.")
    inheritance: tuple[Inheritance, ...] = ()
    omim_printed: str | None = None
    omim: tuple[str, ...] = ()
    icd10: str | None = None
    hpo_table: str | None = None
    hpo_subtable: str | None = None
    hpo_extra: tuple[str, ...] = ()
    t_cell_count_printed: str | None = None
    t_cell_count: LabPattern | None = None
    b_cell_count_printed: str | None = None
    b_cell_count: LabPattern | None = None
    immunoglobulin_levels_printed: str | None = None
    immunoglobulin_levels: LabPattern | None = None
    neutrophil_count_printed: str | None = None
    neutrophil_count: LabPattern | None = None
    other_affected_cells_printed: str | None = None
    lab_edition: IuisEdition | None = None

    @field_validator("genes")
    @classmethod
    def _hgnc(cls, genes: tuple[str, ...]) -> tuple[str, ...]:
        _check_codes(genes, hgnc_symbol_problem)
        return genes

    @field_validator("omim")
    @classmethod
    def _omim(cls, numbers: tuple[str, ...]) -> tuple[str, ...]:
        _check_codes(numbers, lambda number: code_problem(CodeSystem.OMIM, number))
        return numbers

    @field_validator("icd10")
    @classmethod
    def _icd10(cls, code: str | None) -> str | None:
        _check_codes([code] if code else [], icd10cm_problem)
        return code

    @field_validator("hpo_table", "hpo_subtable")
    @classmethod
    def _hpo(cls, term: str | None) -> str | None:
        _check_codes([term] if term else [], hpo_problem)
        return term

    @field_validator("hpo_extra")
    @classmethod
    def _hpo_extra(cls, terms: tuple[str, ...]) -> tuple[str, ...]:
        _check_codes(terms, hpo_problem)
        return terms

    @model_validator(mode="after")
    def _lab_columns(self) -> IuisEntry:
        for name in _LAB_FIELDS:
            if getattr(self, name) is not None and getattr(self, f"{name}_printed") is None:
                raise ValueError(f"{name} is parsed from {name}_printed, which is empty")
        printed = [getattr(self, f"{name}_printed") for name in (*_LAB_FIELDS, "other_affected_cells")]
        if any(text is not None for text in printed) != (self.lab_edition is not None):
            raise ValueError("lab_edition is set exactly when a laboratory column is")
        return self

    @property
    def single_gene(self) -> bool:
        """One gene (not a deletion, an unknown defect or several genes in one row)."""
        return len(self.genes) == 1

    @property
    def category(self) -> tuple[int, int | None]:
        """``(table, subtable)``; the subtable is ``None`` for tables without subtables."""
        return self.table, self.subtable


def _kind(raw: Any) -> str:
    """Entries have a disease; categories do not."""
    is_entry = isinstance(raw, IuisEntry) or (isinstance(raw, dict) and "disease" in raw)
    return "entry" if is_entry else "category"


IuisItem = Annotated[
    Annotated[IuisEntry, Tag("entry")] | Annotated[IuisCategory, Tag("category")],
    Discriminator(_kind),
]


def _raw_item(row: dict[str, str]) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for name, value in row.items():
        if not value:
            continue
        if name == "citations":
            pairs = (part.partition("=") for part in value.split(" | "))
            raw[name] = [{"source": source, "where": where} for source, _, where in pairs]
        else:
            raw[name] = value.split(";") if name in _LIST_FIELDS else value
    return raw


def read_iuis(folder: Traversable) -> list[RawItem]:
    """Every ``*.tsv`` of the folder, one item per row.

    List columns (genes, inheritance, omim, hpo_extra) are ``;``-separated; ``citations`` is
    ``source=where`` pairs separated by `` | ``; empty cells are left out.
    """
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".tsv")), key=lambda f: f.name)
    return [
        (f"{folder.name}/{file.name}#{index}", _raw_item(row))
        for file in files
        for index, row in enumerate(read_csv(file))
    ]


def _cross_check(kb: KnowledgeBase) -> list[str]:
    """Every entry's table or subtable is a category of its edition."""
    known = {(c.edition, c.table, c.subtable) for c in kb.of(IuisCategory)}
    problems = []
    for entry in kb.of(IuisEntry):
        if (entry.edition, entry.table, entry.subtable) not in known:
            where = f"{entry.table}.{entry.subtable}" if entry.subtable else f"{entry.table}"
            problems.append(f"{entry.id}: IUIS {entry.edition} has no table or subtable {where}")
    return problems


@dataclass(frozen=True)
class IuisIndex:
    """Look-ups over the classification: genes, tables, subtables and inheritance.

    Every method takes ``edition`` (default 2024). Genes are matched on the normalised HGNC
    symbols of :attr:`IuisEntry.genes`, so a multi-gene row (C4A+C4B) is found by each gene.
    """

    entries: tuple[IuisEntry, ...]
    categories: tuple[IuisCategory, ...]
    _by_gene: dict[tuple[int, str], list[IuisEntry]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_gene: defaultdict[tuple[int, str], list[IuisEntry]] = defaultdict(list)
        for entry in self.entries:
            for gene in entry.genes:
                by_gene[(entry.edition, gene)].append(entry)
        self._by_gene.update(by_gene)

    @classmethod
    def from_kb(cls, kb: KnowledgeBase) -> IuisIndex:
        """The index over a loaded knowledge base."""
        return cls(entries=kb.of(IuisEntry), categories=kb.of(IuisCategory))

    def entries_for_gene(self, gene: str, *, edition: int = 2024) -> tuple[IuisEntry, ...]:
        """The entries naming ``gene`` (an HGNC symbol), in file order; empty if none."""
        return tuple(self._by_gene.get((edition, gene), ()))

    def tables_of_gene(self, gene: str, *, edition: int = 2024) -> tuple[int, ...]:
        """The tables the gene's entries sit in, ascending."""
        return tuple(sorted({entry.table for entry in self.entries_for_gene(gene, edition=edition)}))

    def categories_of_gene(self, gene: str, *, edition: int = 2024) -> tuple[IuisCategory, ...]:
        """The most specific category (subtable, else table) of each of the gene's entries."""
        keys = sorted({entry.category for entry in self.entries_for_gene(gene, edition=edition)}, key=_order)
        return tuple(self.category(table, subtable, edition=edition) for table, subtable in keys)

    def genes_of(self, table: int, subtable: int | None = None, *, edition: int = 2024) -> tuple[str, ...]:
        """The genes named in a table (every subtable) or in one subtable, sorted."""
        return tuple(
            sorted(
                {
                    gene
                    for entry in self.entries
                    if entry.edition == edition
                    and entry.table == table
                    and (subtable is None or entry.subtable == subtable)
                    for gene in entry.genes
                }
            )
        )

    def inheritance_of(
        self, gene: str, disease: str | None = None, *, edition: int = 2024
    ) -> tuple[Inheritance, ...]:
        """The inheritance modes of the gene's entries (of one disease, by its printed name)."""
        modes: dict[Inheritance, None] = {}
        for entry in self.entries_for_gene(gene, edition=edition):
            if disease is None or entry.disease.casefold() == disease.casefold():
                modes.update(dict.fromkeys(entry.inheritance))
        return tuple(modes)

    def category(self, table: int, subtable: int | None = None, *, edition: int = 2024) -> IuisCategory:
        """The table or subtable with its title; :class:`NotFoundError` if the edition has none."""
        for candidate in self.categories:
            if (candidate.edition, candidate.table, candidate.subtable) == (edition, table, subtable):
                return candidate
        raise NotFoundError(f"IUIS {edition} has no table {table}" + (f".{subtable}" if subtable else ""))

    def single_genes(self, *, edition: int = 2024) -> frozenset[str]:
        """The genes of the edition's single-gene entries."""
        return frozenset(e.genes[0] for e in self.entries if e.edition == edition and e.single_gene)


def _order(key: tuple[int, int | None]) -> tuple[int, int]:
    return key[0], key[1] or 0


def _review_row(entry: IuisEntry) -> dict[str, str]:
    return {
        "gene": entry.gene_printed,
        "disease": entry.disease,
        "inheritance": entry.inheritance_printed or "",
        "OMIM": ", ".join(entry.omim),
        "status": "verified" if entry.verified else "**⚠ UNVERIFIED**",
    }


def _review(kb: KnowledgeBase, items: tuple[KBItem, ...]) -> list[str]:
    """The catalogue as one table per edition and category, newest edition first."""
    index = IuisIndex.from_kb(kb)
    lines = [
        "Attributed to the IUIS Expert Committee (Tangye et al. 2022; IUIS 2024 update). Each row cites its "
        "edition's table and subtable; rows whose gene symbol was normalised by an unverified alias map are "
        "marked. Laboratory-pattern columns are in the data files.",
        "",
    ]
    for edition in sorted({entry.edition for entry in index.entries}, reverse=True):
        for category in (c for c in index.categories if c.edition == edition):
            key = (category.table, category.subtable)
            rows = [_review_row(e) for e in index.entries if e.edition == edition and e.category == key]
            if rows:
                number = f"{category.table}" + (f".{category.subtable}" if category.subtable else "")
                lines += [f"### IUIS {edition}, {number}: {category.title}", "", *markdown_table(rows), ""]
    return lines


TOPIC = Topic(
    name="iuis",
    title="IUIS classification of inborn errors of immunity (2022, 2024)",
    item_type=IuisItem,
    read=read_iuis,
    cross_check=_cross_check,
    review=_review,
)

"""Who a rule is for: the record codes, IUIS (sub)tables, ESID definitions and genes of a patient group."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

from pydantic import StringConstraints, field_validator

from immunocare.domain.codes import hgnc_symbol_problem, iuis_category_problem
from immunocare.knowledge._base import ID_PATTERN, KBItem, KBModel

from .iuis import IuisEntry

if TYPE_CHECKING:
    from immunocare.knowledge import KnowledgeBase

__all__ = ["PatientGroup", "gene_table_problems", "in_tables"]


class PatientGroup(KBModel):
    """The ways a patient's record places them in a group; any one suffices.

    Attributes:
        diagnoses: readable diagnosis ids, to which ``diagnosis_codes`` items map record codes.
        iuis: IUIS tables or table.subtables ("3.1") whose disorders belong to the group.
        esid: ESID registry working-definition ids.
        genes: HGNC symbols whose defects belong to the group.
        gene_tables: the IUIS tables or table.subtables that a gene's confirmed reading must fit (its
            IUIS entry, when the record settles it) for the gene to place the patient; needed when a
            gene causes disorders in several tables (WAS: loss of function 2.1, gain of function
            5.1). Empty: any reading.
    """

    diagnoses: tuple[Annotated[str, StringConstraints(pattern=ID_PATTERN)], ...] = ()
    iuis: tuple[str, ...] = ()
    esid: tuple[str, ...] = ()
    genes: tuple[str, ...] = ()
    gene_tables: tuple[str, ...] = ()

    @field_validator("iuis", "gene_tables")
    @classmethod
    def _iuis_codes(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        for code in codes:
            problem = iuis_category_problem(code)
            if problem:
                raise ValueError(f"{code!r}: {problem}")
        return codes

    @field_validator("genes")
    @classmethod
    def _gene_symbols(cls, genes: tuple[str, ...]) -> tuple[str, ...]:
        for gene in genes:
            problem = hgnc_symbol_problem(gene)
            if problem:
                raise ValueError(f"{gene}: {problem}")
        return genes


def in_tables(tables: Iterable[str], category: str | None) -> bool:
    """Whether an IUIS category ("5.3") is one of the tables or table.subtables, or within one."""
    return category is not None and any(category == t or category.startswith(f"{t}.") for t in tables)


def _categories(kb: KnowledgeBase) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for entry in kb.of(IuisEntry):
        for gene in entry.genes:
            found[gene].add(f"{entry.table}" + (f".{entry.subtable}" if entry.subtable else ""))
    return found


def gene_table_problems(kb: KnowledgeBase, items: Iterable[KBItem]) -> list[str]:
    """Groups whose genes are ambiguous without ``gene_tables``, or whose ``gene_tables`` miss a gene.

    A gene with IUIS entries in more than one (sub)table causes different disorders (loss and gain
    of function, a macrophage-only form): a reading of it places the patient in the group only if
    its entry is in ``gene_tables``, which must then be given, and hold an entry of every gene.
    """
    categories = _categories(kb)
    problems: list[str] = []
    for item in items:
        if not isinstance(item, PatientGroup):
            continue
        for gene in item.genes:
            known = categories.get(gene, set())
            if not item.gene_tables and len(known) > 1:
                problems.append(
                    f"{item.id}: {gene} has IUIS entries in {', '.join(sorted(known))}; "
                    "say which in gene_tables"
                )
            elif item.gene_tables and known and not any(in_tables(item.gene_tables, c) for c in known):
                problems.append(
                    f"{item.id}: {gene} has no IUIS entry in gene_tables {list(item.gene_tables)}"
                )
    return problems

"""Who a rule is for: the record codes, IUIS (sub)tables, ESID definitions and genes of a patient group."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints, field_validator

from immunocare.domain.codes import hgnc_symbol_problem, iuis_category_problem
from immunocare.knowledge._base import ID_PATTERN, KBModel

__all__ = ["PatientGroup"]


class PatientGroup(KBModel):
    """The ways a patient's record places them in a group; any one suffices.

    Attributes:
        diagnoses: readable diagnosis ids, to which ``diagnosis_codes`` items map record codes.
        iuis: IUIS tables or table.subtables ("3.1") whose disorders belong to the group.
        esid: ESID registry working-definition ids.
        genes: HGNC symbols whose defects belong to the group.
    """

    diagnoses: tuple[Annotated[str, StringConstraints(pattern=ID_PATTERN)], ...] = ()
    iuis: tuple[str, ...] = ()
    esid: tuple[str, ...] = ()
    genes: tuple[str, ...] = ()

    @field_validator("iuis")
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

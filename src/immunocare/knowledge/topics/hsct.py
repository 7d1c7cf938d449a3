"""Haematopoietic stem cell transplantation and gene therapy for inborn errors of immunity.

Indications carry the strength the source gives (EBMT's standard of care / clinical option /
developmental / not generally recommended, a guideline's plain "recommended", or case by case)
and the urgency; approved gene therapies carry their approvals and indication conditions;
principles hold the general statements a plan cites.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, model_validator

from immunocare.domain.codes import hgnc_symbol_problem
from immunocare.knowledge._base import KBItem, KBModel, Topic

from .ig_products import Duration

__all__ = ["ORDER", "TOPIC", "Approval", "GeneTherapy", "HsctIndication", "HsctPrinciple"]

ORDER = 63


def _genes_problem(genes: tuple[str, ...]) -> None:
    for gene in genes:
        problem = hgnc_symbol_problem(gene)
        if problem:
            raise ValueError(f"{gene}: {problem}")


class HsctIndication(KBItem):
    """HSCT for one disease (or gene), with the source's strength and the urgency."""

    kind: Literal["hsct"]
    disease: str = Field(min_length=1, description="Readable diagnosis id.")
    genes: tuple[str, ...] = ()
    strength: Literal[
        "standard of care",
        "clinical option",
        "developmental",
        "not generally recommended",
        "recommended",
        "case by case",
    ]
    urgency: Literal["emergency", "planned", "individual"] | None = None
    condition: str | None = Field(None, description="When the indication holds, e.g. 'with HLH'.")
    grade: str | None = None

    @model_validator(mode="after")
    def _hgnc(self) -> HsctIndication:
        _genes_problem(self.genes)
        return self


class Approval(KBModel):
    """A marketing authorisation: who granted it, when, and by which pathway."""

    agency: Literal["European Commission", "FDA"]
    year: int = Field(ge=1990, le=2100)
    decided: date | None = None
    pathway: Literal["standard", "accelerated"] = "standard"

    @model_validator(mode="after")
    def _same_year(self) -> Approval:
        if self.decided is not None and self.decided.year != self.year:
            raise ValueError(f"decided {self.decided} is not in {self.year}")
        return self


class GeneTherapy(KBItem):
    """An approved autologous gene therapy and the patients its label covers."""

    kind: Literal["gene_therapy"]
    product: str = Field(min_length=1)
    inn: str | None = None
    disease: str = Field(min_length=1, description="Readable diagnosis id.")
    gene: str
    vector: Literal["gammaretroviral", "lentiviral"]
    approvals: tuple[Approval, ...] = Field(min_length=1)
    age_from: Duration | None = None
    indication: str = Field(min_length=1, description="The label's indication conditions, in words.")

    @model_validator(mode="after")
    def _hgnc(self) -> GeneTherapy:
        _genes_problem((self.gene,))
        return self


class HsctPrinciple(KBItem):
    """A general statement about HSCT or bridging therapy that a plan can cite."""

    kind: Literal["principle"]
    applies_to: tuple[str, ...] = Field(min_length=1)
    statement: str = Field(min_length=1)
    grade: str | None = None


HsctItem = Annotated[HsctIndication | GeneTherapy | HsctPrinciple, Field(discriminator="kind")]

TOPIC = Topic(name="hsct", title="HSCT and gene therapy indications", item_type=HsctItem)

"""Haematopoietic stem cell transplantation and gene therapy for inborn errors of immunity.

Indications carry the strength the source gives (EBMT's standard of care / clinical option /
developmental / not generally recommended, a guideline's plain "recommended", or case by case)
and the urgency; gene therapies are approved (with their approvals and label indication) or
studied in trials (with the registry ids and the published study); principles hold the general
statements a plan cites. Indications and gene therapies are for the patients of their
:class:`~immunocare.knowledge.topics._groups.PatientGroup` (diagnosis codes, IUIS tables, ESID
definitions, confirmed genes).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, model_validator

from immunocare.knowledge._base import KBItem, KBModel, Topic

from ._groups import PatientGroup, gene_table_problems
from .ig_products import Duration

if TYPE_CHECKING:
    from immunocare.knowledge import KnowledgeBase

__all__ = ["ORDER", "TOPIC", "Approval", "GeneTherapy", "HsctIndication", "HsctPrinciple"]

ORDER = 63


def _grouped(item: PatientGroup) -> None:
    if not (item.diagnoses or item.iuis or item.esid or item.genes):
        raise ValueError("name the patients: diagnoses, iuis, esid or genes")


class HsctIndication(KBItem, PatientGroup):
    """HSCT for one patient group, with the source's strength and the urgency."""

    kind: Literal["hsct"]
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
    def _patients(self) -> HsctIndication:
        _grouped(self)
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


class GeneTherapy(KBItem, PatientGroup):
    """An autologous gene therapy, approved or studied in trials, and the patients it is for.

    Attributes:
        product: the product name; ``None`` for a trial vector without one.
        status: "approved" (with its ``approvals``) or "in trials" (with the ``trials`` registry ids
            when the source gives them).
        indication: the label's indication conditions, or the patients the trials enrolled, in words.
    """

    kind: Literal["gene_therapy"]
    product: str | None = Field(None, min_length=1)
    inn: str | None = None
    vector: Literal["gammaretroviral", "lentiviral"]
    status: Literal["approved", "in trials"] = "approved"
    approvals: tuple[Approval, ...] = ()
    trials: tuple[Annotated[str, Field(pattern=r"^NCT[0-9]{8}$")], ...] = ()
    age_from: Duration | None = None
    indication: str = Field(min_length=1)

    @model_validator(mode="after")
    def _status_and_patients(self) -> GeneTherapy:
        _grouped(self)
        if self.status == "approved" and not (self.approvals and self.product):
            raise ValueError("an approved gene therapy names its product and approvals")
        if self.status == "in trials" and self.approvals:
            raise ValueError("a gene therapy in trials has no approvals")
        return self


class HsctPrinciple(KBItem, PatientGroup):
    """A general statement about HSCT or bridging therapy that a plan can cite.

    Attributes:
        with_any_option: it holds for every patient the section advises a curative option for;
            otherwise it holds for the patients of its group.
    """

    kind: Literal["principle"]
    with_any_option: bool = False
    statement: str = Field(min_length=1)
    grade: str | None = None

    @model_validator(mode="after")
    def _patients(self) -> HsctPrinciple:
        if not self.with_any_option:
            _grouped(self)
        return self


HsctItem = Annotated[HsctIndication | GeneTherapy | HsctPrinciple, Field(discriminator="kind")]


def _cross_check(kb: KnowledgeBase) -> list[str]:
    return gene_table_problems(kb, kb.topics.get("hsct", ()))


TOPIC = Topic(
    name="hsct", title="HSCT and gene therapy indications", item_type=HsctItem, cross_check=_cross_check
)

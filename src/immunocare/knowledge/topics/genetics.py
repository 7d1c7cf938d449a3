"""How a reported variant is read: ACMG classes, inheritance and zygosity, the laboratory pattern.

Four item types live in ``data/genetics/``:

- :class:`AcmgMeaning`: what an ACMG/AMP class allows — a *causal* variant can confirm a
  diagnosis, an *uncertain* one cannot on its own, a *not causal* one does not explain anything.
- :class:`ZygosityRule`: for an inheritance pattern (AR, AD, XL) and, where it matters, the
  patient's sex, the zygosities that *fit* (explain the disease) and those that make the patient a
  *carrier*; and whether two heterozygous variants of one gene count as compound heterozygous.
- :class:`LabColumn`: an IUIS laboratory column (B cells, immunoglobulins…) as the analytes that
  measure it, and the result flags each printed pattern agrees with.
- :class:`FamilyTesting`: for an inheritance pattern, the first-degree relatives to offer testing
  to once the diagnosis is confirmed, and which test.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from immunocare.domain import AcmgClass, Relation, Sex, Zygosity
from immunocare.knowledge._base import KBItem, KBModel, Topic

from .analytes import Analyte
from .iuis import LabPattern

if TYPE_CHECKING:
    from immunocare.knowledge._kb import KnowledgeBase

__all__ = [
    "ORDER",
    "TOPIC",
    "AcmgMeaning",
    "FamilyOffer",
    "FamilyTesting",
    "LabColumn",
    "PatternFlags",
    "ZygosityRule",
]

ORDER = 72

Role = Literal["causal", "uncertain", "not_causal"]
Pattern = Literal["AR", "AD", "XL"]
ResultFlag = Literal["low", "normal", "high"]


class AcmgMeaning(KBItem):
    """What one ACMG/AMP class allows."""

    type: Literal["acmg"]
    acmg_class: AcmgClass
    role: Role
    meaning: str = Field(min_length=1, description="The class in words a clinician reads.")


class ZygosityRule(KBItem):
    """Which zygosities explain a disease of one inheritance pattern (for one sex, when given)."""

    type: Literal["zygosity"]
    pattern: Pattern
    sex: Sex | None = Field(None, description="The patient's sex the rule is for; none: any.")
    fits: tuple[Zygosity, ...] = Field(min_length=1)
    carrier: tuple[Zygosity, ...] = ()
    pairs_count_as_compound: bool = Field(
        False, description="Two heterozygous variants of the gene count as compound heterozygous."
    )


class PatternFlags(KBModel):
    """The result flags a printed IUIS pattern agrees with."""

    pattern: LabPattern
    flags: tuple[ResultFlag, ...] = Field(min_length=1)


class LabColumn(KBItem):
    """An IUIS laboratory column, the analytes that measure it, and how its patterns read."""

    type: Literal["lab_column"]
    column: Literal["t_cell_count", "b_cell_count", "immunoglobulin_levels", "neutrophil_count"]
    analytes: tuple[str, ...] = Field(min_length=1)
    patterns: tuple[PatternFlags, ...] = Field(min_length=1)


class FamilyOffer(KBModel):
    """A relative to offer testing to, and which test."""

    relation: Relation
    test: Literal["carrier", "diagnostic", "predictive"]


class FamilyTesting(KBItem):
    """The first-degree relatives to offer testing once a diagnosis of one pattern is confirmed."""

    type: Literal["family"]
    pattern: Pattern
    offers: tuple[FamilyOffer, ...] = Field(min_length=1)
    rationale: str = Field(min_length=1)


GeneticsItem = Annotated[AcmgMeaning | ZygosityRule | LabColumn | FamilyTesting, Field(discriminator="type")]


def _genetics_problems(kb: KnowledgeBase) -> list[str]:
    analytes = {item.id for item in kb.of(Analyte)}
    problems = [
        f"{column.id}: {ref!r} is not a known analyte"
        for column in kb.of(LabColumn)
        for ref in column.analytes
        if ref not in analytes
    ]
    classes = Counter(item.acmg_class for item in kb.of(AcmgMeaning))
    problems += [f"ACMG class {c.value} has no meaning item" for c in AcmgClass if classes[c] != 1]
    rules = Counter((item.pattern, item.sex) for item in kb.of(ZygosityRule))
    problems += [f"{key}: more than one zygosity rule" for key, n in rules.items() if n > 1]
    problems += [
        f"{item.id}: {offer.relation.value} is not a first-degree relative"
        for item in kb.of(FamilyTesting)
        for offer in item.offers
        if not offer.relation.first_degree
    ]
    return problems


TOPIC = Topic(
    name="genetics",
    title="Genetic confirmation: ACMG classes, inheritance, laboratory pattern, family testing",
    item_type=GeneticsItem,
    cross_check=_genetics_problems,
)

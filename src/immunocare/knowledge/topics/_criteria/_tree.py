"""Combinators, the :data:`Criterion` union, and walking a tree."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal, TypeAlias

from pydantic import AfterValidator, Field, TypeAdapter, model_validator

from immunocare.knowledge._base import ID_PATTERN, KBModel

from ._leaves import (
    Age,
    AntibioticDays,
    ChecklistClear,
    DataNeed,
    DiagnosisCode,
    Exclusion,
    FamilyHistory,
    GeneticVariant,
    Growth,
    InfectionCount,
    LabReference,
    LabThreshold,
    Leaf,
    MedicationTaken,
    PhenotypeTerm,
    QualitativeResult,
    RuleMet,
    SexIs,
)

__all__ = [
    "CRITERION",
    "AllOf",
    "AnyOf",
    "AtLeast",
    "Criterion",
    "Not",
    "Tree",
    "leaves",
    "needs",
    "nodes",
    "repeated_ids",
    "tree_problems",
]


class _Group(KBModel):
    id: str | None = Field(None, pattern=ID_PATTERN)
    text: str | None = Field(None, min_length=1, description="How the group reads in its source.")
    note: str | None = None


class AllOf(_Group):
    """Every item is met."""

    kind: Literal["all_of"]
    items: tuple[Criterion, ...] = Field(min_length=1)


class AnyOf(_Group):
    """At least one item is met."""

    kind: Literal["any_of"]
    items: tuple[Criterion, ...] = Field(min_length=1)


class AtLeast(_Group):
    """At least ``n`` of the items are met."""

    kind: Literal["at_least"]
    n: int = Field(ge=1)
    items: tuple[Criterion, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _n_fits(self) -> AtLeast:
        if self.n > len(self.items):
            raise ValueError(f"at_least needs {self.n} of only {len(self.items)} items")
        return self


class Not(_Group):
    """The item is not met."""

    kind: Literal["not"]
    item: Criterion


Criterion: TypeAlias = Annotated[
    AllOf
    | AnyOf
    | AtLeast
    | Not
    | InfectionCount
    | AntibioticDays
    | LabReference
    | LabThreshold
    | Age
    | SexIs
    | FamilyHistory
    | PhenotypeTerm
    | DiagnosisCode
    | MedicationTaken
    | GeneticVariant
    | Growth
    | QualitativeResult
    | ChecklistClear
    | RuleMet
    | Exclusion,
    Field(discriminator="kind"),
]
"""Any node of a criterion tree."""

for _group in (AllOf, AnyOf, AtLeast, Not):
    _group.model_rebuild()

CRITERION: TypeAdapter[Criterion] = TypeAdapter(Criterion)
"""Validates a criterion tree from plain data."""


def nodes(tree: Criterion) -> Iterator[Criterion]:
    """Every node of a tree, depth first, the root included."""
    yield tree
    if isinstance(tree, Not):
        yield from nodes(tree.item)
    elif isinstance(tree, AllOf | AnyOf | AtLeast):
        for item in tree.items:
            yield from nodes(item)


def leaves(tree: Criterion) -> list[Leaf]:
    """The leaves of a tree, in reading order."""
    return [node for node in nodes(tree) if isinstance(node, Leaf)]


def needs(tree: Criterion) -> list[DataNeed]:
    """What the tree reads from the record, without repeats, in reading order."""
    seen: dict[DataNeed, None] = {}
    for leaf in leaves(tree):
        seen.update(dict.fromkeys(leaf.needs()))
    return list(seen)


def repeated_ids(ids: list[str], what: str) -> list[str]:
    """A problem for each id that occurs more than once."""
    return [f"{what} id {i!r} is used more than once" for i in sorted({i for i in ids if ids.count(i) > 1})]


def tree_problems(tree: Criterion) -> list[str]:
    """Problems a single schema cannot see: node ids used twice in one tree."""
    return repeated_ids([node.id for node in nodes(tree) if node.id is not None], "criterion")


def _checked(tree: Criterion) -> Criterion:
    problems = tree_problems(tree)
    if problems:
        raise ValueError("; ".join(problems))
    return tree


Tree = Annotated[Criterion, AfterValidator(_checked)]
"""A whole criterion tree, as an item field: a :data:`Criterion` whose node ids are unique."""

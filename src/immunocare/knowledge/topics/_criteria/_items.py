"""Items the language refers to (tests, checklists, rules) and the cross-topic reference check."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from immunocare.errors import NotFoundError
from immunocare.knowledge._base import ID_PATTERN, KBItem, KBModel

from ..sid_drugs import DrugClass
from ._leaves import (
    ChecklistClear,
    Exclusion,
    LabReference,
    LabThreshold,
    MedicationTaken,
    QualitativeResult,
    RuleMet,
)
from ._tree import Criterion, Tree, leaves, repeated_ids

if TYPE_CHECKING:
    from immunocare.knowledge._kb import KnowledgeBase

__all__ = [
    "Checklist",
    "ChecklistEntry",
    "LabTest",
    "Rule",
    "analyte_problems",
    "reference_problems",
]


class Rule(KBItem):
    """A knowledge item that can be evaluated as met / not met / undetermined (a ``rule`` leaf target)."""


class LabTest(KBItem):
    """A test the rules name: the analytes it reports, or the results it has when it has no number.

    A ``test_result`` leaf names a test and some of its ``outcomes``; a laboratory leaf's analyte
    must be reported by some test, which is what to order when the record lacks it.
    """

    type: Literal["test"]
    analytes: tuple[str, ...] = Field((), description="Analyte ids (topic analytes) the test reports.")
    outcomes: tuple[str, ...] = Field((), description="Result words of a test without a number.")

    @model_validator(mode="after")
    def _reports_something(self) -> LabTest:
        if not (self.analytes or self.outcomes):
            raise ValueError("a test reports analytes, outcomes or both")
        return self


class ChecklistEntry(KBModel):
    """One thing to rule out; ``present`` is met when the record shows it."""

    id: str = Field(pattern=ID_PATTERN)
    text: str = Field(min_length=1)
    present: Tree


class Checklist(KBItem):
    """Things that must each be ruled out, e.g. the secondary causes of hypogammaglobulinaemia."""

    type: Literal["checklist"]
    entries: tuple[ChecklistEntry, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _entries(self) -> Checklist:
        problems = repeated_ids([entry.id for entry in self.entries], "entry")
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _targets(tree: Criterion) -> Iterator[tuple[str, str]]:
    for leaf in leaves(tree):
        if isinstance(leaf, LabReference | LabThreshold):
            yield "analyte", leaf.analyte
        elif isinstance(leaf, QualitativeResult):
            yield "test", leaf.test
        elif isinstance(leaf, ChecklistClear):
            yield "checklist", leaf.checklist
        elif isinstance(leaf, RuleMet):
            yield "rule", leaf.rule
        elif isinstance(leaf, Exclusion):
            yield from (("rule", definition) for definition in leaf.definitions)
        elif isinstance(leaf, MedicationTaken):
            yield from (("drug class", drug_class) for drug_class in leaf.drug_classes)


def reference_problems(kb: KnowledgeBase, owner: str, tree: Criterion) -> list[str]:
    """Ids a tree names that the knowledge base lacks or holds as the wrong kind of item.

    Analyte ids are checked once the ``analytes`` topic holds items.
    """
    kinds: dict[str, type[KBItem]] = {
        "test": LabTest,
        "checklist": Checklist,
        "rule": Rule,
        "drug class": DrugClass,
    }
    problems = []
    for target, ref in dict.fromkeys(_targets(tree)):
        if target == "analyte":
            problems.extend(analyte_problems(kb, owner, (ref,)) + _unreported(kb, owner, (ref,)))
            continue
        item = _find(kb, ref)
        if not isinstance(item, kinds[target]):
            problems.append(f"{owner}: {ref!r} is not a known {target}")
        elif isinstance(item, LabTest):
            problems.extend(_outcome_problems(owner, item, tree))
    return problems


def analyte_problems(kb: KnowledgeBase, owner: str, analytes: tuple[str, ...]) -> list[str]:
    """Analyte ids the ``analytes`` topic lacks (checked once that topic holds items)."""
    known = {item.id for item in kb.topics.get("analytes", ())}
    return [f"{owner}: unknown analyte {ref!r}" for ref in analytes if known and ref not in known]


def _unreported(kb: KnowledgeBase, owner: str, analytes: tuple[str, ...]) -> list[str]:
    reported = {ref for test in kb.of(LabTest) for ref in test.analytes}
    return [f"{owner}: no test reports analyte {ref!r}" for ref in analytes if ref not in reported]


def _find(kb: KnowledgeBase, item_id: str) -> KBItem | None:
    try:
        return kb.get(item_id)
    except NotFoundError:
        return None


def _outcome_problems(owner: str, test: LabTest, tree: Criterion) -> list[str]:
    wrong = {
        r
        for leaf in leaves(tree)
        if isinstance(leaf, QualitativeResult) and leaf.test == test.id
        for r in leaf.results
    }
    return [f"{owner}: {test.id} has no outcome {r!r}" for r in sorted(wrong - set(test.outcomes))]

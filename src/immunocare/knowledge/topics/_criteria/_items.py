"""Items the language refers to (tests, checklists, rules) and the cross-topic reference check."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator, model_validator

from immunocare.domain.codes import hpo_problem, loinc_problem
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
    "DerivedFrom",
    "LabTest",
    "OutcomePhenotype",
    "ResultWords",
    "Rule",
    "analyte_problems",
    "normalize_result_text",
    "reference_problems",
]


class Rule(KBItem):
    """A knowledge item that can be evaluated as met / not met / undetermined (a ``rule`` leaf target)."""


DerivedFrom = Literal["polysaccharide_grade", "antigen_protection", "genetic_findings"]
"""Record data the clinical core derives a test's outcome from, instead of reading a result text."""


def normalize_result_text(text: str) -> str:
    """A result text as result words are compared: lower case, single spaces, no closing full stop.

    >>> normalize_result_text("  Not   Detected. ")
    'not detected'
    """
    return " ".join(text.lower().split()).rstrip(".").strip()


class ResultWords(KBModel):
    """The result texts that mean one outcome of a test without a number.

    For a test ``derived_from`` other record data, the words are the derived results instead (the
    polysaccharide grades, ``protective``/``not_protective``, ``variant_reported``).
    """

    outcome: str = Field(pattern=ID_PATTERN)
    words: tuple[str, ...] = Field(min_length=1, description="Compared after normalize_result_text.")
    verified: bool = Field(description="False when the words are a reading, not read in the cited source.")
    note: str | None = Field(None, description="Where the words come from, or that they are a reading.")

    @field_validator("words")
    @classmethod
    def _normalized(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        odd = [word for word in words if word != normalize_result_text(word)]
        if odd:
            raise ValueError(f"write result words in lower case with single spaces: {odd}")
        return words

    @model_validator(mode="after")
    def _unverified_needs_note(self) -> ResultWords:
        if not self.verified and not self.note:
            raise ValueError("unverified result words need a note saying they are a reading")
        return self


class OutcomePhenotype(KBModel):
    """HPO terms that record an outcome of a test without a number (as findings often are).

    A term observed in the record (or a more specific one) gives the outcome; the same term recorded
    as excluded gives the test's first normal outcome.
    """

    outcome: str = Field(pattern=ID_PATTERN)
    hpo: tuple[str, ...] = Field(min_length=1)
    verified: bool = Field(description="False when the term-to-outcome mapping is a reading.")
    note: str | None = None

    @field_validator("hpo")
    @classmethod
    def _hpo_ids(cls, terms: tuple[str, ...]) -> tuple[str, ...]:
        for term in terms:
            problem = hpo_problem(term)
            if problem:
                raise ValueError(f"{term}: {problem}")
        return terms


class LabTest(KBItem):
    """A test the rules name: the analytes it reports, or the results it has when it has no number.

    A ``test_result`` leaf names a test and some of its ``outcomes``; a laboratory leaf's analyte
    must be reported by some test, which is what to order when the record lacks it. A result of a
    test without a number reaches it by one of its ``loinc`` codes, and its text is read through
    ``result_words``; a test ``derived_from`` other record data gets its outcome from them.
    ``normal_outcomes`` are the outcomes that point at no disorder; the others are abnormal.
    """

    type: Literal["test"]
    analytes: tuple[str, ...] = Field((), description="Analyte ids (topic analytes) the test reports.")
    outcomes: tuple[str, ...] = Field((), description="Result words of a test without a number.")
    loinc: tuple[str, ...] = Field((), description="LOINC codes that report this test's result.")
    result_words: tuple[ResultWords, ...] = Field((), description="Per outcome, the texts that mean it.")
    normal_outcomes: tuple[str, ...] = Field((), description="The outcomes that point at no disorder.")
    derived_from: DerivedFrom | None = None
    phenotypes: tuple[OutcomePhenotype, ...] = Field((), description="HPO terms that record an outcome.")

    @model_validator(mode="after")
    def _reports_something(self) -> LabTest:
        if not (self.analytes or self.outcomes):
            raise ValueError("a test reports analytes, outcomes or both")
        return self

    @field_validator("loinc")
    @classmethod
    def _loinc_codes(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        for code in codes:
            problem = loinc_problem(code)
            if problem:
                raise ValueError(f"{code}: {problem}")
        if len(set(codes)) != len(codes):
            raise ValueError("a LOINC code is listed twice")
        return codes

    @model_validator(mode="after")
    def _words_match_outcomes(self) -> LabTest:
        named = [entry.outcome for entry in self.result_words]
        problems = [
            f"{o!r} is not an outcome of the test"
            for o in (*named, *self.normal_outcomes, *(p.outcome for p in self.phenotypes))
            if o not in self.outcomes
        ]
        problems += repeated_ids(named, "outcome")
        words = Counter(word for entry in self.result_words for word in entry.words)
        problems += [f"result word {word!r} means two outcomes" for word, n in sorted(words.items()) if n > 1]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def abnormal(self, outcome: str) -> bool | None:
        """Whether an outcome points at a disorder; ``None`` when the test names no normal outcome."""
        return None if not self.normal_outcomes else outcome not in self.normal_outcomes

    def outcome_of(self, text: str) -> ResultWords | None:
        """The result words entry ``text`` matches exactly (after normalising), or ``None``."""
        wanted = normalize_result_text(text)
        return next((entry for entry in self.result_words if wanted in entry.words), None)


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

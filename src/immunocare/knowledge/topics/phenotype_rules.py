"""Laboratory results read as HPO terms, and HPO's onset classes, for the phenotype-driven differential.

- :class:`LabPhenotypeRule`: a result of ``analyte`` flagged ``flag`` (low or high against its
  age-related reference) is the HPO term ``hpo_id``. Where the term describes a column of the IUIS
  tables (T, B, NK cell counts, immunoglobulin levels), ``iuis_column`` names it, and
  ``iuis_agrees`` / ``iuis_contradicts`` list the column's patterns that agree with or contradict
  the term, so the differential can compare a patient's counts with each disease's pattern.

- :class:`OnsetClass`: an HPO onset term (Infantile onset, Adult onset …) with the ages it spans
  since birth, so that a disease annotated with onset classes can be compared with a patient's age.

Term ids and names are those of the HPO release bundled with hpo3; a test checks both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, field_validator, model_validator

from immunocare.domain.codes import hpo_problem
from immunocare.knowledge._base import KBItem, Topic
from immunocare.knowledge.topics._criteria import analyte_problems
from immunocare.knowledge.topics.iuis import LabPattern
from immunocare.knowledge.topics.reference_intervals import AgeDuration

if TYPE_CHECKING:
    from immunocare.knowledge._kb import KnowledgeBase

__all__ = ["ORDER", "TOPIC", "LabPhenotypeRule", "OnsetClass", "PhenotypeRuleItem"]

ORDER = 75

IuisColumn = Literal["t_cell_count", "b_cell_count", "immunoglobulin_levels", "neutrophil_count"]


class LabPhenotypeRule(KBItem):
    """A flagged result of ``analyte`` read as the HPO term ``hpo_id`` (named ``hpo_label``)."""

    type: Literal["lab_phenotype"]
    analyte: str = Field(min_length=1, description="The analyte id (topic analytes).")
    flag: Literal["low", "high"] = Field(description="The flag against the age-related reference.")
    hpo_id: str
    hpo_label: str = Field(min_length=1, description="The term's name in the HPO release.")
    iuis_column: IuisColumn | None = Field(None, description="The IUIS laboratory column it speaks to.")
    iuis_agrees: tuple[LabPattern, ...] = ()
    iuis_contradicts: tuple[LabPattern, ...] = ()

    @field_validator("hpo_id")
    @classmethod
    def _hpo(cls, term: str) -> str:
        return _hpo_term(term)

    @model_validator(mode="after")
    def _column_patterns(self) -> LabPhenotypeRule:
        if (self.iuis_column is None) != (not self.iuis_agrees and not self.iuis_contradicts):
            raise ValueError("iuis_agrees and iuis_contradicts are given exactly when iuis_column is")
        if set(self.iuis_agrees) & set(self.iuis_contradicts):
            raise ValueError("a pattern cannot both agree with and contradict the term")
        return self


class OnsetClass(KBItem):
    """The HPO onset term ``hpo_id``: onset from ``starts`` after birth until before ``ends``.

    ``ends`` is ``None`` for an open end (Adult onset). Durations are ISO 8601 (``P29D``, ``P16Y``).
    """

    type: Literal["onset_class"]
    hpo_id: str
    hpo_label: str = Field(min_length=1, description="The term's name in the HPO release.")
    starts: AgeDuration = Field(description="Age since birth at which the class begins.")
    ends: AgeDuration | None = Field(None, description="Age since birth before which it ends; none if open.")

    @field_validator("hpo_id")
    @classmethod
    def _hpo(cls, term: str) -> str:
        return _hpo_term(term)

    @model_validator(mode="after")
    def _ordered(self) -> OnsetClass:
        if self.ends is not None and self.ends.always_shorter_than(self.starts):
            raise ValueError(f"ends ({self.ends}) is before starts ({self.starts})")
        return self


PhenotypeRuleItem = Annotated[LabPhenotypeRule | OnsetClass, Field(discriminator="type")]


def _hpo_term(term: str) -> str:
    problem = hpo_problem(term)
    if problem:
        raise ValueError(problem)
    return term


def _cross_check(kb: KnowledgeBase) -> list[str]:
    rules = kb.of(LabPhenotypeRule)
    problems = [problem for rule in rules for problem in analyte_problems(kb, rule.id, (rule.analyte,))]
    seen: dict[tuple[str, str], str] = {}
    for rule in rules:
        key = (rule.analyte, rule.flag)
        if key in seen:
            problems.append(f"{rule.id}: {rule.analyte} {rule.flag} is already read by {seen[key]}")
        seen[key] = rule.id
    return problems


TOPIC = Topic(
    name="phenotype_rules",
    title="Laboratory results read as HPO terms, and HPO onset classes (differential diagnosis)",
    item_type=PhenotypeRuleItem,
    cross_check=_cross_check,
)

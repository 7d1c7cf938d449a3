"""One patient's evaluation: the record, the knowledge, the day, and what every rule shares."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from immunocare.domain import Finding, PatientRecord, age_in_years
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics._criteria import LabTest
from immunocare.knowledge.topics.lab_interpretation import SdReading, TreatmentConfounder

from ..imaging import ImagingTerm, imaging_phenotypes
from ..labs import LabBook
from ..test_results import TestOutcome, qualitative_results

if TYPE_CHECKING:
    from ..genetics import GeneticInterpretation

__all__ = ["Evaluation"]


class Evaluation:
    """A patient's record, read as of one day with one knowledge base.

    Rules evaluated through :meth:`rule` are remembered, so a definition that excludes every other
    definition, or a referral rule that asks whether a warning-sign list is met, costs nothing more.
    """

    def __init__(self, record: PatientRecord, kb: KnowledgeBase, as_of: date) -> None:
        self.record = record
        self.kb = kb
        self.as_of = as_of
        self._rules: dict[str, Finding] = {}
        self._stack: list[str] = []

    @property
    def age_years(self) -> float:
        """The patient's age on ``as_of``, in years."""
        return age_in_years(self.record.patient.birth_date, self.as_of)

    @cached_property
    def labs(self) -> LabBook:
        """Every laboratory result read against its reference."""
        return LabBook.of(self.record, self.kb)

    @cached_property
    def imaging_terms(self) -> tuple[ImagingTerm, ...]:
        """Every HPO term the record's imaging findings show."""
        return imaging_phenotypes(self.record, self.kb)

    @cached_property
    def genetics(self) -> tuple[GeneticInterpretation, ...]:
        """Each gene with a reported variant, read against the IUIS classification."""
        from ..genetics import interpret_genetics  # it reads phenotypes through this evaluation

        return interpret_genetics(self)

    @cached_property
    def test_outcomes(self) -> tuple[TestOutcome, ...]:
        """Every result of a test without a number the record shows, with where it comes from."""
        return qualitative_results(self.record, self.kb, self.as_of)

    @cached_property
    def tests_by_analyte(self) -> dict[str, LabTest]:
        """The test that reports each analyte (what to order when it is missing)."""
        found: dict[str, LabTest] = {}
        for test in self.kb.of(LabTest):
            for analyte in test.analytes:
                found.setdefault(analyte, test)
        return found

    @cached_property
    def sd_readings(self) -> dict[float, SdReading]:
        """How a number of SD is read against a reference interval."""
        return {reading.sd: reading for reading in self.kb.of(SdReading)}

    @cached_property
    def confounded_from(self) -> dict[str, tuple[date, TreatmentConfounder]]:
        """Analytes whose results stop counting, with the day they stop and the knowledge item why."""
        starts = sorted(infusion.given_on for infusion in self.record.infusions)
        if not starts:
            return {}
        return {
            analyte: (starts[0], item)
            for item in self.kb.of(TreatmentConfounder)
            for analyte in item.analytes
        }

    @property
    def evaluating(self) -> tuple[str, ...]:
        """The rules being evaluated right now, outermost first."""
        return tuple(self._stack)

    def rule(self, item_id: str) -> Finding:
        """The finding of a rule item (a warning-sign list or sign, a referral rule, a definition)."""
        from ._rules import evaluate_rule  # the rules evaluate trees, whose leaves come back here

        if item_id not in self._rules:
            with self._evaluating(item_id):
                self._rules[item_id] = evaluate_rule(self, item_id)
        return self._rules[item_id]

    @contextmanager
    def _evaluating(self, item_id: str) -> Iterator[None]:
        self._stack.append(item_id)
        try:
            yield
        finally:
            self._stack.pop()

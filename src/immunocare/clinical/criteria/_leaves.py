"""Every kind of leaf and the function that evaluates it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from immunocare.domain import Finding
from immunocare.knowledge.topics._criteria import (
    Age,
    AntibioticDays,
    ChecklistClear,
    DiagnosisCode,
    Exclusion,
    FamilyHistory,
    GeneticVariant,
    Growth,
    InfectionCount,
    LabReference,
    LabThreshold,
    MedicationTaken,
    PhenotypeTerm,
    QualitativeResult,
    RuleMet,
    SexIs,
)

from . import _history, _references, _results, _tests
from ._evaluation import Evaluation

__all__ = ["LEAF_EVALUATORS"]

LEAF_EVALUATORS: dict[type, Callable[[Any, Evaluation], Finding]] = {
    InfectionCount: _history.infection_count,
    AntibioticDays: _history.antibiotic_days,
    Age: _history.age,
    SexIs: _history.sex,
    FamilyHistory: _history.family_history,
    PhenotypeTerm: _history.phenotype,
    DiagnosisCode: _history.diagnosis,
    MedicationTaken: _history.medication,
    GeneticVariant: _history.genetic,
    LabReference: _results.lab_reference,
    LabThreshold: _results.lab_threshold,
    Growth: _tests.growth,
    QualitativeResult: _tests.test_result,
    ChecklistClear: _references.checklist,
    RuleMet: _references.rule,
    Exclusion: _references.exclusion,
}
"""The evaluator of each leaf kind of the criterion language."""

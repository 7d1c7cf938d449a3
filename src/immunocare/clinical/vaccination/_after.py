"""Beyond today's decisions: household contacts, timing before planned immunosuppression, re-vaccination."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from immunocare.knowledge.topics.vaccination_rules import (
    HouseholdException,
    HouseholdRule,
    RevaccinationStep,
    TimingRule,
)
from immunocare.knowledge.topics.vaccines import Vaccine

from ..criteria import Evaluation
from ..groups import met_definitions
from ._state import Exposure, VaccinationState

__all__ = [
    "HouseholdAdvice",
    "ReinforcementStep",
    "TimingAdvice",
    "household_advice",
    "reinforcement_plan",
    "timing_advice",
]


@dataclass(frozen=True, slots=True)
class HouseholdAdvice:
    """What household contacts may receive, with the patient's exceptions that change it.

    Attributes:
        status: for the contact, after the exceptions that certainly apply.
        exceptions: the rule's exceptions the patient meets (first the one deciding ``status``),
            then those that apply only if a clinician confirms their conditions.
    """

    rule: HouseholdRule
    status: str
    exceptions: tuple[HouseholdException, ...]
    vaccines: tuple[Vaccine, ...]


@dataclass(frozen=True, slots=True)
class ReinforcementStep:
    """A re-vaccination step due after a course of treatment.

    Attributes:
        due_from: the first day of the step; ``None`` while the treatment goes on.
        exposure: the course it follows.
    """

    step: RevaccinationStep
    exposure: Exposure
    due_from: date | None


@dataclass(frozen=True, slots=True)
class TimingAdvice:
    """How long before a planned treatment starts the vaccines a timing rule names should be given.

    Attributes:
        exposure: the planned treatment (its ``start`` is the planned first day).
        give_by: the last day for the vaccines, ``at_least_before`` that start.
    """

    rule: TimingRule
    exposure: Exposure
    give_by: date


def _anchor(exposure: Exposure, anchor: str) -> date | None:
    return exposure.start if anchor == "transplant" else exposure.stop


def _within(exception: HouseholdException, exposure: Exposure, on: date) -> bool:
    window = exception.within
    if window is None:
        return True
    anchor = _anchor(exposure, window.anchor)
    return anchor is None or window.end is None or on < window.end.add_to(anchor)


def _meets(evaluation: Evaluation, state: VaccinationState, exception: HouseholdException) -> bool:
    if met_definitions(evaluation, exception.esid):
        return True
    if any(e.item.id in exception.categories for e in state.categories):
        return True
    return any(
        e.item.id in exception.treatments and _within(exception, e, evaluation.as_of)
        for e in state.treatments
    )


def household_advice(evaluation: Evaluation, state: VaccinationState) -> tuple[HouseholdAdvice, ...]:
    """Every household rule, for a patient with an immunodeficiency or treatment; else none."""
    if not state.exposures:
        return ()
    advice = []
    for rule in evaluation.kb.of(HouseholdRule):
        applying = [e for e in rule.exceptions if _meets(evaluation, state, e)]
        certain = [e for e in applying if not e.conditions]
        status = certain[0].status if certain else rule.status
        exceptions = tuple(certain + [e for e in applying if e.conditions])
        advice.append(
            HouseholdAdvice(rule, status, exceptions, rule.vaccines.select(evaluation.kb.of(Vaccine)))
        )
    return tuple(advice)


def reinforcement_plan(evaluation: Evaluation, state: VaccinationState) -> tuple[ReinforcementStep, ...]:
    """The re-vaccination steps after each course of treatment the record shows, for the patient's age."""
    birth = evaluation.record.patient.birth_date
    steps = []
    for step in evaluation.kb.of(RevaccinationStep):
        if step.age is not None and not step.age.contains(birth_date=birth, on=evaluation.as_of):
            continue
        for exposure in state.treatments:
            if exposure.item.id != step.applies_to:
                continue
            anchor = _anchor(exposure, step.window.anchor)
            start = step.window.start
            due = None if anchor is None else (start.add_to(anchor) if start is not None else anchor)
            steps.append(ReinforcementStep(step, exposure, due))
    return tuple(steps)


def timing_advice(evaluation: Evaluation, state: VaccinationState) -> tuple[TimingAdvice, ...]:
    """For each planned treatment, the rules on vaccinating before its start that apply to it."""
    rules = [rule for rule in evaluation.kb.of(TimingRule) if rule.anchor == "treatment_start"]
    return tuple(
        TimingAdvice(rule, planned, rule.at_least_before.subtract_from(planned.start))
        for planned in state.planned
        if planned.start is not None
        for rule in rules
        if not rule.applies_to or planned.item.id in rule.applies_to
    )

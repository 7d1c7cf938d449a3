"""Each vaccine's decision from the rules that hold for the patient, and past doses checked."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import get_args

from immunocare.domain import Vaccination
from immunocare.domain.ages import age_at_least
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.vaccination_rules import Status, VaccineRule
from immunocare.knowledge.topics.vaccines import Vaccine, possibly_live

from ..criteria import Evaluation
from ._after import (
    HouseholdAdvice,
    ReinforcementStep,
    TimingAdvice,
    household_advice,
    reinforcement_plan,
    timing_advice,
)
from ._state import Exposure, VaccinationState, vaccination_state

__all__ = ["Decision", "PastDose", "RuleUse", "VaccinationPlan", "decide", "vaccination_plan"]

PRECEDENCE: tuple[str, ...] = get_args(Status)
"""The statuses in the knowledge base's schema order, most restrictive first."""

UNSAFE = frozenset(PRECEDENCE[:2])
"""The statuses that say a vaccine is not to be given (contraindicated, not recommended)."""


@dataclass(frozen=True, slots=True)
class RuleUse:
    """A rule that holds for the patient through one category or treatment.

    Attributes:
        conditions: what a clinician must still confirm for it to apply; a use without any decides.
    """

    rule: VaccineRule
    exposure: Exposure
    conditions: tuple[str, ...]

    @property
    def decisive(self) -> bool:
        """Whether the rule applies without anything left to confirm."""
        return not self.conditions


@dataclass(frozen=True, slots=True)
class Decision:
    """One vaccine's status for the patient, and every rule that bears on it.

    Attributes:
        status: the most restrictive status of the decisive rules; ``None`` when every rule that
            holds has a condition to confirm.
        uses: the decisive rules first (most restrictive first), then the conditional ones.
    """

    vaccine: Vaccine
    status: str | None
    uses: tuple[RuleUse, ...]

    @property
    def deciding(self) -> tuple[RuleUse, ...]:
        """The decisive rules whose status is the decision."""
        return tuple(use for use in self.uses if use.decisive and use.rule.status == self.status)

    @property
    def verified(self) -> bool:
        """Whether the deciding rules (or, without one, all rules) and the patient's mappings are verified."""
        return all(use.rule.verified and use.exposure.verified for use in (self.deciding or self.uses))


@dataclass(frozen=True, slots=True)
class PastDose:
    """A recorded dose of a (possibly) live vaccine given while a rule said not to give it."""

    vaccination: Vaccination
    vaccine: Vaccine
    uses: tuple[RuleUse, ...]


@dataclass(frozen=True, slots=True)
class VaccinationPlan:
    """Everything the vaccination rules conclude for one patient on one day.

    The state, each vaccine's decision, past doses given against a rule, the household contacts'
    vaccines, the re-vaccination steps after treatment and the vaccines to give before a planned one.
    """

    state: VaccinationState
    decisions: tuple[Decision, ...]
    past_doses: tuple[PastDose, ...]
    household: tuple[HouseholdAdvice, ...]
    reinforcement: tuple[ReinforcementStep, ...]
    timing: tuple[TimingAdvice, ...]


def _ongoing_on(exposure: Exposure, on: date) -> bool:
    return (
        exposure.start is not None and exposure.start <= on and (exposure.stop is None or exposure.stop >= on)
    )


def _holds(rule: VaccineRule, exposure: Exposure, on: date, birth_date: date) -> bool:
    """Whether the rule holds on ``on`` through the exposure: ages, and for a treatment its window."""
    if rule.age is not None and not rule.age.contains(birth_date=birth_date, on=on):
        return False
    if exposure.start is None:
        return True
    window = rule.window
    if window is None or exposure.start > on:
        return _ongoing_on(exposure, on)
    anchor = exposure.start if window.anchor == "transplant" else exposure.stop
    if anchor is None or on <= anchor:
        return window.anchor != "transplant" or window.start is None
    if window.start is not None and not age_at_least(anchor, on, window.start):
        return False
    return window.end is None or not age_at_least(anchor, on, window.end)


def _conditions(rule: VaccineRule, exposure: Exposure) -> tuple[str, ...]:
    labs = tuple(f"{need.analyte} {need.comparator} {need.amount}" for need in rule.requires)
    return (*rule.conditions, *labs, *exposure.conditions)


def _uses(
    rules: Iterable[VaccineRule], exposures: Iterable[Exposure], on: date, birth_date: date
) -> list[RuleUse]:
    by_id: dict[str, list[Exposure]] = {}
    for exposure in exposures:
        by_id.setdefault(exposure.item.id, []).append(exposure)
    return [
        RuleUse(rule, exposure, _conditions(rule, exposure))
        for rule in rules
        for target in rule.applies_to
        for exposure in by_id.get(target, ())
        if _holds(rule, exposure, on, birth_date)
    ]


def _rank(use: RuleUse) -> tuple[bool, int]:
    return (not use.decisive, PRECEDENCE.index(use.rule.status))


def _decide(vaccine: Vaccine, uses: list[RuleUse]) -> Decision | None:
    mine = sorted((use for use in uses if use.rule.vaccines.matches(vaccine)), key=_rank)
    if not mine:
        return None
    status = mine[0].rule.status if mine[0].decisive else None
    return Decision(vaccine=vaccine, status=status, uses=tuple(mine))


def _past_doses(
    evaluation: Evaluation, state: VaccinationState, rules: tuple[VaccineRule, ...]
) -> list[PastDose]:
    by_code = {int(vaccine.cvx): vaccine for vaccine in evaluation.kb.of(Vaccine)}
    birth_date = evaluation.record.patient.birth_date
    flagged = []
    for dose in sorted(evaluation.record.vaccinations, key=lambda v: v.given_on):
        vaccine = by_code.get(int(dose.cvx))
        if dose.given_on > evaluation.as_of or vaccine is None or not possibly_live(vaccine):
            continue
        uses = [
            use
            for use in _uses(rules, state.exposures, dose.given_on, birth_date)
            if use.decisive and use.rule.status in UNSAFE and use.rule.vaccines.matches(vaccine)
        ]
        if uses:
            flagged.append(PastDose(vaccination=dose, vaccine=vaccine, uses=tuple(sorted(uses, key=_rank))))
    return flagged


def decide(kb: KnowledgeBase, state: VaccinationState, on: date, birth_date: date) -> tuple[Decision, ...]:
    """The decision for every vaccine some rule bears on, for a patient in ``state`` on the day ``on``."""
    uses = _uses(kb.of(VaccineRule), state.exposures, on, birth_date)
    return tuple(d for vaccine in kb.of(Vaccine) if (d := _decide(vaccine, uses)))


def vaccination_plan(evaluation: Evaluation) -> VaccinationPlan:
    """Every vaccine some rule bears on, decided for the patient today, and past doses checked.

    A recorded dose whose code may stand for a live vaccine is flagged when, on the day it was
    given, a decisive rule said it was contraindicated or not recommended.
    """
    state = vaccination_state(evaluation)
    rules = evaluation.kb.of(VaccineRule)
    decisions = decide(evaluation.kb, state, evaluation.as_of, evaluation.record.patient.birth_date)
    return VaccinationPlan(
        state=state,
        decisions=decisions,
        past_doses=tuple(_past_doses(evaluation, state, rules)),
        household=household_advice(evaluation, state),
        reinforcement=reinforcement_plan(evaluation, state),
        timing=timing_advice(evaluation, state),
    )

"""The work-up plan: the presenting patterns a patient shows, and the staged tests each calls for.

Every :class:`~immunocare.knowledge.topics.workup.WorkupPattern` of the knowledge base is evaluated
(its trigger, in the criterion language). For each pattern that is met, its protocol's stages are
laid out step by step: a step is *done* when the record holds a result of its test by ``as_of``,
*abnormal* when that latest result is flagged, and otherwise *to order*. A panel is laid out as its
tests. The next stage is the first that still has a test to order; the plan recommends ordering
those tests, once per protocol however many patterns lead to it, as urgently as the most urgent of
them, with the source's condition to go on from the stage before.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from immunocare.domain import Evidence, Finding, FindingStatus, Recommendation, Urgency
from immunocare.knowledge import KBItem
from immunocare.knowledge.topics._criteria import LabTest
from immunocare.knowledge.topics.referral import LabPanel
from immunocare.knowledge.topics.workup import StageLevel, WorkupPattern, WorkupProtocol, WorkupStage

from .criteria import Evaluation
from .labs import Flag

__all__ = [
    "ORDER_TESTS",
    "PatternPlan",
    "PlannedStage",
    "PlannedStep",
    "StepStatus",
    "WorkupPlan",
    "workup_plan",
]

ORDER_TESTS = "order_tests"
"""The action of a work-up recommendation."""


class StepStatus(StrEnum):
    """Where a step of the work-up stands."""

    TO_ORDER = "to_order"
    DONE = "done"
    ABNORMAL = "abnormal"


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedStep:
    """One test of a stage and whether the record already holds its result.

    Attributes:
        test: the LabTest id.
        title: the test in words.
        status: to order, done, or done with an abnormal (flagged) latest result.
        evidence: the latest results that make it done.
        panel: the LabPanel id when the stage names the test through a panel.
        purpose: what the step looks for, as the protocol's source says.
        verified: ``False`` when the test item is unverified.
    """

    test: str
    title: str
    status: StepStatus
    evidence: tuple[Evidence, ...] = ()
    panel: str | None = None
    purpose: str | None = None
    verified: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedStage:
    """One stage of a protocol, step by step."""

    level: StageLevel
    steps: tuple[PlannedStep, ...]
    proceed_if: str | None

    @property
    def to_order(self) -> tuple[PlannedStep, ...]:
        """The steps whose test the record lacks."""
        return tuple(step for step in self.steps if step.status is StepStatus.TO_ORDER)

    @property
    def abnormal(self) -> tuple[PlannedStep, ...]:
        """The steps done with an abnormal latest result."""
        return tuple(step for step in self.steps if step.status is StepStatus.ABNORMAL)


@dataclass(frozen=True, slots=True, kw_only=True)
class PatternPlan:
    """A presenting pattern that is met, and its protocol laid out for the patient.

    Attributes:
        finding: the pattern's finding (met), with why it matched and the evidence.
        protocol: the protocol's id.
        title: the protocol in words.
        urgency: the pattern's urgency.
        stages: the protocol's stages, in order.
    """

    finding: Finding
    protocol: str
    title: str
    urgency: Urgency
    stages: tuple[PlannedStage, ...]

    @property
    def next_stage(self) -> PlannedStage | None:
        """The first stage with a test still to order; ``None`` when every test is done."""
        return next((stage for stage in self.stages if stage.to_order), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkupPlan:
    """The work-up of one patient on one day.

    Attributes:
        findings: every pattern's finding (met, not met or undetermined), in knowledge-base order.
        plans: the plan of each pattern that is met.
        recommendations: the tests of each protocol's next stage to order (none once an
            immunodeficiency is confirmed: the plan is then shown for reference).
        confirmed: the finding that an immunodeficiency is confirmed, when it is.
    """

    findings: tuple[Finding, ...]
    plans: tuple[PatternPlan, ...]
    recommendations: tuple[Recommendation, ...]
    confirmed: Finding | None = None


CONFIRMED = "confirmed_immunodeficiency"
"""The knowledge base's case definition after which the plan is no longer advised."""


def _citations(*items: KBItem) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ref.source for item in items for ref in item.citations))


def _analyte_step(test: LabTest, evaluation: Evaluation) -> tuple[StepStatus, tuple[Evidence, ...]]:
    latest = [
        readings[-1]
        for analyte in test.analytes
        if (readings := evaluation.labs.of_analyte(analyte, until=evaluation.as_of))
    ]
    if not latest:
        return StepStatus.TO_ORDER, ()
    flagged = any(reading.flag in (Flag.LOW, Flag.HIGH) for reading in latest)
    evidence = tuple(e for reading in latest for e in reading.evidence())
    return (StepStatus.ABNORMAL if flagged else StepStatus.DONE), evidence


def _outcome_step(test: LabTest, evaluation: Evaluation) -> tuple[StepStatus, tuple[Evidence, ...]]:
    outcomes = [o for o in evaluation.test_outcomes if o.test_id == test.id and o.day <= evaluation.as_of]
    if not outcomes:
        return StepStatus.TO_ORDER, ()
    latest = max(outcomes, key=lambda outcome: outcome.day)
    return (StepStatus.ABNORMAL if latest.abnormal is True else StepStatus.DONE), latest.evidence


def _planned(test: LabTest, evaluation: Evaluation, *, panel: str | None, purpose: str | None) -> PlannedStep:
    status, evidence = _analyte_step(test, evaluation)
    if status is StepStatus.TO_ORDER and test.outcomes:
        status, evidence = _outcome_step(test, evaluation)
    return PlannedStep(
        test=test.id,
        title=test.title,
        status=status,
        evidence=evidence,
        panel=panel,
        purpose=purpose,
        verified=test.verified,
    )


def _tests_of(item_id: str, evaluation: Evaluation) -> Iterator[tuple[LabTest, str | None]]:
    item = evaluation.kb.get(item_id)
    if isinstance(item, LabPanel):
        for test_id in item.tests:
            test = evaluation.kb.get(test_id)
            if isinstance(test, LabTest):
                yield test, item.id
    elif isinstance(item, LabTest):
        yield item, None


def _stage(stage: WorkupStage, evaluation: Evaluation) -> PlannedStage:
    steps = {
        test.id: _planned(test, evaluation, panel=panel, purpose=step.purpose)
        for step in stage.steps
        for test, panel in _tests_of(step.test, evaluation)
    }
    return PlannedStage(level=stage.level, steps=tuple(steps.values()), proceed_if=stage.proceed_if)


def _plan(pattern: WorkupPattern, finding: Finding, evaluation: Evaluation) -> PatternPlan:
    protocol = evaluation.kb.get(pattern.protocol)
    assert isinstance(protocol, WorkupProtocol)  # the loader's cross-check guarantees it
    return PatternPlan(
        finding=finding,
        protocol=protocol.id,
        title=protocol.title,
        urgency=pattern.urgency,
        stages=tuple(_stage(stage, evaluation) for stage in protocol.stages),
    )


def _going_on(plan: PatternPlan, stage: PlannedStage) -> str:
    index = plan.stages.index(stage)
    if index == 0:
        return ""
    before = plan.stages[index - 1]
    abnormal = "; ".join(step.title for step in before.abnormal)
    done = f" The {before.level.label.lower()} tests are done" + (
        f", with abnormal results: {abnormal}." if abnormal else "."
    )
    condition = before.proceed_if or "the source states no condition to go on"
    return f"{done} Go on when: {condition}"


def _recommendation(plans: list[PatternPlan], evaluation: Evaluation) -> Recommendation | None:
    first = plans[0]
    stage = first.next_stage
    if stage is None:
        return None
    protocol = evaluation.kb.get(first.protocol)
    reasons = "; ".join(f"{plan.finding.title} ({plan.finding.explanation})" for plan in plans)
    return Recommendation(
        action=ORDER_TESTS,
        text=f"{stage.level.label} of the {first.title.lower()}: order "
        + "; ".join(step.title for step in stage.to_order)
        + ".",
        rationale=reasons + "." + _going_on(first, stage),
        urgency=max((plan.urgency for plan in plans), key=list(Urgency).index),
        based_on=(*(plan.finding.rule_id for plan in plans), first.protocol),
        citations=tuple(
            dict.fromkeys((*(c for plan in plans for c in plan.finding.citations), *_citations(protocol)))
        ),
        verified=protocol.verified
        and all(plan.finding.verified for plan in plans)
        and all(step.verified for step in stage.to_order),
    )


def _recommendations(plans: tuple[PatternPlan, ...], evaluation: Evaluation) -> tuple[Recommendation, ...]:
    by_protocol: dict[str, list[PatternPlan]] = {}
    for plan in plans:
        by_protocol.setdefault(plan.protocol, []).append(plan)
    found = (_recommendation(group, evaluation) for group in by_protocol.values())
    return tuple(recommendation for recommendation in found if recommendation is not None)


def workup_plan(evaluation: Evaluation) -> WorkupPlan:
    """The patterns the patient shows and the staged work-up each calls for, as of the evaluation's day."""
    patterns = evaluation.kb.of(WorkupPattern)
    findings = tuple(evaluation.rule(pattern.id) for pattern in patterns)
    plans = tuple(
        _plan(pattern, finding, evaluation)
        for pattern, finding in zip(patterns, findings, strict=True)
        if finding.status is FindingStatus.MET
    )
    confirmed = evaluation.rule(CONFIRMED)
    if confirmed.status is FindingStatus.MET:
        return WorkupPlan(findings=findings, plans=plans, recommendations=(), confirmed=confirmed)
    return WorkupPlan(findings=findings, plans=plans, recommendations=_recommendations(plans, evaluation))

"""The work-up plan: the presenting patterns a patient shows, and the staged tests each calls for.

Every :class:`~immunocare.knowledge.topics.workup.WorkupPattern` of the knowledge base is evaluated
(its trigger, in the criterion language). For each pattern that is met, its protocol's stages are
laid out step by step: a step is *done* when the record holds a result of its test by ``as_of``,
*abnormal* when that latest result is flagged, and otherwise *to order*. A panel is laid out as its
tests. The next stage is the first that still has a test to order; the plan recommends ordering
those tests, once per protocol however many patterns lead to it, as urgently as the most urgent of
them, with the source's condition to go on from the stage before.

Once the record meets a working definition of one of the defects a protocol investigates (a
clinical diagnosis), its :class:`~immunocare.knowledge.topics.workup.WorkupOnDiagnosis` item says
where the work-up goes on: the next stage is then the first with a test to order from that stage
on (the earlier stages' remaining tests are named, not advised), or none when it ends there.

The plan also holds the imaging studies the work-up advises
(:func:`~immunocare.clinical.imaging.imaging_advice`),
whether or not an immunodeficiency is confirmed: a baseline chest CT is advised at the diagnosis.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from immunocare.domain import Evidence, Finding, FindingStatus, Recommendation, Urgency
from immunocare.knowledge import citation_ids
from immunocare.knowledge.topics._criteria import LabTest
from immunocare.knowledge.topics.referral import LabPanel
from immunocare.knowledge.topics.workup import (
    StageLevel,
    WorkupOnDiagnosis,
    WorkupPattern,
    WorkupProtocol,
    WorkupStage,
)

from .criteria import Evaluation
from .imaging import ImagingAdvice, imaging_advice
from .labs import Flag

__all__ = [
    "ORDER_TESTS",
    "ClinicalDiagnosis",
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
class ClinicalDiagnosis:
    """Working definitions met that move a protocol's work-up on.

    Attributes:
        rule: the WorkupOnDiagnosis item that says where the work-up goes.
        title: that item's title.
        findings: the definitions met.
        go_to: the stage to go on with; ``None`` when the work-up ends.
        citations: the item's sources.
        verified: ``False`` when the item or a definition's finding is unverified.
    """

    rule: str
    title: str
    findings: tuple[Finding, ...]
    go_to: StageLevel | None
    citations: tuple[str, ...]
    verified: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class PatternPlan:
    """A presenting pattern that is met, and its protocol laid out for the patient.

    Attributes:
        finding: the pattern's finding (met), with why it matched and the evidence.
        protocol: the protocol's id.
        title: the protocol in words.
        urgency: the pattern's urgency.
        stages: the protocol's stages, in order.
        diagnosis: the clinical diagnosis that moves the work-up on, when one is met.
    """

    finding: Finding
    protocol: str
    title: str
    urgency: Urgency
    stages: tuple[PlannedStage, ...]
    diagnosis: ClinicalDiagnosis | None = None

    @property
    def next_stage(self) -> PlannedStage | None:
        """The first stage with a test still to order (from the diagnosis's stage on, when one is met).

        ``None`` when every such test is done, or when the diagnosis ends the work-up.
        """
        if self.diagnosis is None:
            return next((stage for stage in self.stages if stage.to_order), None)
        go_to = self.diagnosis.go_to
        if go_to is None:
            return None
        return next((s for s in self.stages if s.level.rank >= go_to.rank and s.to_order), None)

    @property
    def passed_over(self) -> tuple[PlannedStep, ...]:
        """Tests still to order in the stages a clinical diagnosis moved the work-up past."""
        if self.diagnosis is None:
            return ()
        go_to = self.diagnosis.go_to
        return tuple(
            step
            for stage in self.stages
            if go_to is None or stage.level.rank < go_to.rank
            for step in stage.to_order
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkupPlan:
    """The work-up of one patient on one day.

    Attributes:
        findings: every pattern's finding (met, not met or undetermined), in knowledge-base order.
        plans: the plan of each pattern that is met.
        recommendations: the tests of each protocol's next stage to order (none once an
            immunodeficiency is confirmed: the plan is then shown for reference).
        confirmed: the finding that an immunodeficiency is confirmed, when it is.
        imaging: each imaging study the work-up knows, evaluated (with its recommendation).
    """

    findings: tuple[Finding, ...]
    plans: tuple[PatternPlan, ...]
    recommendations: tuple[Recommendation, ...]
    confirmed: Finding | None = None
    imaging: tuple[ImagingAdvice, ...] = ()


CONFIRMED = "confirmed_immunodeficiency"
"""The knowledge base's case definition after which the plan is no longer advised."""


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


def _diagnosis(protocol: str, evaluation: Evaluation) -> ClinicalDiagnosis | None:
    for item in evaluation.kb.of(WorkupOnDiagnosis):
        if item.protocol != protocol:
            continue
        met = tuple(
            finding
            for definition in item.definitions
            if (finding := evaluation.rule(definition)).status is FindingStatus.MET
        )
        if met:
            return ClinicalDiagnosis(
                rule=item.id,
                title=item.title,
                findings=met,
                go_to=item.go_to,
                citations=citation_ids(item),
                verified=item.verified and all(finding.verified for finding in met),
            )
    return None


def _plan(pattern: WorkupPattern, finding: Finding, evaluation: Evaluation) -> PatternPlan:
    protocol = evaluation.kb.get(pattern.protocol)
    assert isinstance(protocol, WorkupProtocol)  # the loader's cross-check guarantees it
    return PatternPlan(
        finding=finding,
        protocol=protocol.id,
        title=protocol.title,
        urgency=pattern.urgency,
        stages=tuple(_stage(stage, evaluation) for stage in protocol.stages),
        diagnosis=_diagnosis(protocol.id, evaluation),
    )


def _going_on(plan: PatternPlan, stage: PlannedStage) -> str:
    if plan.diagnosis is not None:
        met = "; ".join(finding.title for finding in plan.diagnosis.findings)
        passed = "; ".join(step.title for step in plan.passed_over)
        return f" Criteria met: {met}. {plan.diagnosis.title}." + (
            f" Not done from the earlier stages: {passed}." if passed else ""
        )
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
        text=f"{first.title} — {stage.level.label.lower()} stage: order "
        + "; ".join(step.title for step in stage.to_order)
        + ".",
        rationale=reasons + "." + _going_on(first, stage),
        urgency=max((plan.urgency for plan in plans), key=list(Urgency).index),
        based_on=(
            *(plan.finding.rule_id for plan in plans),
            first.protocol,
            *((first.diagnosis.rule,) if first.diagnosis else ()),
        ),
        citations=tuple(
            dict.fromkeys(
                (
                    *(c for plan in plans for c in plan.finding.citations),
                    *citation_ids(protocol),
                    *(first.diagnosis.citations if first.diagnosis else ()),
                )
            )
        ),
        verified=protocol.verified
        and all(plan.finding.verified for plan in plans)
        and all(step.verified for step in stage.to_order)
        and (first.diagnosis is None or first.diagnosis.verified),
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
    imaging = imaging_advice(evaluation)
    if confirmed.status is FindingStatus.MET:
        return WorkupPlan(
            findings=findings, plans=plans, recommendations=(), confirmed=confirmed, imaging=imaging
        )
    return WorkupPlan(
        findings=findings, plans=plans, recommendations=_recommendations(plans, evaluation), imaging=imaging
    )

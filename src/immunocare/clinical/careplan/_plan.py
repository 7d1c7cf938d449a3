"""The care plan of one patient as of one day, built from the assessment's therapy sections.

Every recommendation of a :data:`PLAN_SECTIONS` section becomes a therapy item whose id is the
section key and the action, so a clinician's decision on it survives re-computation. Goals come
from the ``care_plan`` topic and from the trough targets the immunoglobulin section weighs;
monitoring from the ``ig_dosing`` monitoring plans while the patient is on replacement; the
infection action plan and the care-team roles from the ``care_plan`` topic. The team is the
record's own when it has one, else the roles the plan needs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from immunocare.domain import CareRole, Finding, FindingStatus, Quantity, Recommendation, Section, Urgency
from immunocare.domain.units import UNITS
from immunocare.errors import NotFoundError
from immunocare.knowledge import KnowledgeBase, citation_ids
from immunocare.knowledge.topics.care_plan import Applicability, CareGoal, InfectionAction, TeamRole
from immunocare.knowledge.topics.ig_dosing import MonitoredTest, MonitoringPlan, TroughTarget

from ..criteria import Evaluation
from ..curative import curative_section
from ..immunoglobulin import immunoglobulin_section, infusions_given
from ..prophylaxis import prophylaxis_section
from ..recognize import KNOWN
from ..vaccination import vaccination_section

__all__ = [
    "PLAN_SECTIONS",
    "CarePlan",
    "PlanItem",
    "PlanItemKind",
    "TeamMember",
    "care_plan",
    "care_plan_section",
]


class PlanItemKind(StrEnum):
    """Which part of the plan an item belongs to."""

    GOAL = "goal"
    THERAPY = "therapy"
    MONITORING = "monitoring"
    INFECTION_ACTION = "infection_action"


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanItem:
    """One item of the plan the clinician accepts, edits or rejects.

    Attributes:
        id: stable across re-computation: the part, the source (section key or KB item) and the action.
        kind: goal, therapy, monitoring or infection action.
        title: the item in a few words.
        text: what the plan says.
        rationale: why, naming the data and the rule.
        citations: knowledge-base citation ids.
        verified: ``False`` when the rule or source behind it is unverified.
        urgency: how soon to act on it.
    """

    id: str
    kind: PlanItemKind
    title: str
    text: str
    rationale: str
    citations: tuple[str, ...] = ()
    verified: bool = True
    urgency: Urgency = Urgency.ROUTINE


@dataclass(frozen=True, slots=True, kw_only=True)
class TeamMember:
    """A role of the care team, with the person from the record when there is one."""

    role: CareRole
    reason: str
    name: str | None = None
    organization: str | None = None
    contact: str | None = None
    citations: tuple[str, ...] = ()
    verified: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class CarePlan:
    """The individualized care plan of one patient as of one day."""

    patient_id: int | None
    as_of: date
    kb_version: str
    items: tuple[PlanItem, ...]
    team: tuple[TeamMember, ...]

    def of_kind(self, kind: PlanItemKind) -> tuple[PlanItem, ...]:
        """The items of one part of the plan, in order."""
        return tuple(item for item in self.items if item.kind is kind)

    def item(self, item_id: str) -> PlanItem | None:
        """The item with this id, if the plan has it."""
        return next((item for item in self.items if item.id == item_id), None)


def _immunoglobulin(evaluation: Evaluation) -> Section:
    return immunoglobulin_section(evaluation.record, evaluation.kb, evaluation.as_of)


PLAN_SECTIONS: tuple[Callable[[Evaluation], Section], ...] = (
    _immunoglobulin,
    curative_section,
    prophylaxis_section,
    vaccination_section,
)
"""The section builders whose recommendations are the plan's therapies, in the plan's order."""


def _applies(applies_to: Applicability, on_immunoglobulin: bool) -> bool:
    return applies_to == "all" or on_immunoglobulin


def _therapy_title(kb: KnowledgeBase, section: Section, advice: Recommendation) -> str:
    """The title of the knowledge item the advice comes from, else the section's."""
    try:
        return kb.get(advice.action).title
    except NotFoundError:
        return section.title


def _therapies(kb: KnowledgeBase, sections: Sequence[Section]) -> Iterator[PlanItem]:
    seen: Counter[str] = Counter()
    for section in sections:
        for advice in section.recommendations:
            key = f"therapy.{section.key}.{advice.action}"
            seen[key] += 1
            yield PlanItem(
                id=key if seen[key] == 1 else f"{key}.{seen[key]}",
                kind=PlanItemKind.THERAPY,
                title=_therapy_title(kb, section, advice),
                text=advice.text,
                rationale=advice.rationale,
                citations=advice.citations,
                verified=advice.verified,
                urgency=advice.urgency,
            )


def _trough_goals(evaluation: Evaluation, sections: Sequence[Section]) -> Iterator[PlanItem]:
    targets = {target.id for target in evaluation.kb.of(TroughTarget)}
    findings: list[Finding] = [f for s in sections for f in s.findings if f.rule_id in targets]
    for finding in findings:
        yield PlanItem(
            id=f"goal.{finding.rule_id}",
            kind=PlanItemKind.GOAL,
            title=finding.title,
            text=f"Reach and keep the target: {finding.explanation}.",
            rationale="The trough target the immunoglobulin section weighs for this patient.",
            citations=finding.citations,
            verified=finding.verified,
        )


def _goals(evaluation: Evaluation, on_immunoglobulin: bool) -> Iterator[PlanItem]:
    for goal in evaluation.kb.of(CareGoal):
        if _applies(goal.applies_to, on_immunoglobulin):
            yield PlanItem(
                id=f"goal.{goal.id}",
                kind=PlanItemKind.GOAL,
                title=goal.title,
                text=goal.goal,
                rationale=f"Goal of care for {_audience(goal.applies_to)}.",
                citations=citation_ids(goal),
                verified=goal.verified,
            )


def _audience(applies_to: Applicability) -> str:
    return "every patient" if applies_to == "all" else "patients on immunoglobulin replacement"


def _span(low: Quantity, high: Quantity) -> str:
    """``3–6 months``, or ``5 weeks–2 months`` when the units differ."""
    return f"{low.value:g}–{high}" if low.unit == high.unit else f"{low}–{high}"


def _every(interval: Quantity) -> str:
    """``every 3 months``, or ``every year`` for one unit."""
    if interval.value == 1:
        return f"every {UNITS[interval.unit].display.removesuffix('s')}"
    return f"every {interval}"


def _when(test: MonitoredTest) -> str:
    parts = []
    if test.first_from is not None and test.first_to is not None:
        parts.append(f"first {_span(test.first_from, test.first_to)} after starting")
    elif test.first_from is not None:
        parts.append(f"first from {test.first_from} after starting")
    elif test.first_to is not None:
        parts.append(f"first within {test.first_to} after starting")
    if test.every_from is not None and test.every_to is not None:
        parts.append(f"every {_span(test.every_from, test.every_to)}")
    elif test.every_to is not None:
        parts.append(f"at least {_every(test.every_to)}")
    elif test.every_from is not None:
        parts.append(_every(test.every_from))
    if test.trigger:
        parts.append(f"and at {test.trigger}")
    return ", ".join(parts)


def _slug(text: str) -> str:
    return "_".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def _monitoring(evaluation: Evaluation, on_immunoglobulin: bool) -> Iterator[PlanItem]:
    if not on_immunoglobulin:
        return
    for plan in (p for p in evaluation.kb.of(MonitoringPlan) if not p.products):
        for test in plan.tests:
            when = _when(test)
            yield PlanItem(
                id=f"monitoring.{plan.id}.{_slug(test.test)}",
                kind=PlanItemKind.MONITORING,
                title=test.test,
                text=f"{when[:1].upper()}{when[1:]}.",
                rationale=f"{plan.title}; applies to: {plan.applies_to}."
                + (
                    " The source notes there is no published consensus."
                    if plan.no_published_consensus
                    else ""
                ),
                citations=citation_ids(plan),
                verified=plan.verified,
            )


def _infection_actions(evaluation: Evaluation, on_immunoglobulin: bool) -> Iterator[PlanItem]:
    for action in evaluation.kb.of(InfectionAction):
        if _applies(action.applies_to, on_immunoglobulin):
            yield PlanItem(
                id=f"infection.{action.id}",
                kind=PlanItemKind.INFECTION_ACTION,
                title=action.title,
                text=f"{action.situation} {action.action}",
                rationale=f"Infection action plan for {_audience(action.applies_to)}.",
                citations=citation_ids(action),
                verified=action.verified,
            )


def _team(evaluation: Evaluation, on_immunoglobulin: bool) -> tuple[TeamMember, ...]:
    members = evaluation.record.care_team
    if members:
        return tuple(
            TeamMember(
                role=m.role,
                reason="In the patient's care team.",
                name=m.name,
                organization=m.organization,
                contact=m.contact,
            )
            for m in members
        )
    return tuple(
        TeamMember(role=r.role, reason=r.reason, citations=citation_ids(r), verified=r.verified)
        for r in evaluation.kb.of(TeamRole)
        if _applies(r.applies_to, on_immunoglobulin)
    )


def care_plan(evaluation: Evaluation, sections: Sequence[Section] | None = None) -> CarePlan:
    """The care plan of the evaluation's record as of its day.

    ``sections`` are the :data:`PLAN_SECTIONS` already built for this evaluation, in that order
    (an assessment builds them once); they are built here when not given.

    The goals, the infection action plan and the roles needed are for patients in immunodeficiency
    care: a known immunodeficiency (the ``known_immunodeficiency`` rule) or on immunoglobulin
    replacement. Anyone else's plan holds only what the sections advise, and the record's team.
    """
    record, as_of = evaluation.record, evaluation.as_of
    on_immunoglobulin = bool(infusions_given(record, as_of))
    in_care = on_immunoglobulin or evaluation.rule(KNOWN).status is FindingStatus.MET
    if sections is None:
        sections = tuple(build(evaluation) for build in PLAN_SECTIONS)
    general = (
        (*_goals(evaluation, on_immunoglobulin), *_infection_actions(evaluation, on_immunoglobulin))
        if in_care
        else ()
    )
    items = (
        *_trough_goals(evaluation, sections),
        *_therapies(evaluation.kb, sections),
        *_monitoring(evaluation, on_immunoglobulin),
        *general,
    )
    team = _team(evaluation, on_immunoglobulin) if in_care or record.care_team else ()
    return CarePlan(
        patient_id=record.patient.id,
        as_of=as_of,
        kb_version=evaluation.kb.version,
        items=_ordered(items),
        team=team,
    )


_ORDER = tuple(PlanItemKind)


def _ordered(items: tuple[PlanItem, ...]) -> tuple[PlanItem, ...]:
    """Goals, therapies, monitoring, infection actions; the sources' order within each."""
    return tuple(sorted(items, key=lambda item: _ORDER.index(item.kind)))


def care_plan_section(plan: CarePlan) -> Section:
    """The plan as an assessment's "care_plan" section: one finding per item, its text the explanation.

    The therapies' recommendations stay in their own sections; here they are the plan's items.
    """
    findings = tuple(
        Finding(
            rule_id=item.id,
            title=f"{item.kind.value.replace('_', ' ').capitalize()}: {item.title}",
            status=FindingStatus.MET,
            explanation=item.text,
            citations=item.citations,
            verified=item.verified,
        )
        for item in plan.items
    )
    return Section(key="care_plan", title="Individualized care plan", findings=findings)

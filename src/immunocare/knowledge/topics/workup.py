"""The diagnostic work-up: from a presenting pattern to a staged list of tests.

Three item types live in ``data/workup/``:

- :class:`WorkupProtocol`: the staged investigations for one suspected kind of defect (antibody,
  combined, phagocyte, complement…): its :class:`WorkupStage` s in the order first line, second
  line, specialised, genetic, each a list of steps with, in words, the source's condition to go
  on to the next stage.
- :class:`WorkupPattern`: a presenting pattern (recurrent ENT and airway infections, an infant
  with a severe or opportunistic infection…) as a criterion, the protocol it leads to, and how
  urgently.
- :class:`WorkupOnDiagnosis`: once the record meets the working definition of one of the defects a
  protocol investigates (a clinical diagnosis), the stage the work-up goes on with — the genetic
  stage, say — instead of the earlier stages' remaining tests; or none, when it ends there.
- :class:`WorkupImaging`: an imaging study a source advises (a baseline chest CT at the diagnosis
  of an antibody deficiency…) as a criterion, the modality and region, and what it looks for.

A step is a :class:`LabStep` (a ``LabTest`` or ``LabPanel`` of ``data/referral``); :data:`Step`
is a union discriminated by ``kind`` so that imaging studies can join it as another kind.

>>> [level.value for level in StageLevel]
['first_line', 'second_line', 'specialised', 'genetic']
"""

from __future__ import annotations

import itertools
from collections import Counter
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, model_validator

from immunocare.domain import BodySite, Modality, Urgency
from immunocare.knowledge._base import ID_PATTERN, KBItem, KBModel, Topic

from ._criteria import LabTest, Tree, reference_problems
from .esid_criteria import EsidDefinition
from .referral import LabPanel

if TYPE_CHECKING:
    from immunocare.knowledge._kb import KnowledgeBase

__all__ = [
    "ORDER",
    "TOPIC",
    "LabStep",
    "StageLevel",
    "Step",
    "WorkupImaging",
    "WorkupOnDiagnosis",
    "WorkupPattern",
    "WorkupProtocol",
    "WorkupStage",
]

ORDER = 56


class StageLevel(StrEnum):
    """The stages of a work-up, in the order they are done."""

    FIRST_LINE = "first_line"
    SECOND_LINE = "second_line"
    SPECIALISED = "specialised"
    GENETIC = "genetic"

    @property
    def rank(self) -> int:
        """Its place in the order, from 0."""
        return list(StageLevel).index(self)

    @property
    def label(self) -> str:
        """The stage in words."""
        return self.value.replace("_", " ").capitalize()


class LabStep(KBModel):
    """A laboratory test, or a panel of tests ordered together."""

    kind: Literal["test"]
    test: str = Field(pattern=ID_PATTERN, description="A LabTest or LabPanel id.")
    purpose: str | None = Field(
        None, min_length=1, description="What the step looks for, as the source says."
    )


Step = Annotated[LabStep, Field(discriminator="kind")]
"""One step of a stage; imaging studies will join as another ``kind``."""


class WorkupStage(KBModel):
    """One stage: its steps and, in words, when to go on to the next stage."""

    level: StageLevel
    steps: tuple[Step, ...] = Field(min_length=1)
    proceed_if: str | None = Field(
        None, min_length=1, description="The source's condition to go on to the next stage; none if unstated."
    )


class WorkupProtocol(KBItem):
    """The staged investigations for one suspected kind of defect."""

    type: Literal["protocol"]
    investigates: str = Field(min_length=1, description="The suspected defect, in words.")
    stages: tuple[WorkupStage, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered_stages_each_test_once(self) -> WorkupProtocol:
        for earlier, later in itertools.pairwise(self.stages):
            if earlier.level.rank >= later.level.rank:
                raise ValueError(f"stage {later.level.value!r} is out of order after {earlier.level.value!r}")
        if self.stages[-1].proceed_if is not None:
            raise ValueError("the last stage has no next stage, so no proceed_if")
        counts = Counter(step.test for stage in self.stages for step in stage.steps)
        repeated = sorted(test for test, count in counts.items() if count > 1)
        if repeated:
            raise ValueError(f"a test appears in more than one step: {', '.join(repeated)}")
        return self

    def tests(self) -> tuple[str, ...]:
        """Every test or panel id its steps name, in order."""
        return tuple(step.test for stage in self.stages for step in stage.steps)


class WorkupPattern(KBItem):
    """A presenting pattern: when it is met, its protocol is the work-up to follow."""

    type: Literal["pattern"]
    presentation: str = Field(min_length=1, description="The pattern as its source words it.")
    trigger: Tree
    protocol: str = Field(pattern=ID_PATTERN, description="The WorkupProtocol id.")
    urgency: Urgency


class WorkupOnDiagnosis(KBItem):
    """Where a protocol's work-up goes once a working definition of its defects is met.

    Attributes:
        protocol: the WorkupProtocol id.
        definitions: the ESID definitions whose criteria, met, make the clinical diagnosis.
        go_to: the stage to go on with (its tests, and those of any later stage, still to order);
            ``None`` when the work-up of this protocol ends with the clinical diagnosis.
    """

    type: Literal["on_diagnosis"]
    protocol: str = Field(pattern=ID_PATTERN, description="The WorkupProtocol id.")
    definitions: tuple[str, ...] = Field(min_length=1, description="EsidDefinition ids.")
    go_to: StageLevel | None = Field(description="The stage to go on with; none: the work-up ends.")


class WorkupImaging(KBItem):
    """An imaging study a source advises when its trigger is met.

    A study of the same modality and region on record by the day of the evaluation counts as done.
    """

    type: Literal["imaging"]
    trigger: Tree
    modality: Modality
    body_site: BodySite
    purpose: str = Field(min_length=1, description="What the study looks for, as the source says.")
    urgency: Urgency


WorkupItem = Annotated[
    WorkupProtocol | WorkupPattern | WorkupOnDiagnosis | WorkupImaging, Field(discriminator="type")
]


def _protocol_problems(kb: KnowledgeBase) -> list[str]:
    orderable = {item.id for kind in (LabTest, LabPanel) for item in kb.of(kind)}
    return [
        f"{protocol.id}: {ref!r} is not a known LabTest or LabPanel"
        for protocol in kb.of(WorkupProtocol)
        for ref in protocol.tests()
        if ref not in orderable
    ]


def _pattern_problems(kb: KnowledgeBase) -> list[str]:
    protocols = {item.id for item in kb.of(WorkupProtocol)}
    used = {pattern.protocol for pattern in kb.of(WorkupPattern)}
    problems = [f"{ref}: protocol is not used by any pattern" for ref in sorted(protocols - used)]
    for pattern in kb.of(WorkupPattern):
        if pattern.protocol not in protocols:
            problems.append(f"{pattern.id}: {pattern.protocol!r} is not a known WorkupProtocol")
        problems.extend(reference_problems(kb, pattern.id, pattern.trigger))
    return problems


def _on_diagnosis_problems(kb: KnowledgeBase) -> list[str]:
    protocols = {item.id: item for item in kb.of(WorkupProtocol)}
    definitions = {item.id for item in kb.of(EsidDefinition)}
    problems = []
    seen: Counter[str] = Counter(item.protocol for item in kb.of(WorkupOnDiagnosis))
    problems += [
        f"{ref}: more than one on_diagnosis item" for ref, count in sorted(seen.items()) if count > 1
    ]
    for item in kb.of(WorkupOnDiagnosis):
        protocol = protocols.get(item.protocol)
        if protocol is None:
            problems.append(f"{item.id}: {item.protocol!r} is not a known WorkupProtocol")
        elif item.go_to is not None and item.go_to not in {stage.level for stage in protocol.stages}:
            problems.append(f"{item.id}: {item.protocol} has no {item.go_to.value} stage")
        problems += [
            f"{item.id}: {ref!r} is not a known EsidDefinition"
            for ref in item.definitions
            if ref not in definitions
        ]
    return problems


def _imaging_problems(kb: KnowledgeBase) -> list[str]:
    return [
        problem for item in kb.of(WorkupImaging) for problem in reference_problems(kb, item.id, item.trigger)
    ]


def _workup_problems(kb: KnowledgeBase) -> list[str]:
    return _protocol_problems(kb) + _pattern_problems(kb) + _on_diagnosis_problems(kb) + _imaging_problems(kb)


TOPIC = Topic(
    name="workup",
    title="Diagnostic work-up by presenting pattern",
    item_type=WorkupItem,
    cross_check=_workup_problems,
)

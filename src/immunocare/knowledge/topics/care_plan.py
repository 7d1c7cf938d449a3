"""The individualized care plan's own content: goals, the infection action plan and the care team.

Therapies come from the assessment's sections and monitoring from the therapies' topics (e.g.
``ig_dosing`` monitoring plans); this topic holds what the plan adds around them. Each item says
to whom it applies: every patient, or only those on immunoglobulin replacement.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from immunocare.domain import CareRole
from immunocare.knowledge._base import KBItem, Topic

__all__ = ["ORDER", "TOPIC", "Applicability", "CareGoal", "InfectionAction", "TeamRole"]

ORDER = 64

Applicability = Literal["all", "on_immunoglobulin"]
"""Every patient, or only patients on immunoglobulin replacement."""


class CareGoal(KBItem):
    """A goal of care the plan states for the patients it applies to."""

    kind: Literal["goal"]
    applies_to: Applicability
    goal: str = Field(min_length=1)


class InfectionAction(KBItem):
    """What the patient (or carer) does in one situation of the infection action plan."""

    kind: Literal["infection_action"]
    applies_to: Applicability
    situation: str = Field(min_length=1)
    action: str = Field(min_length=1)


class TeamRole(KBItem):
    """A care-team role the plan needs, and why."""

    kind: Literal["team_role"]
    applies_to: Applicability
    role: CareRole
    reason: str = Field(min_length=1)


CarePlanItem = Annotated[CareGoal | InfectionAction | TeamRole, Field(discriminator="kind")]

TOPIC = Topic(name="care_plan", title="Individualized care plan", item_type=CarePlanItem)

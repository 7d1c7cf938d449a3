"""The clinician's decisions on plan items: accept, edit (new text and a note) or reject.

Decisions are kept as a history: a later decision on an item supersedes an earlier one, and
none is ever lost. An item's decision survives re-computation because plan item ids are stable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from immunocare.errors import ValidationError

from ._plan import CarePlan, PlanItem

__all__ = ["DecidedItem", "Decision", "PlanDecision", "decided_items"]


class Decision(StrEnum):
    """What the clinician decided about a plan item."""

    ACCEPTED = "accepted"
    EDITED = "edited"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanDecision:
    """One decision on one plan item.

    Attributes:
        item_id: the plan item's stable id.
        decision: accepted, edited or rejected.
        decided_at: when (timezone-aware).
        decided_by: the username of the clinician.
        text: the item's new text, required when edited.
        note: why, in the clinician's words.
        id: the store's identifier, ``None`` until stored.
    """

    item_id: str
    decision: Decision
    decided_at: datetime
    decided_by: str
    text: str | None = None
    note: str | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        if not self.item_id.strip():
            raise ValidationError.single("item_id", "is required")
        if not self.decided_by.strip():
            raise ValidationError.single("decided_by", "is required")
        if self.decided_at.utcoffset() is None:
            raise ValidationError.single("decided_at", "needs a time zone")
        if self.decision is Decision.EDITED and not (self.text and self.text.strip()):
            raise ValidationError.single("text", "is required to edit an item: give the changed text")
        if self.decision is not Decision.EDITED and self.text is not None:
            raise ValidationError.single(
                "text", f"is only given to edit an item, not when {self.decision.value}"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class DecidedItem:
    """A plan item with its latest decision (``None``: not decided yet) and the text that holds."""

    item: PlanItem
    decision: PlanDecision | None

    @property
    def text(self) -> str:
        """The edited text when the item was edited, else the plan's."""
        edited = self.decision is not None and self.decision.decision is Decision.EDITED
        return self.decision.text if edited and self.decision and self.decision.text else self.item.text


def decided_items(plan: CarePlan, decisions: Iterable[PlanDecision]) -> tuple[DecidedItem, ...]:
    """Each plan item with its latest decision; decisions on items the plan no longer has stay stored."""
    latest: dict[str, PlanDecision] = {}
    for decision in sorted(decisions, key=lambda d: (d.decided_at, d.id or 0)):
        latest[decision.item_id] = decision
    return tuple(DecidedItem(item=item, decision=latest.get(item.id)) for item in plan.items)

"""The answers of the clinical core: findings, recommendations and the assessment that holds them.

A :class:`Finding` says what a rule found (met / not met / undetermined), on which record items
(:class:`Evidence`), by which rule and sources, and what is missing when it cannot tell.
A :class:`Recommendation` is an action with its rationale; immunocare recommends, it never orders.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from ._record import ItemKind

__all__ = ["Assessment", "Evidence", "Finding", "FindingStatus", "Recommendation", "Section", "Urgency"]


class FindingStatus(StrEnum):
    """What a rule concluded."""

    MET = "met"
    NOT_MET = "not_met"
    UNDETERMINED = "undetermined"


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """A record item a finding rests on, or a derived fact with the items behind it."""

    summary: str
    kind: ItemKind | None = None
    item_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One rule's answer about one patient, with its explanation.

    Attributes:
        rule_id: the knowledge-base id of the rule.
        title: the rule in words.
        status: met, not met or undetermined.
        explanation: why, in a sentence a clinician can check.
        evidence: the record items it rests on.
        missing: when undetermined, the data that would decide it, in words.
        orders: knowledge-base ids of the tests (or analytes) that would provide what is missing.
        citations: knowledge-base citation ids of the rule's sources.
        verified: ``False`` when the rule's content could not be verified against its source.
        parts: the findings of the rule's parts (the criteria of a definition, each with its own
            status and evidence), in the order of the source.
    """

    rule_id: str
    title: str
    status: FindingStatus
    explanation: str
    evidence: tuple[Evidence, ...] = ()
    missing: tuple[str, ...] = ()
    orders: tuple[str, ...] = ()
    citations: tuple[str, ...] = ()
    verified: bool = True
    parts: tuple[Finding, ...] = ()

    def walk(self) -> Iterator[Finding]:
        """This finding and every part below it, depth first."""
        yield self
        for part in self.parts:
            yield from part.walk()


class Urgency(StrEnum):
    """How soon a recommendation should be acted on."""

    ROUTINE = "routine"
    SOON = "soon"
    URGENT = "urgent"


@dataclass(frozen=True, slots=True, kw_only=True)
class Recommendation:
    """An action for the clinician to consider, with its rationale."""

    action: str
    text: str
    rationale: str
    urgency: Urgency = Urgency.ROUTINE
    based_on: tuple[str, ...] = ()
    citations: tuple[str, ...] = ()
    verified: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Section:
    """One part of an assessment (warning signs, classification …) with its findings and advice."""

    key: str
    title: str
    findings: tuple[Finding, ...] = ()
    recommendations: tuple[Recommendation, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Assessment:
    """Everything the clinical core concluded about one record as of one day, by section.

    ``kb_version`` and ``hpo_release`` stamp the knowledge used, so the result can be reproduced.
    """

    patient_id: int | None
    as_of: date
    kb_version: str
    hpo_release: str
    sections: tuple[Section, ...] = field(default_factory=tuple)

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every section's findings, in order."""
        return tuple(f for section in self.sections for f in section.findings)

    @property
    def recommendations(self) -> tuple[Recommendation, ...]:
        """Every section's recommendations, in order."""
        return tuple(r for section in self.sections for r in section.recommendations)

    def section(self, key: str) -> Section | None:
        """The section with this key, if the assessment has it."""
        return next((s for s in self.sections if s.key == key), None)

"""Small pieces every leaf evaluator uses."""

from __future__ import annotations

from collections.abc import Iterable

from immunocare.domain import Evidence, Finding, FindingStatus, ItemKind, RecordItem, item_date, summarize
from immunocare.knowledge.topics._criteria import Leaf

__all__ = ["MET", "NOT_MET", "UNDETERMINED", "evidence_of", "leaf_finding"]

MET, NOT_MET, UNDETERMINED = FindingStatus.MET, FindingStatus.NOT_MET, FindingStatus.UNDETERMINED


def _described(item: RecordItem) -> str:
    day = item_date(item)
    return summarize(item) + (f", {day.strftime('%d %b %Y')}" if day else "")


def evidence_of(kind: ItemKind, items: Iterable[RecordItem]) -> tuple[Evidence, ...]:
    """Evidence pointing at record items of one kind, each described with its date."""
    return tuple(Evidence(summary=_described(item), kind=kind, item_id=item.id) for item in items)


def leaf_finding(
    leaf: Leaf,
    status: FindingStatus,
    explanation: str,
    *,
    evidence: tuple[Evidence, ...] = (),
    missing: tuple[str, ...] = (),
    orders: tuple[str, ...] = (),
    verified: bool = True,
) -> Finding:
    """A leaf's finding, named by the leaf's id and worded as its source words it."""
    return Finding(
        rule_id=leaf.id,
        title=leaf.text,
        status=status,
        explanation=explanation,
        evidence=evidence,
        missing=missing if status is UNDETERMINED else (),
        orders=orders if status is UNDETERMINED else (),
        verified=verified,
    )

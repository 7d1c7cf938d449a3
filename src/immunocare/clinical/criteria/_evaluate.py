"""Evaluating a criterion tree: the combinators, and the dispatch to each kind of leaf.

The contract of docs/knowledge/rule-language.md: ``all_of`` is met when every item is met and not
met when any is not; ``any_of`` the reverse; ``at_least`` n is met with n items met and not met when
fewer than n can still be met; ``not`` swaps met and not met; anything else is undetermined.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from immunocare.domain import Evidence, Finding, FindingStatus
from immunocare.knowledge.topics._criteria import AllOf, AnyOf, AtLeast, Leaf, Not

from ._evaluation import Evaluation
from ._leaves import LEAF_EVALUATORS

__all__ = ["evaluate"]

MET, NOT_MET, UNDETERMINED = FindingStatus.MET, FindingStatus.NOT_MET, FindingStatus.UNDETERMINED


def _unique(values: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(values))


def _group(
    node: AllOf | AnyOf | AtLeast | Not, parts: list[Finding], status: FindingStatus, why: str
) -> Finding:
    """A group's finding: its status and the evidence, gaps and orders of the parts that decided it."""
    deciding = [part for part in parts if part.status is status] or parts
    undetermined = [part for part in parts if part.status is UNDETERMINED] if status is UNDETERMINED else []
    evidence: list[Evidence] = [e for part in deciding for e in part.evidence]
    return Finding(
        rule_id=node.id or node.kind,
        title=node.text or _GROUP_TITLES[node.kind],
        status=status,
        explanation=why,
        evidence=_unique(evidence),
        missing=_unique([m for part in undetermined for m in part.missing]),
        orders=_unique([o for part in undetermined for o in part.orders]),
        verified=all(part.verified for part in parts),
        parts=tuple(parts),
    )


_GROUP_TITLES = {"all_of": "All of", "any_of": "Any of", "at_least": "At least", "not": "Not"}


def _titles(parts: list[Finding], status: FindingStatus) -> str:
    return "; ".join(part.title for part in parts if part.status is status)


def _all_of(node: AllOf, evaluation: Evaluation) -> Finding:
    parts = [evaluate(item, evaluation) for item in node.items]
    if all(part.status is MET for part in parts):
        return _group(node, parts, MET, f"all {len(parts)} criteria are met")
    if any(part.status is NOT_MET for part in parts):
        return _group(node, parts, NOT_MET, f"not met: {_titles(parts, NOT_MET)}")
    return _group(node, parts, UNDETERMINED, f"cannot tell yet: {_titles(parts, UNDETERMINED)}")


def _any_of(node: AnyOf, evaluation: Evaluation) -> Finding:
    parts = [evaluate(item, evaluation) for item in node.items]
    if any(part.status is MET for part in parts):
        met = "; ".join(f"{part.title} ({part.explanation})" for part in parts if part.status is MET)
        return _group(node, parts, MET, f"met: {met}")
    if all(part.status is NOT_MET for part in parts):
        return _group(node, parts, NOT_MET, f"none of the {len(parts)} alternatives is met")
    return _group(node, parts, UNDETERMINED, f"cannot tell yet: {_titles(parts, UNDETERMINED)}")


def _at_least(node: AtLeast, evaluation: Evaluation) -> Finding:
    parts = [evaluate(item, evaluation) for item in node.items]
    met = sum(part.status is MET for part in parts)
    open_ = sum(part.status is UNDETERMINED for part in parts)
    counted = f"{met} of {len(parts)} met, {node.n} needed"
    if met >= node.n:
        return _group(node, parts, MET, counted)
    if met + open_ < node.n:
        return _group(node, parts, NOT_MET, counted)
    return _group(node, parts, UNDETERMINED, f"{counted}; {open_} cannot be told yet")


def _not(node: Not, evaluation: Evaluation) -> Finding:
    part = evaluate(node.item, evaluation)
    status = {MET: NOT_MET, NOT_MET: MET, UNDETERMINED: UNDETERMINED}[part.status]
    why = {
        MET: f"met because this is not the case: {part.title}",
        NOT_MET: f"not met because this is the case: {part.title}",
        UNDETERMINED: f"cannot tell yet whether: {part.title}",
    }[status]
    return _group(node, [part], status, why)


_GROUPS: dict[type, Callable[[Any, Evaluation], Finding]] = {
    AllOf: _all_of,
    AnyOf: _any_of,
    AtLeast: _at_least,
    Not: _not,
}


def evaluate(node: Any, evaluation: Evaluation) -> Finding:
    """The finding of a criterion tree (or any of its nodes) for the evaluation's patient and day."""
    group = _GROUPS.get(type(node))
    if group is not None:
        return group(node, evaluation)
    if not isinstance(node, Leaf):
        raise TypeError(f"not a criterion: {type(node).__name__}")
    return LEAF_EVALUATORS[type(node)](node, evaluation)

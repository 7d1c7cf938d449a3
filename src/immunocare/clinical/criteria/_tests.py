"""Leaves over tests without a number and over growth against the WHO standards."""

from __future__ import annotations

from immunocare.domain import Finding, ItemKind
from immunocare.knowledge.topics._criteria import Growth, LabTest, QualitativeResult

from ..growth import latest_z_score
from ..test_results import TestOutcome
from ._common import MET, NOT_MET, UNDETERMINED, evidence_of, leaf_finding
from ._evaluation import Evaluation

__all__ = ["growth", "test_result"]


def test_result(leaf: QualitativeResult, evaluation: Evaluation) -> Finding:
    """The latest readable result of a test without a number is one of the outcomes named.

    When one test has several sources (a vaccine response per antigen), the latest result of each
    counts: a normal outcome must hold for every source, an abnormal one for any.
    """
    results = [o for o in evaluation.test_outcomes if o.test_id == leaf.test and o.day <= evaluation.as_of]
    test = evaluation.kb.get(leaf.test)
    title = test.title if isinstance(test, LabTest) else leaf.test
    latest: dict[str, TestOutcome] = {}
    for outcome in sorted((o for o in results if o.outcome is not None), key=lambda o: o.day):
        latest[outcome.source] = outcome
    if not latest:
        unread = "; ".join(f"'{o.text}' on {o.day.isoformat()}" for o in results)
        why = f"no readable result of: {title}" + (f" (not recognised: {unread})" if unread else "")
        evidence = tuple(e for o in results for e in o.evidence)
        return leaf_finding(leaf, UNDETERMINED, why, evidence=evidence, missing=(title,), orders=(leaf.test,))
    normal = (
        isinstance(test, LabTest)
        and bool(test.normal_outcomes)
        and set(leaf.results) <= set(test.normal_outcomes)
    )
    matching = [o for o in latest.values() if o.outcome in leaf.results]
    met = len(matching) == len(latest) if normal else bool(matching)
    shown = matching if met else [o for o in latest.values() if o.outcome not in leaf.results]
    why = f"{title}: " + "; ".join(
        f"{(o.outcome or '').replace('_', ' ')}{f' ({o.source})' if o.source else ''} on {o.day.isoformat()}"
        for o in shown
    )
    evidence = tuple(dict.fromkeys(e for o in shown for e in o.evidence))
    return leaf_finding(
        leaf, MET if met else NOT_MET, why, evidence=evidence, verified=all(o.verified for o in shown)
    )


def growth(leaf: Growth, evaluation: Evaluation) -> Finding:
    """The latest growth measure is below a z-score or centile of the WHO standards."""
    score = latest_z_score(evaluation.record, evaluation.kb, leaf.measure, evaluation.as_of)
    evidence = evidence_of(ItemKind.GROWTH, score.measurements)
    if score.z is None or score.centile is None:
        missing = score.missing or "a growth measurement"
        return leaf_finding(
            leaf,
            UNDETERMINED,
            f"no z-score: {missing}",
            evidence=evidence,
            missing=(missing,),
            verified=score.verified,
        )
    if leaf.below_z is not None:
        below = score.z < leaf.below_z
    else:
        below = score.centile < (leaf.below_centile or 0.0)
    measure = leaf.measure.replace("_", " ")
    why = f"{measure} z = {score.z:.2f} (centile {score.centile:.1f}, {score.standard_name})"
    return leaf_finding(leaf, MET if below else NOT_MET, why, evidence=evidence, verified=score.verified)

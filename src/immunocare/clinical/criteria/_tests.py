"""Leaves over tests without a number and over growth against the WHO standards."""

from __future__ import annotations

from immunocare.domain import Finding, ItemKind
from immunocare.knowledge.topics._criteria import Growth, LabTest, QualitativeResult

from ..growth import latest_z_score
from ._common import MET, NOT_MET, UNDETERMINED, evidence_of, leaf_finding
from ._evaluation import Evaluation

__all__ = ["growth", "test_result"]


def test_result(leaf: QualitativeResult, evaluation: Evaluation) -> Finding:
    """The latest readable result of a test without a number is one of the outcomes named."""
    results = [o for o in evaluation.test_outcomes if o.test_id == leaf.test and o.day <= evaluation.as_of]
    test = evaluation.kb.get(leaf.test)
    title = test.title if isinstance(test, LabTest) else leaf.test
    read = [o for o in results if o.outcome is not None]
    if not read:
        unread = "; ".join(f"'{o.text}' on {o.day.isoformat()}" for o in results)
        why = f"no readable result of: {title}" + (f" (not recognised: {unread})" if unread else "")
        evidence = tuple(e for o in results for e in o.evidence)
        return leaf_finding(leaf, UNDETERMINED, why, evidence=evidence, missing=(title,), orders=(leaf.test,))
    latest = max(read, key=lambda outcome: outcome.day)
    outcome = latest.outcome or ""
    status = MET if outcome in leaf.results else NOT_MET
    why = f"{title}: {outcome.replace('_', ' ')} on {latest.day.isoformat()}"
    return leaf_finding(leaf, status, why, evidence=latest.evidence, verified=latest.verified)


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

"""Leaves that read other knowledge items: checklists, other rules, exclusions of other definitions."""

from __future__ import annotations

from dataclasses import replace

from immunocare.domain import Finding
from immunocare.knowledge.topics._criteria import Checklist, ChecklistClear, Exclusion, RuleMet, leaves
from immunocare.knowledge.topics.esid_criteria import EsidDefinition

from ._common import MET, NOT_MET, UNDETERMINED, leaf_finding
from ._evaluation import Evaluation

__all__ = ["checklist", "exclusion", "rule"]


def checklist(leaf: ChecklistClear, evaluation: Evaluation) -> Finding:
    """Every entry of a checklist is ruled out (met), one is present (not met), or some cannot be told."""
    from ._evaluate import evaluate  # entries are trees, evaluated by the dispatcher that calls us

    item = evaluation.kb.get(leaf.checklist)
    assert isinstance(item, Checklist)
    entries = [(entry, evaluate(entry.present, evaluation)) for entry in item.entries]
    present = [(e, f) for e, f in entries if f.status is MET]
    unknown = [(e, f) for e, f in entries if f.status is UNDETERMINED]
    verified = item.verified and all(f.verified for _, f in entries)
    parts = tuple(f for _, f in entries)
    if present:
        why = "present: " + "; ".join(e.text for e, _ in present)
        finding = leaf_finding(
            leaf, NOT_MET, why, evidence=tuple(x for _, f in present for x in f.evidence), verified=verified
        )
    elif unknown:
        why = "not yet ruled out: " + "; ".join(e.text for e, _ in unknown)
        finding = leaf_finding(
            leaf,
            UNDETERMINED,
            why,
            missing=tuple(m for _, f in unknown for m in f.missing),
            orders=tuple(dict.fromkeys(o for _, f in unknown for o in f.orders)),
            verified=verified,
        )
    else:
        ruled_out = tuple(dict.fromkeys(x for _, f in entries for x in f.evidence))
        why = f"all {len(entries)} ruled out on the record"
        finding = leaf_finding(leaf, MET, why, evidence=ruled_out, verified=verified)
    return replace(finding, parts=parts)


def rule(leaf: RuleMet, evaluation: Evaluation) -> Finding:
    """Another rule item is met (or, with ``met: false``, is not)."""
    target = evaluation.rule(leaf.rule)
    status = target.status
    if not leaf.met and status is not UNDETERMINED:
        status = NOT_MET if status is MET else MET
    return leaf_finding(
        leaf,
        status,
        f"{target.title}: {target.explanation}"
        if leaf.met
        else f"{target.title} (must not be met): {target.explanation}",
        evidence=target.evidence,
        missing=target.missing,
        orders=target.orders,
        verified=target.verified,
    )


def _self_excluding(definition: EsidDefinition) -> bool:
    return any(isinstance(node, Exclusion) and node.all_others for node in leaves(definition.criteria))


def exclusion(leaf: Exclusion, evaluation: Evaluation) -> Finding:
    """None of the named definitions (or none of all the others) is met."""
    busy = set(evaluation.evaluating)
    if leaf.all_others:
        targets = [
            d.id for d in evaluation.kb.of(EsidDefinition) if d.id not in busy and not _self_excluding(d)
        ]
    else:
        targets = [target for target in leaf.definitions if target not in busy]
    findings = [evaluation.rule(target) for target in targets]
    met = [f for f in findings if f.status is MET]
    unknown = [f for f in findings if f.status is UNDETERMINED]
    verified = all(f.verified for f in findings)
    if met:
        return leaf_finding(
            leaf,
            NOT_MET,
            "meets: " + "; ".join(f.title for f in met),
            evidence=tuple(e for f in met for e in f.evidence),
            verified=verified,
        )
    if unknown:
        why = "cannot yet rule out: " + "; ".join(f.title for f in unknown)
        return leaf_finding(
            leaf,
            UNDETERMINED,
            why,
            missing=tuple(dict.fromkeys(m for f in unknown for m in f.missing)),
            orders=tuple(dict.fromkeys(o for f in unknown for o in f.orders)),
            verified=verified,
        )
    return leaf_finding(leaf, MET, f"none of the {len(findings)} other definitions is met", verified=verified)

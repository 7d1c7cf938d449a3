"""ESID classification: every working definition of the knowledge base evaluated against the record."""

from __future__ import annotations

from immunocare.domain import Finding, FindingStatus
from immunocare.knowledge.topics.esid_criteria import EsidDefinition

from ._evaluation import Evaluation

__all__ = ["classify"]

_ORDER = {FindingStatus.MET: 0, FindingStatus.UNDETERMINED: 1, FindingStatus.NOT_MET: 2}


def classify(evaluation: Evaluation) -> tuple[Finding, ...]:
    """Each definition's finding — met, undetermined, then not met — with every criterion in its parts."""
    findings = [evaluation.rule(definition.id) for definition in evaluation.kb.of(EsidDefinition)]
    return tuple(sorted(findings, key=lambda finding: _ORDER[finding.status]))

"""The differential as findings of the assessment: the top-ranked diseases with their evidence."""

from __future__ import annotations

from immunocare.domain import Finding, FindingStatus

from ..criteria import Evaluation
from ._model import model_for
from ._phenotypes import record_phenotypes
from ._rank import rank

__all__ = ["differential_findings"]

_CITATIONS = ("hpo_release", "iuis2024")


def differential_findings(evaluation: Evaluation, *, top: int = 5) -> tuple[Finding, ...]:
    """The ``top`` inborn errors of immunity for the record's terms; none without an observed term.

    Each is undetermined: a ranked candidate is a suggestion to weigh, not a diagnosis. The
    method and the laboratory readings are unverified, so the findings are marked so.
    """
    phenotypes = record_phenotypes(evaluation, evaluation.kb, evaluation.as_of)
    if not phenotypes.observed:
        return ()
    result = rank(model_for(evaluation.kb), phenotypes.query(), top=top)
    evidence = tuple(e for term in phenotypes.terms for e in term.evidence)
    derived = [
        f"{t.label} ({t.rule_id}{'' if t.verified else ', unverified'})"
        for t in phenotypes.terms
        if t.rule_id
    ]
    read = (
        f" Terms read from laboratory results or imaging by rules: {', '.join(derived)}." if derived else ""
    )
    return tuple(
        Finding(
            rule_id=f"differential:{ranked.candidate.id}",
            title=f"{ranked.rank}. {ranked.candidate.name}"
            + (f" ({', '.join(ranked.candidate.genes)})" if ranked.candidate.genes else ""),
            status=FindingStatus.UNDETERMINED,
            explanation=f"{ranked.explanation()}{read} Ranked on HPO {result.hpo_release}.",
            evidence=evidence,
            missing=tuple(label for _, label in ranked.absent),
            citations=_CITATIONS,
            verified=False,
        )
        for ranked in result.ranked
    )

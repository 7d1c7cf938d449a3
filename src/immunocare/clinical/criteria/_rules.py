"""Evaluating rule items: warning signs and their lists, referral rules, ESID definitions."""

from __future__ import annotations

from immunocare.domain import Finding
from immunocare.errors import NotFoundError
from immunocare.knowledge import KBItem, citation_ids
from immunocare.knowledge.topics.esid_criteria import EsidDefinition
from immunocare.knowledge.topics.referral import CaseDefinition, ReferralRule
from immunocare.knowledge.topics.warning_signs import WarningSign, WarningSignList
from immunocare.knowledge.topics.workup import WorkupPattern

from ._common import MET, NOT_MET, UNDETERMINED
from ._evaluate import evaluate
from ._evaluation import Evaluation

__all__ = ["evaluate_rule", "signs_of"]


def _as_rule(
    item: KBItem, tree: Finding, *, title: str | None = None, explanation: str | None = None
) -> Finding:
    """A tree's finding presented as the rule item's: its id, title, sources and verification."""
    return Finding(
        rule_id=item.id,
        title=title or item.title,
        status=tree.status,
        explanation=explanation or tree.explanation,
        evidence=tree.evidence,
        missing=tree.missing,
        orders=tree.orders,
        citations=citation_ids(item),
        verified=item.verified and tree.verified,
        parts=tree.parts if tree.parts else (tree,),
    )


def signs_of(evaluation: Evaluation, sign_list: WarningSignList) -> list[WarningSign]:
    """The signs of a list, in their order."""
    return sorted(
        (s for s in evaluation.kb.of(WarningSign) if s.sign_list == sign_list.id), key=lambda s: s.number
    )


def _sign_list(item: WarningSignList, evaluation: Evaluation) -> Finding:
    citations = citation_ids(item)
    if not item.population.contains(evaluation.record.patient.birth_date, evaluation.as_of):
        why = f"this list is for another age group; the patient is {evaluation.age_years:.1f} years old"
        return Finding(
            rule_id=item.id,
            title=item.title,
            status=NOT_MET,
            explanation=why,
            citations=citations,
            verified=item.verified,
        )
    signs = [evaluation.rule(sign.id) for sign in signs_of(evaluation, item)]
    met = [s for s in signs if s.status is MET]
    open_ = [s for s in signs if s.status is UNDETERMINED]
    count = (
        f"{len(met)} of {len(signs)} signs met ({item.signs_to_suspect} or more suggest an immunodeficiency)"
    )
    status = (
        MET
        if len(met) >= item.signs_to_suspect
        else (UNDETERMINED if len(met) + len(open_) >= item.signs_to_suspect else NOT_MET)
    )
    return Finding(
        rule_id=item.id,
        title=item.title,
        status=status,
        explanation=count + (f"; {len(open_)} cannot be told yet" if open_ else ""),
        evidence=tuple(dict.fromkeys(e for s in met for e in s.evidence)),
        missing=tuple(dict.fromkeys(m for s in open_ for m in s.missing)) if status is UNDETERMINED else (),
        orders=tuple(dict.fromkeys(o for s in open_ for o in s.orders)) if status is UNDETERMINED else (),
        citations=citations,
        verified=item.verified and all(s.verified for s in signs),
        parts=tuple(signs),
    )


def _genetic_diagnosis(evaluation: Evaluation) -> str | None:
    """A genetically confirmed diagnosis (see :mod:`immunocare.clinical.genetics`), in words, if any."""
    from ..genetics import Verdict

    confirmed = [i for i in evaluation.genetics if i.verdict is Verdict.CONFIRMED]
    return "; ".join(i.finding.title.removeprefix("Genetically confirmed: ") for i in confirmed) or None


def _definition(item: EsidDefinition, evaluation: Evaluation) -> Finding:
    if item.applies_to == "with_genetic_defect" and not evaluation.record.genetic_findings:
        why = "ESID applies this definition only with a known genetic defect; no genetic finding is recorded"
        return Finding(
            rule_id=item.id,
            title=item.entity,
            status=NOT_MET,
            explanation=why,
            citations=citation_ids(item),
            verified=item.verified,
        )
    tree = evaluate(item.criteria, evaluation)
    explanation = tree.explanation
    variant = _genetic_diagnosis(evaluation) if item.applies_to == "without_genetic_diagnosis" else None
    if variant:
        explanation += (
            f". A genetic diagnosis is confirmed ({variant}) and takes precedence: ESID's clinical "
            "definitions are for patients without one, so this one is shown for completeness"
        )
    return _as_rule(item, tree, title=item.entity, explanation=explanation)


def evaluate_rule(evaluation: Evaluation, item_id: str) -> Finding:
    """The finding of one rule item for the evaluation's patient and day."""
    item = evaluation.kb.get(item_id)
    if isinstance(item, WarningSign):
        title = f"Sign {item.number}: {item.wording}"
        return _as_rule(item, evaluate(item.criterion, evaluation), title=title)
    if isinstance(item, WarningSignList):
        return _sign_list(item, evaluation)
    if isinstance(item, ReferralRule):
        return _as_rule(item, evaluate(item.trigger, evaluation))
    if isinstance(item, CaseDefinition):
        return _as_rule(item, evaluate(item.criterion, evaluation))
    if isinstance(item, WorkupPattern):
        tree = evaluate(item.trigger, evaluation)
        return _as_rule(item, tree, explanation=f"{item.presentation}: {tree.explanation}")
    if isinstance(item, EsidDefinition):
        return _definition(item, evaluation)
    raise NotFoundError(f"{item_id} is not a rule the evaluator knows")

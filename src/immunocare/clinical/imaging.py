"""Imaging: the phenotypes the record's studies show, and the studies the sources advise.

:func:`imaging_phenotypes` reads every structured finding of every study as the HPO terms the
knowledge base maps it to (:class:`~immunocare.knowledge.topics.imaging.ImagingPhenotype`), each
with the study as its evidence: the criteria read them like recorded phenotypes, and the
differential gathers them with the record's own terms.

:func:`imaging_advice` evaluates each
:class:`~immunocare.knowledge.topics.workup.WorkupImaging` item: when its trigger is met and the
record holds no study of that modality and region by ``as_of``, it recommends the study.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from immunocare.domain import (
    Evidence,
    Finding,
    FindingStatus,
    ImagingFinding,
    ImagingStudy,
    ItemKind,
    PatientRecord,
    Recommendation,
    summarize,
)
from immunocare.knowledge import KnowledgeBase, citation_ids
from immunocare.knowledge.topics.imaging import ImagingPhenotype
from immunocare.knowledge.topics.workup import WorkupImaging

if TYPE_CHECKING:
    from .criteria import Evaluation

__all__ = ["ORDER_IMAGING", "ImagingAdvice", "ImagingTerm", "imaging_advice", "imaging_phenotypes"]

ORDER_IMAGING = "order_imaging"
"""The action of an imaging recommendation."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ImagingTerm:
    """An HPO term observed on imaging.

    Attributes:
        hpo_id: the term.
        label: its name in the bundled HPO release.
        study: the study that showed it.
        finding: the study's structured finding.
        rule: the knowledge item that maps the finding to the term.
        citations: the item's sources.
        verified: whether the item is verified.
    """

    hpo_id: str
    label: str
    study: ImagingStudy
    finding: ImagingFinding
    rule: str
    citations: tuple[str, ...]
    verified: bool

    @property
    def evidence(self) -> Evidence:
        """The study, as the evidence of the term."""
        summary = f"{self.finding.label} on {summarize(self.study)}, {self.study.performed_on:%d %b %Y}"
        return Evidence(summary=summary, kind=ItemKind.IMAGING, item_id=self.study.id)

    def as_finding(self) -> Finding:
        """The term as a finding: which study, which mapping, which source."""
        return Finding(
            rule_id=self.rule,
            title=f"{self.label} ({self.hpo_id}) on imaging",
            status=FindingStatus.MET,
            explanation=f"{self.finding.label} reported on the study; read as HPO {self.hpo_id} {self.label}",
            evidence=(self.evidence,),
            citations=self.citations,
            verified=self.verified,
        )


def imaging_phenotypes(record: PatientRecord, kb: KnowledgeBase) -> tuple[ImagingTerm, ...]:
    """Every HPO term the record's imaging findings show, newest study first."""
    rules = {item.finding: item for item in kb.of(ImagingPhenotype)}
    studies = sorted(record.imaging, key=lambda study: study.performed_on, reverse=True)
    return tuple(
        ImagingTerm(
            hpo_id=term.id,
            label=term.name,
            study=study,
            finding=finding,
            rule=rule.id,
            citations=citation_ids(rule),
            verified=rule.verified,
        )
        for study in studies
        for finding in study.findings
        if (rule := rules.get(finding.kind)) is not None
        for term in rule.terms
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ImagingAdvice:
    """One imaging item of the work-up, evaluated.

    Attributes:
        item: the knowledge item.
        finding: its trigger's finding, titled by the item.
        done: the latest study of the item's modality and region by ``as_of``, if any.
        recommendation: the study to consider, when the trigger is met and none is done.
    """

    item: WorkupImaging
    finding: Finding
    done: ImagingStudy | None
    recommendation: Recommendation | None


def _advice(item: WorkupImaging, evaluation: Evaluation) -> ImagingAdvice:
    from .criteria import evaluate

    tree = evaluate(item.trigger, evaluation)
    citations = citation_ids(item)
    studies = [
        study
        for study in evaluation.record.imaging
        if (study.modality, study.body_site) == (item.modality, item.body_site)
        and study.performed_on <= evaluation.as_of
    ]
    done = max(studies, key=lambda study: study.performed_on, default=None)
    finding = Finding(
        rule_id=item.id,
        title=item.title,
        status=tree.status,
        explanation=tree.explanation
        + (f"; done: {summarize(done)}, {done.performed_on:%d %b %Y}" if done else ""),
        evidence=tree.evidence
        + ((Evidence(summary=summarize(done), kind=ItemKind.IMAGING, item_id=done.id),) if done else ()),
        missing=tree.missing,
        orders=tree.orders,
        citations=citations,
        verified=item.verified and tree.verified,
        parts=(tree,),
    )
    recommendation = None
    if tree.status is FindingStatus.MET and done is None:
        recommendation = Recommendation(
            action=ORDER_IMAGING,
            text=f"Consider {item.modality.label} of the {item.body_site.value}: {item.purpose}",
            rationale=f"{item.title} ({tree.explanation}); no {item.modality.label} of the "
            f"{item.body_site.value} is on record.",
            urgency=item.urgency,
            based_on=(item.id,),
            citations=citations,
            verified=finding.verified,
        )
    return ImagingAdvice(item=item, finding=finding, done=done, recommendation=recommendation)


def imaging_advice(evaluation: Evaluation) -> tuple[ImagingAdvice, ...]:
    """Each imaging item of the work-up, evaluated for the patient as of the evaluation's day."""
    return tuple(_advice(item, evaluation) for item in evaluation.kb.of(WorkupImaging))

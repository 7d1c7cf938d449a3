"""The HPO terms of a record: its phenotypes, and the terms its laboratory results stand for.

:func:`record_phenotypes` is the one place terms are gathered, so that other sources (imaging,
for one) can add theirs here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from immunocare.domain import Evidence, ItemKind, PatientRecord, Sex
from immunocare.domain.ages import Duration
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.phenotype_rules import LabPhenotypeRule

from ..criteria import Evaluation
from ..labs import Flag
from ._rank import PhenotypeQuery

__all__ = ["RecordPhenotypes", "RecordTerm", "record_phenotypes"]


@dataclass(frozen=True, slots=True)
class RecordTerm:
    """One HPO term of the record, with where it comes from.

    ``rule_id`` is the knowledge-base rule that read a laboratory result or an imaging finding as
    the term (``None`` for a phenotype recorded as such); ``evidence`` names the record items.
    """

    hpo_id: str
    label: str
    excluded: bool
    evidence: tuple[Evidence, ...]
    rule_id: str | None = None
    verified: bool = True


@dataclass(frozen=True, slots=True)
class RecordPhenotypes:
    """A record's terms on one day, and the sex and age the differential ranks with."""

    terms: tuple[RecordTerm, ...]
    sex: Sex | None
    age: Duration | None

    @property
    def observed(self) -> tuple[RecordTerm, ...]:
        """The observed terms."""
        return tuple(t for t in self.terms if not t.excluded)

    @property
    def excluded(self) -> tuple[RecordTerm, ...]:
        """The excluded terms."""
        return tuple(t for t in self.terms if t.excluded)

    def query(self, *, query_id: str | None = None) -> PhenotypeQuery:
        """The differential's query for these terms."""
        return PhenotypeQuery(
            observed=tuple(dict.fromkeys(t.hpo_id for t in self.observed)),
            excluded=tuple(dict.fromkeys(t.hpo_id for t in self.excluded)),
            sex=self.sex,
            age=self.age,
            id=query_id,
        )


def _age(birth: date, as_of: date) -> Duration | None:
    months = (as_of.year - birth.year) * 12 + as_of.month - birth.month - (as_of.day < birth.day)
    return Duration(years=months // 12, months=months % 12) if months >= 0 else None


def _lab_terms(evaluation: Evaluation, as_of: date) -> list[RecordTerm]:
    terms = []
    for rule in evaluation.kb.of(LabPhenotypeRule):
        flag = Flag(rule.flag)
        flagged = [r for r in evaluation.labs.of_analyte(rule.analyte, until=as_of) if r.flag is flag]
        if flagged:
            terms.append(
                RecordTerm(
                    rule.hpo_id,
                    rule.hpo_label,
                    excluded=False,
                    evidence=flagged[-1].evidence(),
                    rule_id=rule.id,
                    verified=rule.verified,
                )
            )
    return terms


def record_phenotypes(
    evaluation_or_record: Evaluation | PatientRecord, kb: KnowledgeBase, as_of: date
) -> RecordPhenotypes:
    """The record's observed and excluded HPO terms as of ``as_of``, laboratory-derived ones included.

    Imaging findings count as observed terms (see :mod:`immunocare.clinical.imaging`). A phenotype
    with an onset, or a study, after ``as_of`` is left out. A laboratory term is observed when any
    result of its analyte sampled by ``as_of`` carries the rule's flag (the latest such result is
    its evidence); results taken under immunoglobulin replacement stay in, as the reading is
    about the patient's history.
    """
    evaluation = (
        evaluation_or_record
        if isinstance(evaluation_or_record, Evaluation)
        else Evaluation(evaluation_or_record, kb, as_of)
    )
    record = evaluation.record
    recorded = [
        RecordTerm(
            p.hpo_id,
            p.label,
            excluded=p.excluded,
            evidence=(Evidence(summary=p.label, kind=ItemKind.PHENOTYPES, item_id=p.id),),
        )
        for p in record.phenotypes
        if p.onset is None or p.onset <= as_of
    ]
    imaged = [
        RecordTerm(
            term.hpo_id,
            term.label,
            excluded=False,
            evidence=(term.evidence,),
            rule_id=term.rule,
            verified=term.verified,
        )
        for term in evaluation.imaging_terms
        if term.study.performed_on <= as_of
    ]
    patient = record.patient
    return RecordPhenotypes(
        terms=(*recorded, *imaged, *_lab_terms(evaluation, as_of)),
        sex=patient.sex if patient.sex in (Sex.FEMALE, Sex.MALE) else None,
        age=_age(patient.birth_date, as_of),
    )

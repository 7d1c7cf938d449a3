"""Results of tests without a number: what the record shows for each ``test_result`` leaf.

A laboratory result reaches a test (a ``LabTest`` of the knowledge base) by one of the test's
LOINC codes; its text (``value_text``, else the value as shown) is read through the test's
``result_words``: an exact match after normalising case, spaces and a closing full stop. A text
that matches no word is reported as unrecognised (``outcome`` is ``None``), never guessed.

Three kinds of test get their outcome from other record data instead (the test's
``derived_from``), the derived result being looked up in the same ``result_words``:

- ``polysaccharide_grade``: each graded pneumococcal polysaccharide challenge of
  :mod:`immunocare.clinical.vaccine_response` whose samples were drawn in the window gives its
  grade (``severe``, ``moderate``, ``mild``, ``memory`` or ``normal``). The knowledge base reads
  ``severe`` as ``severely_reduced``, the other impaired grades as ``reduced`` and ``normal`` as
  ``normal`` (a reading, marked unverified there).
- ``antigen_protection``: each tetanus, diphtheria or Hib post-vaccination level gives
  ``protective`` or ``not_protective``.
- ``genetic_findings``: each genetic finding gives ``variant_reported`` on its report day (an
  undated finding on ``as_of``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from immunocare.domain import (
    Evidence,
    GeneticFinding,
    ItemKind,
    LabResult,
    PatientRecord,
    Phenotype,
    RecordItem,
    Vaccination,
    item_date,
    summarize,
)
from immunocare.knowledge import KnowledgeBase, citation_ids
from immunocare.knowledge.topics._criteria import LabTest, OutcomePhenotype

from .vaccine_response import POLYSACCHARIDE, Challenge, vaccine_response

__all__ = ["TestOutcome", "qualitative_results"]

_KINDS: dict[type, ItemKind] = {
    LabResult: ItemKind.LABS,
    Vaccination: ItemKind.VACCINATIONS,
    GeneticFinding: ItemKind.GENETIC_FINDINGS,
    Phenotype: ItemKind.PHENOTYPES,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class TestOutcome:
    """One result of a test without a number, and the record items it comes from.

    Attributes:
        test_id: the ``LabTest`` id.
        outcome: one of the test's outcomes; ``None`` when ``text`` matches none of its words.
        abnormal: whether the outcome points at a disorder (``None``: unrecognised, or the test
            names no normal outcome).
        day: the day of the result (sampling day, last post-vaccination sample, report day).
        text: the result text read, or the derived result (``severe``, ``protective`` …).
        items: the record items it comes from.
        evidence: those items as evidence.
        citations: the citation ids of the test (and of the challenge it was derived from).
        verified: ``False`` when the test, its result words or the derivation is unverified.
        source: what the outcome is about when one test has several (the antigen of a vaccine
            response); results with the same source replace each other, the latest counting.
    """

    __test__ = False  # not a pytest test class, whatever its name

    test_id: str
    outcome: str | None
    abnormal: bool | None
    day: date
    text: str
    items: tuple[RecordItem, ...]
    evidence: tuple[Evidence, ...]
    citations: tuple[str, ...] = ()
    verified: bool = True
    source: str = ""

    @property
    def recognised(self) -> bool:
        """Whether the text matched one of the test's result words."""
        return self.outcome is not None


def qualitative_results(record: PatientRecord, kb: KnowledgeBase, as_of: date) -> tuple[TestOutcome, ...]:
    """Every result of a test without a number the record shows up to ``as_of``, oldest first."""
    tests = kb.of(LabTest)
    found = [*_from_labs(record, tests, as_of), *_from_phenotypes(record, tests, kb, as_of)]
    derived: dict[str, LabTest] = {test.derived_from: test for test in tests if test.derived_from}
    if "genetic_findings" in derived:
        found += _from_genetics(record, derived["genetic_findings"], as_of)
    if "polysaccharide_grade" in derived or "antigen_protection" in derived:
        for challenge in vaccine_response(record, kb, as_of).challenges:
            found += _from_challenge(challenge, derived)
    return tuple(sorted(found, key=lambda outcome: (outcome.day, outcome.test_id)))


def _by_loinc(tests: tuple[LabTest, ...]) -> dict[str, LabTest]:
    """Each LOINC code's test (the referral topic's check keeps a code to one test)."""
    return {code: test for test in tests for code in test.loinc}


def _outcome(
    test: LabTest,
    text: str,
    day: date,
    items: tuple[RecordItem, ...],
    *,
    citations: tuple[str, ...] = (),
    verified: bool = True,
    source: str = "",
) -> TestOutcome:
    """The outcome ``text`` means for ``test`` (or an unrecognised one), with its sources."""
    words = test.outcome_of(text)
    return TestOutcome(
        test_id=test.id,
        outcome=words.outcome if words else None,
        abnormal=test.abnormal(words.outcome) if words else None,
        day=day,
        text=text,
        items=items,
        evidence=tuple(_evidence(item) for item in items),
        citations=tuple(dict.fromkeys((*(ref.source for ref in test.citations), *citations))),
        verified=test.verified and (words.verified if words else True) and verified,
        source=source,
    )


def _evidence(item: RecordItem) -> Evidence:
    day = item_date(item)
    summary = summarize(item) + (f" on {day.isoformat()}" if day else "")
    return Evidence(summary=summary, kind=_KINDS[type(item)], item_id=item.id)


def _from_labs(record: PatientRecord, tests: tuple[LabTest, ...], as_of: date) -> Iterator[TestOutcome]:
    index = _by_loinc(tests)
    for result in record.labs:
        test = index.get(result.loinc)
        day = result.collected_at.date()
        if test is not None and day <= as_of:
            yield _outcome(test, result.value_text or result.display_value, day, (result,))


def _phenotype_entry(test: LabTest, term: str, ontology: Any) -> OutcomePhenotype | None:
    """The test's mapping that names ``term``, else one naming an ancestor of it."""
    exact = next((entry for entry in test.phenotypes if term in entry.hpo), None)
    if exact is not None or not test.phenotypes:
        return exact
    try:
        recorded = ontology.get_hpo_object(term)
        return next(
            (e for e in test.phenotypes if any(recorded.child_of(ontology.get_hpo_object(h)) for h in e.hpo)),
            None,
        )
    except (RuntimeError, KeyError, ValueError):
        return None


def _from_phenotypes(
    record: PatientRecord, tests: tuple[LabTest, ...], kb: KnowledgeBase, as_of: date
) -> Iterator[TestOutcome]:
    """Outcomes recorded as HPO terms: observed gives the term's outcome, excluded the normal one."""
    for phenotype in record.phenotypes:
        day = phenotype.onset or as_of
        if day > as_of:
            continue
        for test in (t for t in tests if t.phenotypes):
            entry = _phenotype_entry(test, phenotype.hpo_id, kb.hpo.ontology)
            if entry is None:
                continue
            outcome = entry.outcome
            if phenotype.excluded:
                if not test.normal_outcomes or not test.abnormal(outcome):
                    continue
                outcome = test.normal_outcomes[0]
            yield TestOutcome(
                test_id=test.id,
                outcome=outcome,
                abnormal=test.abnormal(outcome),
                day=day,
                text=("excluded: " if phenotype.excluded else "") + phenotype.label,
                items=(phenotype,),
                evidence=(_evidence(phenotype),),
                citations=citation_ids(test),
                verified=test.verified and entry.verified,
            )


def _from_genetics(record: PatientRecord, test: LabTest, as_of: date) -> Iterator[TestOutcome]:
    for finding in record.genetic_findings:
        day = finding.reported_on or as_of
        if day <= as_of:
            yield _outcome(test, "variant_reported", day, (finding,))


def _from_challenge(challenge: Challenge, derived: dict[str, LabTest]) -> Iterator[TestOutcome]:
    if not challenge.timing_ok or challenge.problem:
        return
    source = challenge.finding
    if challenge.target == POLYSACCHARIDE:
        test = derived.get("polysaccharide_grade")
        judged = [row for row in challenge.rows if row.judged and row.post]
        if test is not None and challenge.grade is not None and judged:
            day = max(row.post.day for row in judged if row.post)
            items: tuple[RecordItem, ...] = (
                challenge.vaccination,
                *(r.result for row in judged for r in (row.pre, row.post) if r and r.result),
            )
            yield _outcome(
                test, challenge.grade, day, items, citations=source.citations, verified=source.verified
            )
        return
    test = derived.get("antigen_protection")
    for row in challenge.rows:
        if test is None or not row.judged or row.post is None or row.protective is None:
            continue
        word = "protective" if row.protective else "not_protective"
        items = (challenge.vaccination, *(r.result for r in (row.pre, row.post) if r and r.result))
        yield _outcome(
            test,
            word,
            row.post.day,
            items,
            citations=source.citations,
            verified=source.verified,
            source=row.antigen,
        )

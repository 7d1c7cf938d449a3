"""Family testing once a genetic diagnosis is confirmed: which first-degree relatives, which test."""

from __future__ import annotations

from immunocare.domain import Recommendation
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.genetics import FamilyTesting

from ._interpret import GeneticInterpretation, Verdict

__all__ = ["OFFER_FAMILY_TESTING", "family_testing"]

OFFER_FAMILY_TESTING = "offer_family_testing"
"""The action of a family-testing recommendation."""

_TESTS = {"carrier": "carrier testing", "diagnostic": "testing", "predictive": "predictive testing"}


def _recommendation(interpretation: GeneticInterpretation, item: FamilyTesting) -> Recommendation:
    offers = ", ".join(f"{offer.relation.label.lower()} ({_TESTS[offer.test]})" for offer in item.offers)
    variants = ", ".join(variant.hgvs for variant in interpretation.variants)
    return Recommendation(
        action=OFFER_FAMILY_TESTING,
        text=f"Offer genetic counselling, and testing for {interpretation.gene} {variants}, to: {offers}.",
        rationale=f"{interpretation.finding.title}. {item.rationale}",
        based_on=(interpretation.finding.rule_id, item.id),
        citations=tuple(
            dict.fromkeys((*interpretation.finding.citations, *(r.source for r in item.citations)))
        ),
        verified=item.verified and interpretation.finding.verified,
    )


def family_testing(
    interpretations: tuple[GeneticInterpretation, ...], kb: KnowledgeBase
) -> tuple[Recommendation, ...]:
    """For each confirmed diagnosis, the relatives to offer testing, by its inheritance pattern."""
    items = {item.pattern: item for item in kb.of(FamilyTesting)}
    return tuple(
        _recommendation(interpretation, items[interpretation.pattern])
        for interpretation in interpretations
        if interpretation.verdict is Verdict.CONFIRMED and interpretation.pattern in items
    )

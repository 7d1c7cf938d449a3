"""The imaging topic: every finding has its HPO terms, and each id and name is the bundled release's."""

from __future__ import annotations

import pytest

from immunocare.domain import ImagingFindingKind
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.imaging import ImagingPhenotype


@pytest.mark.parametrize("finding", list(ImagingFindingKind), ids=lambda f: f.value)
def test_every_imaging_finding_has_current_hpo_terms(kb: KnowledgeBase, finding: ImagingFindingKind) -> None:
    (item,) = [item for item in kb.of(ImagingPhenotype) if item.finding is finding]
    for term in item.terms:
        hpo = kb.hpo.term(term.id)
        assert (hpo.name, hpo.obsolete) == (term.name, False), f"{item.id}: {term.id} is {hpo.name!r} in HPO"

"""Knowledge-base look-ups the decision-support templates use: titles, sources, links."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from immunocare.errors import NotFoundError
from immunocare.knowledge import KBItem, KnowledgeBase

__all__ = ["KnowledgeLookup"]


@dataclass(frozen=True)
class KnowledgeLookup:
    """What a page needs from the knowledge base to show a finding: its words and its sources."""

    kb: KnowledgeBase

    def item(self, item_id: str) -> KBItem | None:
        """The knowledge item with this id, if there is one (criterion parts have local ids)."""
        try:
            return self.kb.get(item_id)
        except NotFoundError:
            return None

    def title(self, item_id: str) -> str:
        """The item's title; anything that is not an item id (words already) as it is."""
        item = self.item(item_id)
        return item.title if item is not None else item_id

    def titles(self, item_ids: Iterable[str]) -> str:
        """Several titles, each once, separated by semicolons."""
        return "; ".join(dict.fromkeys(self.title(i) for i in item_ids))

    def sources(self, citation_ids: Iterable[str]) -> str:
        """Short labels of citations (``Seidel MG et al. 2019``), each once."""
        labels = (self.kb.citations[c].short() for c in citation_ids if c in self.kb.citations)
        return "; ".join(dict.fromkeys(labels))

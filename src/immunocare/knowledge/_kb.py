"""The loaded knowledge base: every item, the bibliography, and the version stamp."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from immunocare.errors import NotFoundError

from ._base import Citation, KBItem

if TYPE_CHECKING:
    from .hpo import Hpo

__all__ = ["KnowledgeBase"]

T = TypeVar("T", bound=KBItem)


@dataclass(frozen=True)
class KnowledgeBase:
    """Cited clinical knowledge, loaded and checked; see :func:`load_knowledge_base`.

    Attributes:
        released: the release date of the built-in knowledge files.
        content_hash: SHA-256 over every file read, site overlay included.
        citations: the bibliography by id.
        topics: the items of each topic, by topic name.
        topic_titles: each topic's title.
        hpo: the Human Phenotype Ontology (hpo3), loaded on first use.
    """

    released: date
    content_hash: str
    citations: Mapping[str, Citation]
    topics: Mapping[str, tuple[KBItem, ...]]
    topic_titles: Mapping[str, str]
    hpo: Hpo
    _by_id: dict[str, KBItem] = field(default_factory=dict, repr=False)
    _by_type: dict[type, tuple[KBItem, ...]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for items in self.topics.values():
            for item in items:
                self._by_id[item.id] = item

    @property
    def version(self) -> str:
        """``<release date>+<first 12 hex digits of the content hash>``, stamped on every assessment."""
        return f"{self.released.isoformat()}+{self.content_hash[:12]}"

    def get(self, item_id: str) -> KBItem:
        """The item with this id."""
        try:
            return self._by_id[item_id]
        except KeyError:
            raise NotFoundError(f"no knowledge item {item_id!r}") from None

    def of(self, item_type: type[T]) -> tuple[T, ...]:
        """Every item of one schema, in file order."""
        if item_type not in self._by_type:
            self._by_type[item_type] = tuple(
                item for items in self.topics.values() for item in items if isinstance(item, item_type)
            )
        return self._by_type[item_type]  # type: ignore[return-value]

    def items(self) -> Iterator[tuple[str, KBItem]]:
        """Every item with its topic name."""
        for topic, items in self.topics.items():
            for item in items:
                yield topic, item

    def unverified(self) -> list[KBItem]:
        """The items that could not be verified against a source that was read."""
        return [item for _, item in self.items() if not item.verified]

    def cite(self, item: KBItem) -> list[str]:
        """The item's citations as short text: ``Orange JS et al. 2012, Table 8``."""
        return [f"{self.citations[ref.source].short()}, {ref.where}" for ref in item.citations]

"""The shapes every knowledge item shares: citations, verification, identity."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    from ._kb import KnowledgeBase

__all__ = ["Citation", "CitationRef", "KBItem", "KBModel", "Topic", "citation_ids"]

ID_PATTERN = r"^[a-z0-9][a-z0-9_.:-]*$"


class KBModel(BaseModel):
    """Base of every knowledge schema: immutable, and strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Citation(KBModel):
    """A source in the bibliography (``citations.yaml``)."""

    id: str = Field(pattern=ID_PATTERN, description="Short key, e.g. orange2012.")
    authors: str = Field(min_length=1, description="Authors, or the issuing body.")
    title: str = Field(min_length=1)
    publisher: str = Field(min_length=1, description="Journal (with volume and pages) or publisher.")
    year: int = Field(ge=1900, le=2100)
    doi: str | None = Field(None, pattern=r"^10\.\d{4,9}/\S+$")
    url: str | None = Field(None, pattern=r"^https?://\S+$")
    edition: str | None = Field(None, description="Edition, version or revision.")
    accessed: date | None = Field(None, description="When a web page or copy was read.")
    note: str | None = Field(None, description="What was read, where, and what could not be.")

    def short(self) -> str:
        """``Orange JS et al. 2012``-style label."""
        first = self.authors.split(",")[0].strip()
        return f"{first}{' et al.' if ',' in self.authors else ''} {self.year}"


class CitationRef(KBModel):
    """Where in a source an item comes from."""

    source: str = Field(pattern=ID_PATTERN, description="The citation id.")
    where: str = Field(min_length=1, description="Table, section, page or recommendation number.")


class KBItem(KBModel):
    """Anything clinical in the knowledge base: a rule, a number, a table.

    Attributes:
        id: unique across the whole knowledge base.
        title: what the item is, in words a clinician reads.
        citations: the sources, each down to its table or section.
        verified: ``False`` when the content could not be checked against a source that was read;
            such items are shown as unverified and never silently relied on.
        note: caveats; required when ``verified`` is false (say what is unverified).
        local: set by the loader for items from the site overlay, never in files.
    """

    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    citations: tuple[CitationRef, ...] = Field(min_length=1)
    verified: bool
    note: str | None = None
    local: bool = False

    @model_validator(mode="after")
    def _unverified_needs_note(self) -> KBItem:
        if not self.verified and not self.note:
            raise ValueError("an unverified item needs a note saying what could not be verified")
        return self

    def details(self) -> Iterator[tuple[str, Any]]:
        """The item's own fields (without the shared ones), for review pages and exports."""
        shared = set(KBItem.model_fields)
        for name in type(self).model_fields:
            if name not in shared:
                value = getattr(self, name)
                if value not in (None, (), [], {}):
                    yield name, value


@dataclass(frozen=True)
class Topic:
    """One folder of ``knowledge/data``: its schema, how to read it and how to check it.

    Attributes:
        name: the folder name, also the topic's key.
        title: the topic in words, for the review document.
        item_type: the pydantic model (or union) of its items.
        read: reads a folder into (place, raw item) pairs; defaults to every ``*.yaml``'s ``items``.
        cross_check: checks that need other topics (e.g. a rule naming a vaccine); returns problems.
        review: renders the topic's items for the review document when one section per item would
            not read well (a catalogue of a thousand rows is better as a table).
    """

    name: str
    title: str
    item_type: Any
    read: Callable[[Traversable], list[tuple[str, dict[str, Any]]]] | None = None
    cross_check: Callable[[KnowledgeBase], list[str]] | None = None
    review: Callable[[KnowledgeBase, tuple[KBItem, ...]], list[str]] | None = None


def citation_ids(*items: KBItem | None) -> tuple[str, ...]:
    """The citation ids of the items' sources, each once, in order; ``None`` items are skipped."""
    return tuple(dict.fromkeys(ref.source for item in items if item is not None for ref in item.citations))

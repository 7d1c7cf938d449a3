"""Browsing the knowledge base: every item with its sources and verification status."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from immunocare.errors import AuthenticationError
from immunocare.knowledge import KBItem

from ._context import Actor, ServiceContext

__all__ = ["KnowledgeEntry", "KnowledgeSummary", "find_knowledge", "knowledge_entry", "knowledge_summary"]


@dataclass(frozen=True, slots=True)
class KnowledgeEntry:
    """One knowledge item as a reviewer sees it."""

    topic: str
    topic_title: str
    id: str
    title: str
    verified: bool
    local: bool
    note: str | None
    sources: list[str]
    details: list[tuple[str, Any]]


@dataclass(frozen=True, slots=True)
class KnowledgeSummary:
    """The knowledge base's version, size and HPO release."""

    version: str
    items: int
    citations: int
    unverified: int
    local: int
    hpo_release: str
    hpo_acknowledgement: str


def _entry(ctx: ServiceContext, topic: str, item: KBItem) -> KnowledgeEntry:
    return KnowledgeEntry(
        topic=topic,
        topic_title=ctx.kb.topic_titles[topic],
        id=item.id,
        title=item.title,
        verified=item.verified,
        local=item.local,
        note=item.note,
        sources=ctx.kb.cite(item),
        details=list(item.details()),
    )


def _require_login(actor: Actor | None) -> None:
    if actor is None:
        raise AuthenticationError("log in to browse the knowledge base")


def find_knowledge(
    ctx: ServiceContext,
    *,
    actor: Actor | None,
    text: str | None = None,
    topic: str | None = None,
    unverified_only: bool = False,
) -> list[KnowledgeEntry]:
    """Items whose id, title, note or sources contain ``text`` (case-insensitive)."""
    _require_login(actor)
    needle = (text or "").strip().lower()
    found = []
    for topic_name, item in ctx.kb.items():
        if topic and topic_name != topic:
            continue
        if unverified_only and item.verified:
            continue
        entry = _entry(ctx, topic_name, item)
        haystack = " ".join([entry.id, entry.title, entry.note or "", *entry.sources]).lower()
        if needle in haystack:
            found.append(entry)
    return found


def knowledge_entry(ctx: ServiceContext, *, actor: Actor | None, item_id: str) -> KnowledgeEntry:
    """One item by id."""
    _require_login(actor)
    item = ctx.kb.get(item_id)
    topic = next(name for name, candidate in ctx.kb.items() if candidate is item)
    return _entry(ctx, topic, item)


def knowledge_summary(ctx: ServiceContext) -> KnowledgeSummary:
    """The version stamp and counts shown on every page footer and by ``immunocare kb validate``."""
    items = [item for _, item in ctx.kb.items()]
    return KnowledgeSummary(
        version=ctx.kb.version,
        items=len(items),
        citations=len(ctx.kb.citations),
        unverified=sum(not item.verified for item in items),
        local=sum(item.local for item in items),
        hpo_release=ctx.kb.hpo.release,
        hpo_acknowledgement=ctx.kb.hpo.acknowledgement,
    )

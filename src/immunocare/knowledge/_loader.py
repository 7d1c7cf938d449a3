"""Loading and checking the knowledge base, with an optional site overlay."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import pydantic

from immunocare.errors import KnowledgeBaseError

from ._base import Citation, KBItem, Topic
from ._files import RawItem, read_yaml, read_yaml_items
from ._kb import KnowledgeBase
from .hpo import Hpo
from .topics import all_topics

__all__ = ["builtin_data", "load_knowledge_base"]


def builtin_data() -> Traversable:
    """The folder of built-in knowledge files (package data)."""
    return files("immunocare.knowledge") / "data"


def _walk(folder: Traversable, prefix: str = "") -> Iterator[tuple[str, Traversable]]:
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.startswith((".", "_")) and entry.name != "__init__.py":
            continue
        path = f"{prefix}{entry.name}"
        if entry.is_dir():
            yield from _walk(entry, f"{path}/")
        elif not entry.name.endswith((".py", ".pyc")):
            yield path, entry


def _content_hash(*roots: Traversable | None) -> str:
    digest = hashlib.sha256()
    for index, root in enumerate(roots):
        if root is None:
            continue
        for path, entry in _walk(root):
            digest.update(f"{index}:{path}\n".encode())
            digest.update(entry.read_bytes())
    return digest.hexdigest()


def _format_error(where: str, error: pydantic.ValidationError) -> list[str]:
    problems = []
    for detail in error.errors():
        location = ".".join(str(part) for part in detail["loc"])
        message = str(detail["msg"]).removeprefix("Value error, ")
        problems.append(f"{where}: {location or '(item)'}: {message}")
    return problems


def _citations(folder: Traversable, problems: list[str]) -> dict[str, Citation]:
    file = folder / "citations.yaml"
    if not file.is_file():
        return {}
    document = read_yaml(file)
    entries = document.get("citations") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        problems.append(f"{folder.name}/citations.yaml: expected a mapping with a 'citations' list")
        return {}
    citations: dict[str, Citation] = {}
    for index, raw in enumerate(entries):
        try:
            citation = Citation.model_validate(raw)
        except pydantic.ValidationError as error:
            problems.extend(_format_error(f"citations.yaml#{index}", error))
            continue
        if citation.id in citations:
            problems.append(f"citations.yaml#{index}: duplicate citation id {citation.id!r}")
        citations[citation.id] = citation
    return citations


def _topic_items(topic: Topic, folder: Traversable, local: bool, problems: list[str]) -> list[KBItem]:
    if not folder.is_dir():
        return []
    reader = topic.read or read_yaml_items
    try:
        raw_items: list[RawItem] = reader(folder)
    except KnowledgeBaseError as error:
        problems.extend(error.problems)
        return []
    adapter: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(topic.item_type)
    items: list[KBItem] = []
    for where, raw in raw_items:
        if "local" in raw:
            problems.append(f"{where}: 'local' is set by the loader, not in files")
            continue
        try:
            item = adapter.validate_python(raw)
        except pydantic.ValidationError as error:
            problems.extend(_format_error(where, error))
            continue
        items.append(item.model_copy(update={"local": True}) if local else item)
    return items


def _merge(builtin: list[KBItem], overlay: list[KBItem]) -> tuple[KBItem, ...]:
    replacements = {item.id: item for item in overlay}
    merged = [replacements.pop(item.id, item) for item in builtin]
    return tuple(merged + list(replacements.values()))


def _integrity(kb: KnowledgeBase, topics: list[Topic]) -> list[str]:
    problems: list[str] = []
    seen: dict[str, str] = {}
    used: set[str] = set()
    for topic_name, item in kb.items():
        if item.id in seen:
            problems.append(f"{topic_name}: id {item.id!r} is also used in {seen[item.id]}")
        seen[item.id] = topic_name
        for ref in item.citations:
            used.add(ref.source)
            if ref.source not in kb.citations:
                problems.append(f"{topic_name}/{item.id}: unknown citation {ref.source!r}")
    for citation_id in sorted(set(kb.citations) - used):
        problems.append(f"citations.yaml: citation {citation_id!r} is not used by any item")
    for topic in topics:
        if topic.cross_check is not None:
            problems.extend(f"{topic.name}: {problem}" for problem in topic.cross_check(kb))
    return problems


def load_knowledge_base(overlay_dir: Path | None = None, *, hpo: Hpo | None = None) -> KnowledgeBase:
    """Load the built-in knowledge files and a site overlay, and check them all.

    Overlay files sit in the same folders as the built-in ones (``<overlay>/<topic>/*.yaml``,
    ``<overlay>/citations.yaml``); an overlay item replaces the built-in item with its id or is
    added, and is marked ``local``.

    Raises:
        KnowledgeBaseError: listing every problem found, not just the first.
    """
    data = builtin_data()
    overlay: Traversable | None = None
    if overlay_dir is not None:
        if not overlay_dir.is_dir():
            raise KnowledgeBaseError(f"knowledge overlay folder {overlay_dir} does not exist")
        overlay = overlay_dir
    problems: list[str] = []
    manifest = read_yaml(data / "manifest.yaml")
    released = manifest.get("released") if isinstance(manifest, dict) else None
    if not isinstance(released, date):
        raise KnowledgeBaseError("manifest.yaml: 'released' must be a date (YYYY-MM-DD)")
    citations = _citations(data, problems)
    if overlay is not None:
        citations.update(_citations(overlay, problems))
    topics = all_topics()
    contents: dict[str, tuple[KBItem, ...]] = {}
    for topic in topics:
        builtin = _topic_items(topic, data / topic.name, False, problems)
        local = _topic_items(topic, overlay / topic.name, True, problems) if overlay is not None else []
        contents[topic.name] = _merge(builtin, local)
    if problems:
        raise KnowledgeBaseError(*problems)
    kb = KnowledgeBase(
        released=released,
        content_hash=_content_hash(data, overlay),
        citations=citations,
        topics=contents,
        topic_titles={topic.name: topic.title for topic in topics},
        hpo=hpo or Hpo(),
    )
    problems = _integrity(kb, topics)
    if problems:
        raise KnowledgeBaseError(*problems)
    return kb

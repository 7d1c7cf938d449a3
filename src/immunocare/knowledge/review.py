"""The review document: every knowledge item with its sources, grouped by topic, for clinicians.

``immunocare kb export --format md`` prints it. Lists of flat records (age bands, rate steps)
become tables; other structures are shown as indented YAML; unverified items are marked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from ._base import KBItem
from ._kb import KnowledgeBase
from ._markdown import markdown_table
from .topics import all_topics
from .topics._criteria import AllOf, AnyOf, AtLeast, Leaf, Not

__all__ = ["OutlineNode", "criterion_outline", "is_criterion", "readable", "review_markdown"]

_SCALARS = (str, int, float, bool, type(None))


def _plain(value: Any) -> Any:
    """JSON-like data (dicts, lists, strings, numbers) for any schema value."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    return to_jsonable_python(value)


def readable(value: Any) -> str:
    """A field's value as people read it: scalars as text, structures as YAML."""
    plain = _plain(value)
    if isinstance(plain, _SCALARS):
        return "" if plain is None else str(plain)
    return str(yaml.safe_dump(plain, sort_keys=False, allow_unicode=True, width=100)).rstrip()


def _is_flat_rows(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(row, dict) and all(isinstance(v, _SCALARS) for v in row.values()) for row in value)
    )


def _short(value: Any) -> str:
    plain = _plain(value)
    if isinstance(plain, list):
        return "[" + ", ".join(_short(v) for v in plain) + "]"
    if isinstance(plain, dict):
        return "{" + ", ".join(f"{k}: {_short(v)}" for k, v in plain.items() if v is not None) + "}"
    return str(plain)


_GROUPS = {"all_of": "All of", "any_of": "Any of", "not": "Not"}


@dataclass(frozen=True, slots=True)
class OutlineNode:
    """One line of a criterion tree as people read it: the source's wording, then the computable form."""

    text: str
    form: str = ""
    note: str | None = None
    group: bool = False
    children: tuple[OutlineNode, ...] = ()


def is_criterion(value: Any) -> bool:
    """Whether a field holds a criterion tree (rendered as an outline, not as data)."""
    return isinstance(value, AllOf | AnyOf | AtLeast | Not | Leaf)


def criterion_outline(node: Any) -> OutlineNode:
    """A criterion tree as nested lines."""
    if isinstance(node, Leaf):
        form = ", ".join(f"{k}={_short(v)}" for k, v in node if k not in ("id", "text", "note", "kind") and v)
        return OutlineNode(node.text, f"{getattr(node, 'kind', '')} {form}".strip(), node.note)
    heading = f"At least {node.n} of" if isinstance(node, AtLeast) else _GROUPS[node.kind]
    children = (node.item,) if isinstance(node, Not) else node.items
    text = heading + (f": {node.text}" if node.text else "")
    return OutlineNode(text, "", node.note, True, tuple(criterion_outline(child) for child in children))


def _outline_lines(node: OutlineNode, depth: int = 0) -> list[str]:
    indent = "  " * depth
    if node.group:
        head, _, rest = node.text.partition(": ")
        lines = [f"{indent}- **{head}**" + (f": {rest}" if rest else "")]
    else:
        lines = [f"{indent}- {node.text} — `{node.form}`"]
    lines += [f"{indent}  *{node.note}*"] if node.note else []
    for child in node.children:
        lines += _outline_lines(child, depth + 1)
    return lines


def _field(name: str, value: Any) -> list[str]:
    label = name.replace("_", " ")
    if is_criterion(value):
        outline = _outline_lines(criterion_outline(value))
        return [f"- **{label}**:", "", *("  " + line for line in outline), ""]
    plain = _plain(value)
    if isinstance(plain, _SCALARS):
        return [f"- **{label}**: {plain}"]
    if isinstance(plain, list) and all(isinstance(v, _SCALARS) for v in plain):
        return [f"- **{label}**: {', '.join(str(v) for v in plain)}"]
    if _is_flat_rows(plain):
        return [f"- **{label}**:", "", *("  " + line for line in markdown_table(plain)), ""]
    dumped = readable(plain)
    return [f"- **{label}**:", "", "  ```yaml", *("  " + line for line in dumped.splitlines()), "  ```", ""]


def _item(kb: KnowledgeBase, item: KBItem) -> list[str]:
    status = "verified" if item.verified else "**⚠ UNVERIFIED**"
    lines = [
        f"### {item.title}",
        "",
        f"`{item.id}` — {status}{' — local (site overlay)' if item.local else ''}",
        "",
    ]
    if item.note:
        lines += [f"> {item.note}", ""]
    lines += ["Sources:", *(f"- {source}" for source in kb.cite(item)), ""]
    for name, value in item.details():
        lines += _field(name, value)
    return [*lines, ""]


def _bibliography(kb: KnowledgeBase) -> list[str]:
    lines = ["## Bibliography", ""]
    for citation in sorted(kb.citations.values(), key=lambda c: c.id):
        link = (
            f" https://doi.org/{citation.doi}"
            if citation.doi
            else (f" {citation.url}" if citation.url else "")
        )
        edition = f" {citation.edition}." if citation.edition else ""
        lines.append(
            f"- **{citation.id}** — {citation.authors}. {citation.title}. {citation.publisher}; "
            f"{citation.year}.{edition}{link}"
        )
        if citation.note:
            lines.append(f"  - {citation.note}")
    return lines


def review_markdown(kb: KnowledgeBase) -> str:
    """The whole knowledge base as a Markdown review document."""
    total = sum(len(items) for items in kb.topics.values())
    topics = {topic.name: topic for topic in all_topics()}
    lines = [
        "# immunocare knowledge base — review document",
        "",
        f"Version **{kb.version}** · {total} items · {len(kb.citations)} sources · "
        f"**{len(kb.unverified())} unverified** "
        "(marked ⚠ UNVERIFIED: shown for review, never relied on silently).",
        "",
        kb.hpo.acknowledgement,
        "",
        "## Contents",
        "",
    ]
    lines += [f"- {kb.topic_titles[name]} ({len(items)})" for name, items in kb.topics.items()]
    lines.append("")
    for name, items in kb.topics.items():
        lines += [f"## {kb.topic_titles[name]}", ""]
        review = topics[name].review if name in topics else None
        if review is not None:
            lines += [*review(kb, items), ""]
            continue
        for item in items:
            lines += _item(kb, item)
    lines += _bibliography(kb)
    return "\n".join(lines) + "\n"

"""Markdown pieces shared by the review document and topics that render themselves."""

from __future__ import annotations

from typing import Any

__all__ = ["markdown_table"]


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(rows: list[dict[str, Any]]) -> list[str]:
    """Rows of flat records as a Markdown table (columns in order of first appearance)."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(row.get(c)) for c in columns) + " |" for row in rows]
    return lines

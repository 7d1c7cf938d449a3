"""Type aliases shared across layers."""

from __future__ import annotations

from typing import Any, TypeAlias

__all__ = ["JSONDict", "JSONValue"]

JSONValue: TypeAlias = Any
"""A value that ``json.dumps`` accepts."""

JSONDict: TypeAlias = dict[str, Any]
"""A JSON object."""

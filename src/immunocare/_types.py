"""Type aliases and value formats shared across layers."""

from __future__ import annotations

import re
from typing import Any, TypeAlias

__all__ = ["MEMORY_AMOUNT", "JSONDict", "JSONValue"]

MEMORY_AMOUNT = re.compile(r"\s*\d+(\.\d+)?\s*[KMGT]i?B\s*", re.IGNORECASE)
"""An amount of memory as DuckDB reads it ("2GB", "512MiB"), for the screen's memory limit."""

JSONValue: TypeAlias = Any
"""A value that ``json.dumps`` accepts."""

JSONDict: TypeAlias = dict[str, Any]
"""A JSON object."""

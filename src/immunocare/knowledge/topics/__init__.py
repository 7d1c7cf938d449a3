"""One module per knowledge topic; each defines its item schemas and a ``TOPIC``.

Topics are discovered by :func:`all_topics`, in the order of each module's ``ORDER`` constant;
modules whose name starts with ``_`` hold shared schemas and are not topics.
"""

from __future__ import annotations

import importlib
import pkgutil

from immunocare.knowledge._base import Topic

__all__ = ["all_topics"]


def all_topics() -> list[Topic]:
    """Every topic module's ``TOPIC``, ordered by its ``ORDER``."""
    found: list[tuple[int, Topic]] = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.append((getattr(module, "ORDER", 100), module.TOPIC))
    return [topic for _, topic in sorted(found, key=lambda pair: (pair[0], pair[1].name))]

"""Rounding a dose to whole containers of a product: the nearest totals below and above.

The clinician chooses between them; no rounding tolerance is applied here.

>>> from immunocare.knowledge import load_knowledge_base
>>> rounding = round_to_presentations(load_knowledge_base().get("hizentra_us"), Quantity(13.7, "g"))
>>> rounding.down.describe(), rounding.up.describe()
('13 g: 1 × 10 g, 1 × 2 g, 1 × 1 g', '14 g: 1 × 10 g, 1 × 4 g')
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from immunocare.domain import Quantity
from immunocare.knowledge.topics.ig_products import IgProduct

__all__ = ["Containers", "VialRounding", "round_to_presentations"]

_CENTIGRAMS_PER_GRAM = 100


@dataclass(frozen=True, slots=True)
class Containers:
    """Whole containers adding up to ``total``: (content in g, count), largest first."""

    total: Quantity
    counts: tuple[tuple[float, int], ...]

    def describe(self) -> str:
        """``14 g: 1 × 10 g, 1 × 4 g``."""
        parts = ", ".join(f"{count} × {grams:g} g" for grams, count in self.counts)
        return f"{self.total}: {parts}"


@dataclass(frozen=True, slots=True)
class VialRounding:
    """The nearest totals in whole containers at or below (``None`` under the smallest) and at or above."""

    dose: Quantity
    down: Containers | None
    up: Containers


def _fewest(sizes: list[int], limit: int) -> list[list[int] | None]:
    """For every total up to ``limit`` centigrams, the fewest containers reaching it exactly."""
    best: list[list[int] | None] = [None] * (limit + 1)
    best[0] = []
    for total in range(1, limit + 1):
        for size in sizes:
            previous = best[total - size] if size <= total else None
            if previous is not None:
                candidate = [*previous, size]
                current = best[total]
                if current is None or len(candidate) < len(current):
                    best[total] = candidate
    return best


def _containers(cg: int, picks: list[int]) -> Containers:
    counts = Counter(picks)
    ordered = tuple((size / _CENTIGRAMS_PER_GRAM, counts[size]) for size in sorted(counts, reverse=True))
    return Containers(Quantity(cg / _CENTIGRAMS_PER_GRAM, "g"), ordered)


def round_to_presentations(product: IgProduct, dose: Quantity) -> VialRounding | None:
    """The dose in whole containers of the product, or ``None`` when no presentation was read."""
    sizes = sorted({round(p.content.value_in("g") * _CENTIGRAMS_PER_GRAM) for p in product.presentations})
    if not sizes:
        return None
    target = round(dose.value_in("g") * _CENTIGRAMS_PER_GRAM)
    best = _fewest(sizes, target + sizes[-1])
    below = next((t for t in range(target, 0, -1) if best[t] is not None), None)
    above = next(t for t in range(target, len(best)) if best[t] is not None and t > 0)
    down = _containers(below, best[below] or []) if below is not None else None
    return VialRounding(dose, down, _containers(above, best[above] or []))

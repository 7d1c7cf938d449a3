"""Where every number comes from, and the product a plan is for."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from immunocare.domain import IgRoute, Quantity
from immunocare.errors import ValidationError
from immunocare.knowledge import KBItem, KnowledgeBase, citation_ids
from immunocare.knowledge.topics.ig_dosing import WeightBounds
from immunocare.knowledge.topics.ig_products import IgProduct

__all__ = ["Cited", "Source", "check_weight", "find_product", "grams", "source_of"]

_CLOSE_NAMES = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """A knowledge item a number comes from, with its citations in words."""

    item_id: str
    citations: tuple[str, ...]
    citation_ids: tuple[str, ...]
    names: tuple[str, ...]
    verified: bool

    def __str__(self) -> str:
        text = f"{self.item_id} ({'; '.join(self.names)})"
        return text if self.verified else f"{text} UNVERIFIED"


def source_of(kb: KnowledgeBase, item: KBItem) -> Source:
    """The source of a number read from ``item``."""
    ids = citation_ids(item)
    return Source(
        item_id=item.id,
        citations=tuple(kb.cite(item)),
        citation_ids=ids,
        names=tuple(kb.citations[i].short() for i in ids),
        verified=item.verified,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Cited:
    """One number of a plan: what it is, its value (or range) and where it comes from.

    Attributes:
        label: what the number is, e.g. "Weekly SCIG dose".
        value: the number, or the low end of a range.
        high: the high end of a range.
        every: the interval between doses, or its short end.
        every_to: the long end of the interval.
        sources: the knowledge items (with their citations) the number is computed from.
        how: the arithmetic, for a clinician to check.
    """

    label: str
    value: Quantity
    sources: tuple[Source, ...]
    how: str = ""
    high: Quantity | None = None
    every: Quantity | None = None
    every_to: Quantity | None = None

    @property
    def verified(self) -> bool:
        """Whether every source is verified."""
        return all(s.verified for s in self.sources)

    def shown(self) -> str:
        """The value as a chart reads it: ``13.7 g every 1 wk``."""
        text = str(self.value) if self.high is None else f"{self.value.value:g}–{self.high}"
        if self.every is not None:
            every = f"{self.every.value:g}" + (f"–{self.every_to.value:g}" if self.every_to else "")
            text += f" every {every} {(self.every_to or self.every).unit}"
        return text


def grams(value: float) -> Quantity:
    """A mass in grams, to the centigram (what a label's vial sizes can express).

    >>> grams(13.7000001)
    Quantity(value=13.7, unit='g')
    """
    return Quantity(round(value, 2), "g")


def check_weight(kb: KnowledgeBase, weight: Quantity | None, *, field: str = "weight") -> Quantity:
    """The body weight in kg, refused when missing, not a mass, or outside the knowledge base's bounds.

    >>> from immunocare.knowledge import load_knowledge_base
    >>> check_weight(load_knowledge_base(), Quantity(0, "kg"))
    Traceback (most recent call last):
    ...
    immunocare.errors.ValidationError: weight: must be above 0 kg (got 0 kg)
    """
    if weight is None:
        raise ValidationError.single(field, "a body weight is needed to dose immunoglobulin")
    if weight.dimension != "mass":
        raise ValidationError.single(field, f"must be a mass (kg), not {weight}")
    kg = weight.to("kg")
    for bounds in kb.of(WeightBounds):
        if kg.value <= bounds.above.value_in("kg"):
            raise ValidationError.single(field, f"must be above {bounds.above} (got {kg})")
        if kg.value >= bounds.below.value_in("kg"):
            raise ValidationError.single(
                field, f"must be below {bounds.below} (got {kg}); is it a typing error? ({bounds.id})"
            )
    return kg


def _key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def find_product(kb: KnowledgeBase, name: str, *, route: IgRoute | None = None) -> IgProduct:
    """The product with this id or brand name (spaces, case and hyphens ignored).

    A brand under several labels (US and EU) must be named by its id; an unknown name is refused
    with the closest names.

    >>> from immunocare.knowledge import load_knowledge_base
    >>> find_product(load_knowledge_base(), "hizentra_us").brand
    'Hizentra'
    """
    products = kb.of(IgProduct)
    found = [p for p in products if _key(name) in (_key(p.id), _key(p.brand))]
    if not found:
        names = sorted({p.brand for p in products} | {p.id for p in products})
        by_key = {_key(n): n for n in names}
        close = difflib.get_close_matches(_key(name), list(by_key), n=_CLOSE_NAMES, cutoff=0.5)
        hint = f"; close names: {', '.join(by_key[c] for c in close)}" if close else ""
        raise ValidationError.single(
            "product", f"no immunoglobulin product {name!r} in the knowledge base{hint}"
        )
    if len(found) > 1:
        choices = ", ".join(f"{p.id} ({p.jurisdiction} label)" for p in found)
        raise ValidationError.single("product", f"{name!r} names several labels: {choices}; give one id")
    product = found[0]
    if route is not None and route not in product.routes:
        allowed = ", ".join(r.value for r in product.routes)
        raise ValidationError.single(
            "route", f"{product.brand} ({product.id}) is given by {allowed}, not {route.value}"
        )
    return product

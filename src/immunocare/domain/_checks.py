"""Small invariant checks shared by the record shapes; each raises a ValidationError naming the field."""

from __future__ import annotations

from datetime import date

from immunocare.errors import ValidationError

from .units import Quantity, physical_problem


def require_text(field: str, value: str) -> None:
    """A required text field must hold something other than spaces."""
    if not value.strip():
        raise ValidationError.single(field, "is required")


def require_order(start_field: str, start: date, end_field: str, end: date | None) -> None:
    """An end date, when given, may not precede its start."""
    if end is not None and end < start:
        raise ValidationError.single(end_field, f"is before {start_field} ({end} < {start})")


def require_dimension(field: str, quantity: Quantity | None, *dimensions: str) -> None:
    """A quantity, when given, must measure one of ``dimensions`` and be physically possible."""
    if quantity is None:
        return
    if quantity.dimension not in dimensions:
        wanted = " or ".join(dimensions)
        raise ValidationError.single(field, f"must be a {wanted}, not {quantity.unit!r}")
    problem = physical_problem(quantity)
    if problem:
        raise ValidationError.single(field, problem)


def require_positive(field: str, value: float | None) -> None:
    """A count or size, when given, must be above zero."""
    if value is not None and value <= 0:
        raise ValidationError.single(field, "must be greater than zero")

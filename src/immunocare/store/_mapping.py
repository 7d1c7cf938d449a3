"""The one place where domain objects become rows and rows become domain objects.

The conversion is read off each frozen dataclass's fields and type hints, so a new field needs
only its column in :mod:`~immunocare.store.tables`:

- a :class:`~immunocare.domain.Quantity` field ``dose`` ↔ columns ``dose_value`` and ``dose_unit``;
- a tuple of value objects, a tuple of strings, or a single value object (a reference interval)
  ↔ one JSON column of the same name (enums as values, dates as ISO text);
- anything else (text, numbers, booleans, enums, dates, instants) ↔ the column of the same name.

Loading calls the dataclass's constructor, so every invariant of the shape is checked again on
the way out of the database.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from immunocare.domain import Quantity

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    from ._schema import Base

__all__ = ["column_values", "from_row", "to_row", "update_row"]

ShapeT = TypeVar("ShapeT", bound="DataclassInstance")
RowT = TypeVar("RowT", bound="Base")


@dataclasses.dataclass(frozen=True, slots=True)
class _Field:
    """How one dataclass field is stored: ``shape`` is ``plain``, ``quantity`` or ``json``."""

    name: str
    shape: Literal["plain", "quantity", "json"]
    hint: Any

    def dump(self, value: Any) -> dict[str, Any]:
        """The column values for the field's value."""
        if self.shape == "quantity":
            quantity: Quantity | None = value
            return {
                f"{self.name}_value": None if quantity is None else quantity.value,
                f"{self.name}_unit": None if quantity is None else quantity.unit,
            }
        if self.shape == "json":
            return {self.name: _to_json(value)}
        return {self.name: value}

    def load(self, row: Base) -> Any:
        """The field's value from a row."""
        if self.shape == "quantity":
            value, unit = getattr(row, f"{self.name}_value"), getattr(row, f"{self.name}_unit")
            return None if value is None else Quantity(value, unit)
        if self.shape == "json":
            return _from_json(self.hint, getattr(row, self.name))
        return getattr(row, self.name)


def _unwrap_optional(hint: Any) -> Any:
    """``X`` for ``X | None``, else the hint itself."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if len(options) == 1:
            return options[0]
    return hint


def _shape_of(hint: Any) -> Literal["plain", "quantity", "json"]:
    bare = _unwrap_optional(hint)
    if bare is Quantity:
        return "quantity"
    if typing.get_origin(bare) is tuple or dataclasses.is_dataclass(bare):
        return "json"
    return "plain"


@cache
def _fields(shape_type: type[DataclassInstance]) -> tuple[_Field, ...]:
    hints = typing.get_type_hints(shape_type)
    return tuple(
        _Field(field.name, _shape_of(hints[field.name]), hints[field.name])
        for field in dataclasses.fields(shape_type)
    )


def _to_json(value: Any) -> Any:
    """A value object (or a tuple of them) as JSON-ready data."""
    if isinstance(value, tuple):
        return [_to_json(element) for element in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _to_json(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def _from_json(hint: Any, data: Any) -> Any:
    """The value of type ``hint`` that :func:`_to_json` turned into ``data``."""
    bare = _unwrap_optional(hint)
    if data is None:
        return None
    if typing.get_origin(bare) is tuple:
        element = typing.get_args(bare)[0]
        return tuple(_from_json(element, item) for item in data)
    if isinstance(bare, type) and dataclasses.is_dataclass(bare):
        return bare(**{f.name: _from_json(f.hint, data[f.name]) for f in _fields(bare) if f.name in data})
    if isinstance(bare, type) and issubclass(bare, enum.Enum):
        return bare(data)
    if bare is date:
        return date.fromisoformat(data)
    if bare is float:
        return float(data)
    return data


def column_values(shape: DataclassInstance) -> dict[str, Any]:
    """Every column value of a domain object except its ``id``."""
    values: dict[str, Any] = {}
    for field in _fields(type(shape)):
        if field.name != "id":
            values.update(field.dump(getattr(shape, field.name)))
    return values


def to_row(row_type: type[RowT], shape: DataclassInstance, **extra: Any) -> RowT:
    """A new row holding a domain object (without its id), plus ``extra`` columns."""
    return row_type(**column_values(shape), **extra)


def update_row(row: Base, shape: DataclassInstance) -> None:
    """Overwrite a row's columns with a domain object's values (its id and links stay)."""
    for name, value in column_values(shape).items():
        setattr(row, name, value)


def from_row(shape_type: type[ShapeT], row: Base) -> ShapeT:
    """The domain object a row holds, re-checking its invariants."""
    return shape_type(**{field.name: field.load(row) for field in _fields(shape_type)})

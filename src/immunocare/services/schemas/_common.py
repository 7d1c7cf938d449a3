"""Shared pieces of the API schemas: strict numbers, bounded text, quantities, error paths."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, tzinfo
from enum import Enum
from typing import Annotated, Any, ClassVar, Self, TypeVar

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from immunocare.domain.units import Quantity, normalize_unit
from immunocare.errors import FieldIssue, ValidationError

__all__ = [
    "Bool",
    "Count",
    "DomainModel",
    "InputModel",
    "LongText",
    "Number",
    "QuantityIn",
    "ShortText",
    "Text",
    "convert",
    "issues_from_pydantic",
]

Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
"""A JSON number; strings and booleans are refused."""
Count = Annotated[int, Field(strict=True, ge=0, le=10_000)]
Bool = Annotated[bool, Field(strict=True)]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
Text = Annotated[str, Field(max_length=500)]
LongText = Annotated[str, Field(max_length=10_000)]

T = TypeVar("T")


class InputModel(BaseModel):
    """Base of every input schema: unknown fields are errors, text is trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class QuantityIn(InputModel):
    """A number with its unit; common spellings (mg/dl, cells/µL) are turned into UCUM codes."""

    value: Number
    unit: Annotated[str, Field(min_length=1, max_length=40, examples=["g/L", "/uL", "mg/dL"])]

    def to_domain(self, *, zone: tzinfo | None = None) -> Quantity:
        """The domain quantity (raises ValidationError on an unknown unit)."""
        return Quantity(self.value, normalize_unit(self.unit))

    @classmethod
    def from_domain(cls, quantity: Quantity) -> QuantityIn:
        """The schema form of a domain quantity."""
        return cls(value=quantity.value, unit=quantity.unit)


def _field_path(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location) or "(body)"


def issues_from_pydantic(error: pydantic.ValidationError, prefix: str = "") -> list[FieldIssue]:
    """Pydantic's errors as field issues, with paths like ``labs.2.value.unit``."""
    issues = []
    for detail in error.errors(include_url=False):
        location = tuple(part for part in detail["loc"] if part not in ("body",))
        path = _field_path(location)
        message = detail["msg"].removeprefix("Value error, ")
        issues.append(FieldIssue(f"{prefix}{path}" if prefix else path, message))
    return issues


def convert(builder: Callable[[], T], *, prefix: str = "") -> T:
    """Run a domain constructor, nesting any ValidationError under ``prefix``."""
    try:
        return builder()
    except ValidationError as error:
        raise error.prefixed(prefix.rstrip(".")) if prefix else error from None


def _to_domain_value(value: Any, path: str, zone: tzinfo) -> Any:
    if isinstance(value, QuantityIn | DomainModel):
        return convert(lambda: value.to_domain(zone=zone), prefix=path)
    if isinstance(value, list | tuple):
        return tuple(_to_domain_value(v, f"{path}.{i}", zone) for i, v in enumerate(value))
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=zone)
    return value


def _from_domain_value(value: Any) -> Any:
    if isinstance(value, Quantity):
        return {"value": value.value, "unit": value.unit}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _from_domain_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return [_from_domain_value(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    return value


class DomainModel(InputModel):
    """An input schema that converts to and from one domain class (``__domain__``), field by field.

    Field names equal the domain class's; quantities, nested schemas and lists convert
    recursively, and any invariant the domain class refuses comes back as a ValidationError
    whose field path is relative to this schema. Times written without an offset are read in
    the center's time zone.
    """

    __domain__: ClassVar[type]

    def to_domain(self, *, zone: tzinfo, **extra: Any) -> Any:
        """The domain object; ``extra`` sets fields the schema does not carry (``id``)."""
        kwargs = {name: _to_domain_value(getattr(self, name), name, zone) for name in type(self).model_fields}
        kwargs.update(extra)
        return convert(lambda: self.__domain__(**kwargs))

    @classmethod
    def from_domain(cls, item: Any) -> Self:
        """The schema form of a domain object."""
        data = {name: _from_domain_value(getattr(item, name)) for name in cls.model_fields}
        return cls.model_validate(data)

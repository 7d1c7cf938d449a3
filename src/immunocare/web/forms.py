"""HTML forms generated from the input schemas, and form posts turned back into schema input.

One generator serves every kind of record item: each schema field becomes an input by its type
(dates, numbers, choices, yes/no, quantities as value + unit, lists of nested items as rows), so a
new field appears in the forms without writing HTML.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from immunocare.errors import FieldIssue
from immunocare.services.schemas import QuantityIn

__all__ = ["FormField", "errors_by_field", "field_label", "form_context", "form_fields", "parse_form"]

_LABELS = {
    "mrn": "MRN",
    "hpo_id": "HPO term",
    "cvx": "CVX code",
    "loinc": "LOINC code",
    "iv_antibiotics": "IV antibiotics needed",
    "iuis_category": "IUIS category (table.subtable)",
    "hgvs": "Variant (HGVS)",
    "acmg_class": "ACMG class",
    "value_text": "Result text",
    "max_rate": "Maximum rate",
    "dose_interval": "Dose interval",
}
_LIST_SEPARATOR = ","
_LONG_TEXT = 1000


@dataclass(frozen=True)
class FormField:
    """One input of a generated form.

    ``widget`` is one of text, textarea, date, datetime, number, select, checkbox, quantity,
    list (comma-separated text), group (a nested set of ``children``) or rows (repeated groups).
    """

    name: str
    label: str
    widget: str
    required: bool
    options: list[tuple[str, str]] = field(default_factory=list)
    default: Any = None
    children: list[FormField] = field(default_factory=list)
    help: str | None = None


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """The annotation without ``| None``, and whether None was allowed."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return (args[0] if len(args) == 1 else annotation), True
    return annotation, False


def _label(name: str) -> str:
    return _LABELS.get(name, name.replace("_", " ").capitalize())


def _field(name: str, info: FieldInfo) -> FormField:
    annotation, optional = _unwrap(info.annotation)
    long_text = (
        _max_length(info.metadata) > _LONG_TEXT or _max_length(typing.get_args(annotation)[1:]) > _LONG_TEXT
    )
    required = info.is_required()
    default = None if info.is_required() else info.get_default(call_default_factory=True)
    label, help_text = _label(name), info.description
    origin = typing.get_origin(annotation)
    if origin in (list, tuple):
        inner = typing.get_args(annotation)[0]
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return FormField(name, label, "rows", False, children=form_fields(inner), help=help_text)
        return FormField(name, label, "list", False, default="", help="Separate several with commas.")
    if isinstance(annotation, type) and issubclass(annotation, QuantityIn):
        return FormField(name, label, "quantity", required and not optional, help=help_text)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return FormField(name, label, "group", False, children=form_fields(annotation), help=help_text)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        options = [(m.value, getattr(m, "label", m.value.replace("_", " ").capitalize())) for m in annotation]
        value = default.value if isinstance(default, Enum) else default
        return FormField(name, label, "select", required, options, value, help=help_text)
    base = typing.get_args(annotation)[0] if typing.get_origin(annotation) is typing.Annotated else annotation
    widget = {bool: "checkbox", date: "date", datetime: "datetime", float: "number", int: "number"}.get(
        base, "textarea" if long_text else "text"
    )
    return FormField(name, label, widget, required, default=default, help=help_text)


def _max_length(metadata: typing.Iterable[Any]) -> int:
    for meta in metadata:
        length = (
            _max_length(meta.metadata) if isinstance(meta, FieldInfo) else getattr(meta, "max_length", None)
        )
        if length:
            return int(length)
    return 0


def form_fields(schema: type[BaseModel]) -> list[FormField]:
    """The inputs of a form for ``schema``, in field order."""
    return [_field(name, info) for name, info in schema.model_fields.items()]


def _number(text: str) -> float | int | str:
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text else number


def _value(spec: FormField, data: typing.Mapping[str, str], prefix: str) -> Any:
    key = prefix + spec.name
    if spec.widget == "checkbox":
        return key in data
    if spec.widget == "quantity":
        value, unit = data.get(f"{key}.value", "").strip(), data.get(f"{key}.unit", "").strip()
        return {"value": _number(value), "unit": unit} if value or unit else None
    if spec.widget == "rows":
        return _rows(spec, data, key)
    if spec.widget == "group":
        return _filled(spec, data, f"{key}.")
    text = data.get(key, "").strip()
    if spec.widget == "list":
        return [part.strip() for part in text.split(_LIST_SEPARATOR) if part.strip()]
    if not text:
        return None
    return _number(text) if spec.widget == "number" else text


def _filled(spec: FormField, data: typing.Mapping[str, str], prefix: str) -> dict[str, Any] | None:
    """The values of a group of inputs, or ``None`` when nothing was typed in it.

    Choices left at their default and unticked boxes do not count as typing; a choice without a
    default (nested ones offer a blank) counts once one is made.
    """
    values = {child.name: _value(child, data, prefix) for child in spec.children}
    typed = [child.name for child in spec.children if child.widget != "checkbox"]
    defaults = {child.name: child.default for child in spec.children if child.widget == "select"}
    if not any(
        values[name] not in (None, "", []) and (name not in defaults or values[name] != defaults[name])
        for name in typed
    ):
        return None
    return {name: value for name, value in values.items() if value is not None}


def _rows(spec: FormField, data: typing.Mapping[str, str], key: str) -> list[dict[str, Any]]:
    indices = sorted(
        {int(k.split(".")[1]) for k in data if k.startswith(f"{key}.") and k.split(".")[1].isdigit()}
    )
    rows = (_filled(spec, data, f"{key}.{index}.") for index in indices)
    return [row for row in rows if row is not None]


def parse_form(schema: type[BaseModel], data: typing.Mapping[str, str]) -> dict[str, Any]:
    """Form fields (``dose.value``, ``antibiotic_courses.0.drug`` …) as input for ``schema``.

    Empty inputs are left out, so the schema's defaults and required-field errors apply.
    """
    parsed = {spec.name: _value(spec, data, "") for spec in form_fields(schema)}
    return {name: value for name, value in parsed.items() if value is not None}


def errors_by_field(issues: list[FieldIssue]) -> dict[str, str]:
    """Issues keyed by the form input they belong to."""
    return {issue.field: issue.message for issue in issues}


def field_label(path: str, fields: list[FormField]) -> str:
    """How a field path reads on the form: ``antibiotic_courses.0.drug`` → ``Antibiotic courses 1: Drug``."""
    head, _, rest = path.partition(".")
    spec = next((f for f in fields if f.name == head), None)
    if spec is None:
        return path
    if spec.widget == "rows" and rest:
        index, _, child = rest.partition(".")
        inner = field_label(child, spec.children) if child else ""
        return (
            f"{spec.label} {int(index) + 1}" + (f": {inner}" if inner else "")
            if index.isdigit()
            else spec.label
        )
    return spec.label


def form_context(
    schema: type[BaseModel], values: typing.Mapping[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    """What a form template needs, as keyword arguments for :func:`render`.

    That is its inputs, the values typed so far (with the number of rows of each repeated group),
    the errors, and how each erroneous field reads on the form.
    """
    fields = form_fields(schema)
    shown = dict(values)
    for spec in (f for f in fields if f.widget == "rows"):
        indices = {
            k.split(".")[1] for k in values if k.startswith(f"{spec.name}.") and k.split(".")[1].isdigit()
        }
        shown[f"{spec.name}.__count"] = max(len(indices), 1)
    labels = {path: field_label(path, fields) for path in errors}
    return {"fields": fields, "values": shown, "errors": errors, "labels": labels}

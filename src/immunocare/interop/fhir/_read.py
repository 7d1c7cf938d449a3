"""Reading FHIR R4 JSON into fhir.resources (R4B) models, every problem named by its path.

A resource of the wrong type, a field FHIR does not define or a value of the wrong form is a
:class:`~immunocare.errors.ValidationError` whose issues name the path (``conditions.entry.3.resource.
onsetDateTime``), never a crash. A resource about another patient than the one asked about is
refused too: mixing two patients' data is worse than answering nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import pydantic
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.domainresource import DomainResource
from fhir.resources.R4B.reference import Reference

from immunocare.errors import FieldIssue, ValidationError

from ._report import Skipped

__all__ = ["Search", "Unused", "read_resource", "read_search", "referenced_id"]

R = TypeVar("R", bound=DomainResource)

Unused = Callable[[dict[str, Any]], str | None]
"""Why a resource (as JSON) will not be used by the mapping, or ``None`` when it will be."""

_IGNORED_ENTRIES = frozenset({"OperationOutcome"})
"""Entries a search Bundle may carry beside its matches (warnings about the search itself)."""


@dataclass(frozen=True, slots=True)
class Search(Generic[R]):
    """The resources of a search result, and those passed over unread (with the reason)."""

    resources: tuple[R, ...] = ()
    passed_over: tuple[Skipped, ...] = ()


def _issues(error: pydantic.ValidationError, field: str) -> list[FieldIssue]:
    issues = []
    for detail in error.errors():
        location = ".".join(str(part) for part in detail["loc"])
        message = str(detail["msg"]).removeprefix("Value error, ")
        issues.append(FieldIssue(f"{field}.{location}" if location else field, message))
    return issues


def referenced_id(reference: Reference | str | None, resource_type: str) -> str | None:
    """The id a reference gives for ``resource_type`` (``Patient/123``, ``https://…/Patient/123``).

    >>> referenced_id(Reference(reference="https://ehr.example/fhir/Patient/123/_history/2"), "Patient")
    '123'
    >>> referenced_id("urn:uuid:5a8e", "Patient") is None
    True
    """
    text = reference.reference if isinstance(reference, Reference) else reference
    if not text:
        return None
    parts = text.split("/")
    for index in range(len(parts) - 2, -1, -1):
        if parts[index] == resource_type:
            return parts[index + 1]
    return None


def _identity(raw: Any, model: type[R], field: str, patient_id: str | None) -> dict[str, Any]:
    """The resource as a JSON object of ``model``'s type about ``patient_id``, or the problem."""
    kind = model.__resource_type__
    if not isinstance(raw, dict):
        raise ValidationError.single(field, f"expected a FHIR {kind} resource (a JSON object)")
    if raw.get("resourceType") != kind:
        raise ValidationError.single(
            f"{field}.resourceType", f"expected {kind}, not {raw.get('resourceType')!r}"
        )
    subject = raw.get("subject")
    about = referenced_id(subject.get("reference"), "Patient") if isinstance(subject, dict) else None
    if patient_id is not None and isinstance(about, str) and about != patient_id:
        message = f"is Patient/{about}, not the patient asked about (Patient/{patient_id})"
        raise ValidationError.single(f"{field}.subject", message)
    return raw


def _validated(raw: dict[str, Any], model: type[R], field: str) -> R:
    try:
        return model.model_validate(raw)
    except pydantic.ValidationError as error:
        raise ValidationError(_issues(error, field)) from None
    except KeyError as error:  # fhir.resources' answer to a contained resource of an unknown type
        message = f"holds a resource of a type FHIR R4 does not define ({error.args[0]})"
        raise ValidationError.single(field, message) from None


def read_resource(raw: Any, model: type[R], *, field: str, patient_id: str | None = None) -> R:
    """One resource of ``model``'s type, validated by fhir.resources.

    Raises:
        ValidationError: not a JSON object, another resource type, another patient, or an invalid field.
    """
    return _validated(_identity(raw, model, field, patient_id), model, field)


def _entries(raw: dict[str, Any], field: str) -> list[Any]:
    entries = raw.get("entry", [])
    if not isinstance(entries, list):
        raise ValidationError.single(f"{field}.entry", "must be a list of entries")
    try:
        Bundle.model_validate({**raw, "entry": []})
    except pydantic.ValidationError as error:
        raise ValidationError(_issues(error, field)) from None
    return entries


def _one(
    raw: Any, model: type[R], field: str, patient_id: str | None, unused: Unused | None
) -> R | Skipped | None:
    if isinstance(raw, dict) and raw.get("resourceType") in _IGNORED_ENTRIES:
        return None
    resource = _identity(raw, model, field, patient_id)
    reason = unused(resource) if unused is not None else None
    if reason is None:
        return _validated(resource, model, field)
    name = resource.get("id")
    kind = model.__resource_type__
    return Skipped(f"{kind}/{name}" if isinstance(name, str) else f"{kind} (no id)", reason)


def read_search(
    raw: Any, model: type[R], *, field: str, patient_id: str | None = None, unused: Unused | None = None
) -> Search[R]:
    """The resources of a search result: a Bundle of ``model``'s type, one such resource, or ``None``.

    Every entry is checked for its type and patient; those ``unused`` names a reason for are passed
    over, the others validated by fhir.resources one by one (every problem is reported, not just
    the first). An OperationOutcome entry (a note about the search itself) is ignored.

    Raises:
        ValidationError: the Bundle or an entry is invalid, of another type or about another patient.
    """
    if raw is None:
        return Search()
    kind = model.__resource_type__
    if isinstance(raw, dict) and raw.get("resourceType") == kind:
        entries: list[Any] = [{"resource": raw}]
    elif isinstance(raw, dict) and raw.get("resourceType") == "Bundle":
        entries = _entries(raw, field)
    else:
        found = raw.get("resourceType") if isinstance(raw, dict) else type(raw).__name__
        raise ValidationError.single(field, f"expected a Bundle of {kind} resources, not {found!r}")
    resources: list[R] = []
    passed_over: list[Skipped] = []
    issues: list[FieldIssue] = []
    bundled = raw.get("resourceType") == "Bundle"
    for index, entry in enumerate(entries):
        where = f"{field}.entry.{index}.resource" if bundled else field
        try:
            read = _one(
                entry.get("resource") if isinstance(entry, dict) else None, model, where, patient_id, unused
            )
        except ValidationError as error:
            issues.extend(error.issues)
            continue
        if isinstance(read, Skipped):
            passed_over.append(read)
        elif read is not None:
            resources.append(read)
    if issues:
        raise ValidationError(issues)
    return Search(tuple(resources), tuple(passed_over))

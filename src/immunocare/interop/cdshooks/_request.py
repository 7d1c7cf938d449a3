"""The patient-view request: its JSON checked, and its prefetched FHIR data read into a record.

Problems are :class:`~immunocare.errors.ValidationError` naming the field (the door answers
400), except prefetched data that were not sent at all: :class:`MissingPrefetchError` (412, as
the specification asks of a service that cannot get the data it needs). immunocare does not call
the EHR's FHIR server back, so every prefetch key of the discovery document must be sent; a key
whose search found nothing is sent as ``null``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo

import pydantic
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.domainresource import DomainResource
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from pydantic import BaseModel, ConfigDict, Field

from immunocare.errors import FieldIssue, ValidationError
from immunocare.interop.fhir import (
    FhirRecord,
    Search,
    Unused,
    read_resource,
    read_search,
    record_from_fhir,
    unused_encounter,
    unused_observation,
)
from immunocare.knowledge import KnowledgeBase

__all__ = [
    "HOOK",
    "PREFETCH",
    "CdsContext",
    "CdsRequest",
    "MissingPrefetchError",
    "parse_request",
    "prefetched_record",
]

HOOK = "patient-view"
PREFETCH = {
    "patient": "Patient/{{context.patientId}}",
    "conditions": "Condition?patient={{context.patientId}}",
    "encounters": "Encounter?patient={{context.patientId}}",
    "medicationRequests": "MedicationRequest?patient={{context.patientId}}",
    "observations": "Observation?patient={{context.patientId}}",
}
"""The prefetch templates of the discovery document, by key."""

T = TypeVar("T")
R = TypeVar("R", bound=DomainResource)


class MissingPrefetchError(ValidationError):
    """Prefetched data the service needs were not sent (CDS Hooks: 412 Precondition Failed)."""


class CdsContext(BaseModel):
    """The patient-view context: who is looking at which patient."""

    model_config = ConfigDict(frozen=True, extra="allow", populate_by_name=True)

    user_id: str = Field(alias="userId", min_length=1, description="e.g. Practitioner/123")
    patient_id: str = Field(alias="patientId", min_length=1, description="The FHIR id of the patient.")
    encounter_id: str | None = Field(None, alias="encounterId")


class CdsRequest(BaseModel):
    """A CDS Hooks 2.0 service request for the patient-view hook (fields it does not define are ignored)."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    hook: Literal["patient-view"]
    hook_instance: str = Field(alias="hookInstance", min_length=1)
    fhir_server: str | None = Field(None, alias="fhirServer")
    fhir_authorization: dict[str, Any] | None = Field(None, alias="fhirAuthorization")
    context: CdsContext
    prefetch: dict[str, Any] | None = None


def _issues(error: pydantic.ValidationError) -> list[FieldIssue]:
    issues = []
    for detail in error.errors():
        location = ".".join(str(part) for part in detail["loc"]) or "(body)"
        issues.append(FieldIssue(location, str(detail["msg"]).removeprefix("Value error, ")))
    return issues


def parse_request(body: bytes) -> CdsRequest:
    """The request in a POST body.

    Raises:
        ValidationError: the body is not JSON, not an object, or lacks a required field.
    """
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValidationError.single("(body)", f"is not valid JSON ({error})") from None
    except RecursionError:
        raise ValidationError.single("(body)", "is nested too deeply to be a CDS Hooks request") from None
    if not isinstance(data, dict):
        raise ValidationError.single("(body)", "must be a JSON object: a CDS Hooks request")
    try:
        return CdsRequest.model_validate(data)
    except pydantic.ValidationError as error:
        raise ValidationError(_issues(error)) from None


def _patient(request: CdsRequest, raw: Any) -> Patient:
    patient = read_resource(raw, Patient, field="prefetch.patient")
    wanted = request.context.patient_id
    if patient.id is not None and patient.id != wanted:
        raise ValidationError.single(
            "prefetch.patient.id", f"is {patient.id!r}, but context.patientId is {wanted!r}"
        )
    return patient


def _gathering(issues: list[FieldIssue], read: Callable[[], T]) -> T | None:
    try:
        return read()
    except ValidationError as error:
        issues.extend(error.issues)
        return None


def _missing(sent: dict[str, Any]) -> list[FieldIssue]:
    missing = [
        FieldIssue(f"prefetch.{key}", f"was not sent (template {template})")
        for key, template in PREFETCH.items()
        if key not in sent
    ]
    if "patient" in sent and sent["patient"] is None:
        missing.insert(0, FieldIssue("prefetch.patient", "is null: the Patient resource is needed"))
    return missing


def prefetched_record(request: CdsRequest, kb: KnowledgeBase, zone: ZoneInfo) -> FhirRecord:
    """The record the prefetched resources describe (every key read, every problem reported).

    Raises:
        MissingPrefetchError: a prefetch key is absent, or the patient is ``null``.
        ValidationError: a resource is invalid, of the wrong type, or about another patient.
    """
    sent = request.prefetch or {}
    missing = _missing(sent)
    if missing:
        raise MissingPrefetchError(missing)
    issues: list[FieldIssue] = []
    about = request.context.patient_id

    def search(key: str, model: type[R], unused: Unused | None = None) -> Search[R]:
        field = f"prefetch.{key}"
        found = _gathering(
            issues, lambda: read_search(sent[key], model, field=field, patient_id=about, unused=unused)
        )
        return found or Search()

    patient = _gathering(issues, lambda: _patient(request, sent["patient"]))
    conditions = search("conditions", Condition)
    encounters = search("encounters", Encounter, unused_encounter)
    requests = search("medicationRequests", MedicationRequest)
    observations = search("observations", Observation, unused_observation)
    if issues or patient is None:
        raise ValidationError(issues)
    try:
        return record_from_fhir(
            patient,
            conditions=conditions.resources,
            encounters=encounters.resources,
            medication_requests=requests.resources,
            observations=observations.resources,
            passed_over=(*encounters.passed_over, *observations.passed_over),
            kb=kb,
            zone=zone,
        )
    except ValidationError as error:
        raise error.prefixed("prefetch.patient") from None

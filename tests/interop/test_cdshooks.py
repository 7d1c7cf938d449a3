"""CDS Hooks: the discovery document, request validation, and the cards for what Recognize found."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fhir.resources.R4B.servicerequest import ServiceRequest

from immunocare.clinical.criteria import Evaluation
from immunocare.clinical.recognize import recognize
from immunocare.errors import ValidationError
from immunocare.interop.cdshooks import (
    SERVICE_ID,
    SUMMARY_LIMIT,
    MissingPrefetchError,
    cds_response,
    discovery,
    parse_request,
    prefetched_record,
)
from immunocare.knowledge import KnowledgeBase

from .builders import (
    HPO,
    PATIENT_ID,
    cds_request,
    condition,
    healthy_prefetch,
    medication_request,
    observation,
    patient,
    prefetch,
    sick_prefetch,
)

AS_OF = date(2026, 11, 20)
Json = dict[str, Any]


def cards(kb: KnowledgeBase, request: Json) -> list[Json]:
    """The cards for a request, as the service computes them (without the login and the audit)."""
    parsed = parse_request(json.dumps(request).encode())
    mapped = prefetched_record(parsed, kb, ZoneInfo("Europe/Amsterdam"))
    found: list[Json] = cds_response(parsed, mapped, recognize(Evaluation(mapped.record, kb, AS_OF)), kb)[
        "cards"
    ]
    return found


def test_the_discovery_document_has_the_specifications_shape() -> None:
    (service,) = discovery()["services"]

    assert set(service) == {"hook", "id", "title", "description", "prefetch"}
    assert (service["hook"], service["id"]) == ("patient-view", SERVICE_ID)
    assert all(isinstance(v, str) and v for v in (service["title"], service["description"]))
    assert set(service["prefetch"]) == {
        "patient",
        "conditions",
        "encounters",
        "medicationRequests",
        "observations",
    }
    assert all("{{context.patientId}}" in template for template in service["prefetch"].values())


# --- the request -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (b"", "(body)", "is not valid JSON"),
        (b"{'hook': 'patient-view'}", "(body)", "is not valid JSON"),
        (b"\xff\xfe", "(body)", "is not valid JSON"),
        (b"[]", "(body)", "must be a JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, "(body)", "nested too deeply"),
        (json.dumps({**cds_request(None), "hook": "order-select"}).encode(), "hook", "'patient-view'"),
        (
            json.dumps({k: v for k, v in cds_request(None).items() if k != "hookInstance"}).encode(),
            "hookInstance",
            "required",
        ),
        (
            json.dumps({**cds_request(None), "context": {"userId": "Practitioner/1"}}).encode(),
            "context.patientId",
            "required",
        ),
        (json.dumps({**cds_request(None), "prefetch": ["patient"]}).encode(), "prefetch", "dictionary"),
    ],
    ids=[
        "an-empty-body",
        "single-quoted-pseudo-json",
        "not-utf-8",
        "a-list",
        "nested-a-hundred-thousand-deep",
        "another-hook",
        "no-hook-instance",
        "no-patient-in-the-context",
        "prefetch-not-an-object",
    ],
)
def test_a_malformed_request_is_refused_naming_the_field(body: bytes, field: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_request(body)

    assert any(i.field == field and message in i.message for i in caught.value.issues), str(caught.value)


def test_the_specifications_example_request_is_accepted() -> None:
    request = parse_request(json.dumps(cds_request(sick_prefetch())).encode())

    assert (request.hook, request.context.patient_id, request.context.user_id) == (
        "patient-view",
        PATIENT_ID,
        "Practitioner/example",
    )


@pytest.mark.parametrize(
    ("prefetched", "fields"),
    [
        (None, ["patient", "conditions", "encounters", "medicationRequests", "observations"]),
        ({k: v for k, v in prefetch().items() if k != "encounters"}, ["encounters"]),
        ({**prefetch(), "patient": None}, ["patient"]),
    ],
    ids=["no-prefetch-at-all", "one-key-not-sent", "a-null-patient"],
)
def test_missing_prefetch_is_a_precondition_failure(
    kb: KnowledgeBase, prefetched: Json | None, fields: list[str]
) -> None:
    request = parse_request(json.dumps(cds_request(prefetched)).encode())

    with pytest.raises(MissingPrefetchError) as caught:
        prefetched_record(request, kb, ZoneInfo("UTC"))

    assert [i.field for i in caught.value.issues] == [f"prefetch.{f}" for f in fields]


@pytest.mark.parametrize(
    ("prefetched", "field", "message"),
    [
        (
            prefetch(the_patient=patient(patient_id="someone-else")),
            "prefetch.patient.id",
            "context.patientId is",
        ),
        (prefetch(the_patient=patient(birth="2021")), "prefetch.patient.birthDate", "a full birth date"),
        ({**prefetch(), "conditions": patient()}, "prefetch.conditions", "expected a Bundle of Condition"),
        (
            prefetch(observations=(observation("2465-3", 6.1, "g/L", "2025-12-01", valueString="6.1"),)),
            "prefetch.observations.entry.0.resource",
            "but got multiple",
        ),
    ],
    ids=["another-patient", "a-birth-year-only", "a-patient-for-conditions", "two-values-in-one-observation"],
)
def test_bad_prefetched_data_is_refused_naming_the_field(
    kb: KnowledgeBase, prefetched: Json, field: str, message: str
) -> None:
    request = parse_request(json.dumps(cds_request(prefetched)).encode())

    with pytest.raises(ValidationError) as caught:
        prefetched_record(request, kb, ZoneInfo("UTC"))

    assert not isinstance(caught.value, MissingPrefetchError)
    assert any(i.field.startswith(field) and message in i.message for i in caught.value.issues), str(
        caught.value
    )


# --- the cards ---------------------------------------------------------------------------------


def test_a_child_with_three_warning_signs_gets_a_referral_card(kb: KnowledgeBase) -> None:
    (card,) = cards(kb, cds_request(sick_prefetch()))

    assert len(card["summary"]) < SUMMARY_LIMIT
    assert (
        card["summary"]
        == "Consider referral to immunology: 3 of 10 warning signs of primary immunodeficiency"
    )
    assert card["indicator"] == "warning"
    for shown in (
        "Sign 1:",
        "Sign 4:",
        "Sign 8:",
        "(Condition/pneu-1, MedicationRequest/",
        "**Sources**",
        "HIV test",
    ):
        assert shown in card["detail"]
    assert card["source"]["label"].startswith("Jeffrey Modell Foundation")
    assert card["source"]["url"].startswith("http")
    assert card["selectionBehavior"] == "at-most-one"


def test_the_referral_suggestion_is_a_valid_draft_service_request(kb: KnowledgeBase) -> None:
    (card,) = cards(kb, cds_request(sick_prefetch()))

    (suggestion,) = card["suggestions"]
    (action,) = suggestion["actions"]
    referral = ServiceRequest.model_validate(action["resource"])
    assert (suggestion["label"], action["type"]) == ("Refer to immunology", "create")
    assert (referral.status, referral.intent, referral.priority) == ("draft", "proposal", "routine")
    assert referral.subject is not None and referral.subject.reference == f"Patient/{PATIENT_ID}"


def test_a_healthy_child_gets_no_card(kb: KnowledgeBase) -> None:
    assert cards(kb, cds_request(healthy_prefetch())) == []


def test_an_infant_with_lymphopenia_gets_an_urgent_critical_card(kb: KnowledgeBase) -> None:
    lymphocytes = observation("26474-7", 2.1, "10*9/L", "2026-11-01T09:00:00Z", display="Lymphocytes")

    (card,) = cards(
        kb, cds_request(prefetch(the_patient=patient(birth="2026-03-01"), observations=(lymphocytes,)))
    )

    assert card["summary"].startswith("Urgent: consider referral to immunology: Lymphopenia")
    assert card["indicator"] == "critical"
    assert card["suggestions"][0]["actions"][0]["resource"]["priority"] == "urgent"


def test_no_referral_card_once_an_immunodeficiency_is_diagnosed(kb: KnowledgeBase) -> None:
    sick = sick_prefetch()
    sick["conditions"]["entry"].append({"resource": condition("D80.0", "2025-12-15", display="XLA")})

    assert cards(kb, cds_request(sick)) == []


def test_rituximab_without_immunoglobulins_gets_a_secondary_immunodeficiency_card(kb: KnowledgeBase) -> None:
    rituximab = medication_request("rituximab", "2026-01-10", 1, atc="L01FA01")

    (card,) = cards(kb, cds_request(prefetch(medication_requests=(rituximab,))))

    assert card["summary"].startswith("Secondary immunodeficiency watch:")
    assert card["indicator"] == "warning"
    assert "Measure IgG, IgA, IgM" in card["detail"]
    assert "suggestions" not in card


def test_text_from_the_ehr_cannot_become_markup(kb: KnowledgeBase) -> None:
    rituximab = medication_request(
        "rituximab [see](javascript:alert(1)) <img src=x>", "2026-01-10", 1, atc="L01FA01"
    )

    (card,) = cards(kb, cds_request(prefetch(medication_requests=(rituximab,))))

    assert "\\[see\\](javascript:alert(1)) \\<img src=x\\>" in card["detail"]
    assert "<img" not in card["detail"].replace("\\<img", "")


def test_the_hpo_is_acknowledged_when_phenotypes_were_read(kb: KnowledgeBase) -> None:
    bronchiectasis = condition("HP:0002110", "2025-04-01", system=HPO, display="Bronchiectasis")

    (card,) = cards(kb, cds_request(prefetch(conditions=(bronchiectasis,))))

    assert "More than one pneumonia, or bronchiectasis" in card["summary"]
    assert card["detail"].endswith(kb.hpo.acknowledgement)


def test_card_ids_are_stable_for_one_hook_call_and_differ_between_calls(kb: KnowledgeBase) -> None:
    first, again = (cards(kb, cds_request(sick_prefetch(), hook_instance="a"))[0] for _ in range(2))
    other = cards(kb, cds_request(sick_prefetch(), hook_instance="b"))[0]

    assert first["uuid"] == again["uuid"] != other["uuid"]

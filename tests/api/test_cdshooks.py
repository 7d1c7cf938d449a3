"""The CDS Hooks door through the real app: discovery, cards, errors an EHR can read, login and audit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from immunocare import services
from immunocare.services import Actor
from tests.interop.builders import cds_request, condition, healthy_prefetch, patient, prefetch, sick_prefetch

from .conftest import World

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "cds-hooks"
SERVICE = "/cds-services/immunodeficiency-warning-signs"
Json = dict[str, Any]


def post(world: World, body: Json | bytes, username: str | None = "physician") -> Any:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json", **world.as_(username)}
    return world.client.post(SERVICE, content=content, headers=headers)


def test_discovery_needs_no_login_and_lists_the_service(world: World) -> None:
    response = world.client.get("/cds-services")

    assert response.status_code == 200
    (service,) = response.json()["services"]
    assert {"hook", "id", "title", "description", "prefetch"} <= set(service)
    assert world.client.post(f"/cds-services/{service['id']}").status_code != 404


def test_a_child_with_warning_signs_gets_a_card_and_a_healthy_one_none(world: World) -> None:
    sick, healthy = post(world, cds_request(sick_prefetch())), post(world, cds_request(healthy_prefetch()))

    assert (sick.status_code, healthy.status_code) == (200, 200)
    assert [card["indicator"] for card in sick.json()["cards"]] == ["warning"]
    assert healthy.json() == {"cards": []}


@pytest.mark.parametrize(
    ("body", "status", "field", "message"),
    [
        (b"{not json", 400, "(body)", "is not valid JSON"),
        ({**cds_request(None), "hook": "order-sign"}, 400, "hook", "patient-view"),
        (cds_request(None), 412, "prefetch.patient", "was not sent"),
        (
            {
                **cds_request(prefetch()),
                "prefetch": {**prefetch(), "conditions": None, "encounters": patient()},
            },
            400,
            "prefetch.encounters",
            "expected a Bundle of Encounter",
        ),
        (
            cds_request(prefetch(conditions=(condition("H66.90", "2025-02-30"),))),
            400,
            "prefetch.conditions.entry.0.resource.onsetDateTime",
            "",
        ),
    ],
    ids=[
        "malformed-json",
        "another-hook",
        "missing-prefetch",
        "a-resource-of-the-wrong-type",
        "an-impossible-onset-date",
    ],
)
def test_a_bad_request_gets_a_clear_problem_not_a_crash(
    world: World, body: Json | bytes, status: int, field: str, message: str
) -> None:
    response = post(world, body)

    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    assert any(e["field"] == field and message in e["message"] for e in problem["errors"]), problem


@pytest.mark.parametrize(
    ("username", "status"),
    [(None, 401), ("researcher", 403), ("patient", 403), ("nurse", 200), ("physician", 200)],
    ids=["no-token", "researcher", "patient", "nurse", "physician"],
)
def test_a_cds_call_needs_a_clinical_api_token(world: World, username: str | None, status: int) -> None:
    response = post(world, cds_request(sick_prefetch()), username)

    assert response.status_code == status
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_an_unauthenticated_call_is_refused_before_its_body_is_read(world: World) -> None:
    assert post(world, b"{not json", None).status_code == 401


def test_the_call_is_audited_as_a_read_naming_the_fhir_patient(world: World) -> None:
    post(world, cds_request(sick_prefetch()))

    entries = services.list_audit_entries(world.ctx, actor=Actor.command_line("test"), action="read")
    (entry,) = [e for e in entries if e.detail and e.detail.startswith("CDS Hooks")]
    assert (entry.username, entry.outcome, entry.patient_id) == ("physician", "ok", None)
    assert entry.detail is not None
    assert "FHIR Patient/synthetic-child-1 from https://ehr.example.org/fhir" in entry.detail
    assert "1 card(s)" in entry.detail


def test_the_examples_in_the_docs_are_what_the_service_answers(world: World) -> None:
    request = json.loads((EXAMPLES / "patient-view-request.json").read_text(encoding="utf-8"))
    expected = json.loads((EXAMPLES / "patient-view-response.json").read_text(encoding="utf-8"))
    discovery = json.loads((EXAMPLES / "discovery.json").read_text(encoding="utf-8"))

    assert world.client.get("/cds-services").json() == discovery
    answer = post(world, request).json()
    shape = ("uuid", "summary", "indicator", "source", "selectionBehavior")
    assert [{k: c.get(k) for k in shape} for c in answer["cards"]] == [
        {k: c.get(k) for k in shape} for c in expected["cards"]
    ], "examples/cds-hooks/ drifted from what the service answers"

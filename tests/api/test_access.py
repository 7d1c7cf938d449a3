"""Who may see what through the API, and the audit trail every attempt leaves."""

from __future__ import annotations

import pytest

from immunocare import services
from immunocare.services import Actor

from .conftest import World


def audit_rows(world: World, patient_id: int) -> list[tuple[str | None, str, str]]:
    entries = services.list_audit_entries(world.ctx, actor=Actor.command_line("test"), patient_id=patient_id)
    return [(e.username, e.action, e.outcome) for e in entries]


def test_unauthenticated_request_gets_401_and_is_audited(world: World) -> None:
    response = world.client.get(f"/api/patients/{world.other_patient}")

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Not authenticated"
    assert (None, "read", "unauthenticated") in audit_rows(world, world.other_patient)


def test_patient_reading_another_patient_gets_403_and_is_audited(world: World) -> None:
    response = world.client.get(f"/api/patients/{world.other_patient}/labs", headers=world.as_("patient"))

    assert response.status_code == 403
    assert ("patient", "read", "denied") in audit_rows(world, world.other_patient)


def test_patient_reads_their_own_record(world: World) -> None:
    response = world.client.get(f"/api/patients/{world.own_patient}", headers=world.as_("patient"))

    assert response.status_code == 200
    assert response.json()["mrn"] == "API-1"
    assert ("patient", "read", "ok") in audit_rows(world, world.own_patient)


def test_an_invalid_token_is_treated_as_no_login(world: World) -> None:
    response = world.client.get("/api/patients", headers={"Authorization": "Bearer ic_forged"})

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("username", "method", "path", "status"),
    [
        ("physician", "GET", "/api/patients", 200),
        ("nurse", "GET", "/api/patients", 200),
        ("researcher", "GET", "/api/patients", 403),
        ("patient", "GET", "/api/patients", 403),
        ("nurse", "GET", "/api/users", 403),
        ("admin", "GET", "/api/users", 200),
        ("physician", "GET", "/api/audit", 403),
        ("admin", "GET", "/api/audit", 200),
        ("researcher", "GET", "/api/knowledge", 200),
    ],
    ids=[
        "physician-lists",
        "nurse-lists",
        "researcher-may-not-list",
        "patient-may-not-list",
        "nurse-no-users",
        "admin-users",
        "physician-no-audit",
        "admin-audit",
        "researcher-reads-knowledge",
    ],
)
def test_role_policy(world: World, username: str, method: str, path: str, status: int) -> None:
    assert world.client.request(method, path, headers=world.as_(username)).status_code == status


@pytest.mark.parametrize(
    ("username", "kind", "status"),
    [
        ("physician", "diagnoses", 201),
        ("nurse", "infections", 201),
        ("nurse", "diagnoses", 403),
        ("patient", "infusions", 201),
        ("patient", "diagnoses", 403),
    ],
    ids=[
        "physician-diagnosis",
        "nurse-infection",
        "nurse-no-diagnosis",
        "patient-home-infusion",
        "patient-no-diagnosis",
    ],
)
def test_who_may_write_what(world: World, username: str, kind: str, status: int) -> None:
    body = {
        "diagnoses": {"code": "D83.9", "system": "ICD-10-CM", "display": "Common variable immunodeficiency"},
        "infections": {"onset": "2026-10-01", "site": "sinus"},
        "infusions": {
            "product": "Hizentra",
            "route": "sc",
            "given_on": "2026-11-10",
            "dose": {"value": 8, "unit": "g"},
            "setting": "home",
            "sites": 2,
        },
    }[kind]
    response = world.client.post(
        f"/api/patients/{world.own_patient}/{kind}", json=body, headers=world.as_(username)
    )

    assert response.status_code == status, response.text

"""/api/patients/{id}/assessment and /api/worklist through the real app, for every role."""

from __future__ import annotations

from typing import Any

import pytest

from immunocare import services
from immunocare.services import Actor

from .conftest import World

CHILD_WITH_SIGNS: dict[str, Any] = {
    "patient": {
        "mrn": "API-3",
        "family_name": "Garcia",
        "given_names": "Mateo",
        "birth_date": "2023-09-22",
        "sex": "male",
    },
    "infections": [
        {"onset": day, "site": "ear", "severity": "moderate", "pathogen_class": "bacterial"}
        for day in ("2025-12-01", "2026-02-01", "2026-05-01", "2026-09-01")
    ]
    + [
        {"onset": day, "site": "lung", "severity": "severe", "hospitalised": True, "iv_antibiotics": True}
        for day in ("2026-03-10", "2026-08-10")
    ],
}


def add_child(world: World) -> int:
    response = world.client.post("/api/records", json=CHILD_WITH_SIGNS, headers=world.as_("physician"))
    assert response.status_code == 201, response.text
    patient_id: int = response.json()["id"]
    return patient_id


def test_the_assessment_of_a_patient_as_json(world: World) -> None:
    patient_id = add_child(world)

    response = world.client.get(f"/api/patients/{patient_id}/assessment", headers=world.as_("physician"))

    assert response.status_code == 200
    body = response.json()
    assert (body["patient_id"], body["as_of"]) == (patient_id, "2026-11-20")
    assert [s["key"] for s in body["sections"]] == [
        "warning_signs",
        "secondary",
        "laboratory",
        "classification",
        "workup",
        "imaging",
        "genetics",
        "immunoglobulin",
        "vaccination",
        "prophylaxis",
        "curative",
        "differential",
        "care_plan",
    ]
    signs = body["sections"][0]["findings"][0]
    assert (signs["rule_id"], signs["status"]) == ("jmf_children", "met")
    assert [p["rule_id"] for p in signs["parts"] if p["status"] == "met"] == [
        "jmf_children_1",
        "jmf_children_4",
        "jmf_children_8",
    ]


def test_as_of_reads_the_record_as_it_was(world: World) -> None:
    patient_id = add_child(world)

    response = world.client.get(
        f"/api/patients/{patient_id}/assessment",
        params={"as_of": "2026-04-01"},
        headers=world.as_("physician"),
    )

    signs = response.json()["sections"][0]["findings"][0]
    assert response.json()["as_of"] == "2026-04-01"
    # by then: two ear infections and one pneumonia, with IV antibiotics
    assert [p["rule_id"] for p in signs["parts"] if p["status"] == "met"] == ["jmf_children_8"]
    assert signs["status"] != "met"


@pytest.mark.parametrize(
    ("as_of", "message"),
    [("1987-01-01", "is before the patient's birth date"), ("2026-11-21", "is in the future")],
    ids=["before-birth", "tomorrow"],
)
def test_an_impossible_as_of_is_refused(world: World, as_of: str, message: str) -> None:
    response = world.client.get(
        f"/api/patients/{world.own_patient}/assessment",
        params={"as_of": as_of},
        headers=world.as_("physician"),
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "as_of"
    assert message in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("username", "own", "status"),
    [
        ("physician", False, 200),
        ("nurse", False, 200),
        ("patient", True, 200),
        ("patient", False, 403),
        ("researcher", True, 403),
        (None, True, 401),
    ],
    ids=["physician", "nurse", "patient-own-record", "patient-other-record", "researcher", "anonymous"],
)
def test_who_may_read_an_assessment(world: World, username: str | None, own: bool, status: int) -> None:
    patient_id = world.own_patient if own else world.other_patient

    response = world.client.get(f"/api/patients/{patient_id}/assessment", headers=world.as_(username))

    assert response.status_code == status


def test_the_worklist_lists_the_child_with_signs(world: World) -> None:
    patient_id = add_child(world)

    response = world.client.get("/api/worklist", headers=world.as_("nurse"))

    assert response.status_code == 200
    body = response.json()
    assert (body["as_of"], body["screened"]) == ("2026-11-20", 3)
    [entry] = body["entries"]
    assert entry["patient"]["id"] == patient_id
    assert (entry["sign_list"], entry["signs_in_list"], entry["latest"]) == ("jmf_children", 10, "2026-09-01")
    assert [(s["rule_id"], s["latest"]) for s in entry["signs"]] == [
        ("jmf_children_1", "2026-09-01"),
        ("jmf_children_4", "2026-08-10"),
        ("jmf_children_8", "2026-08-10"),
    ]
    audit = services.list_audit_entries(world.ctx, actor=Actor.command_line("t"), patient_id=patient_id)
    assert any(e.username == "nurse" and e.detail == "worklist: 3 warning signs met" for e in audit)


@pytest.mark.parametrize(
    ("username", "status"),
    [("admin", 200), ("physician", 200), ("patient", 403), ("researcher", 403), (None, 401)],
    ids=["admin", "physician", "patient", "researcher", "anonymous"],
)
def test_who_may_see_the_worklist(world: World, username: str | None, status: int) -> None:
    assert world.client.get("/api/worklist", headers=world.as_(username)).status_code == status

"""Record items through the JSON API: validation as problem details, limits, documents, OpenAPI."""

from __future__ import annotations

from typing import Any

import pytest

from immunocare.domain import ItemKind

from .conftest import World


def post(world: World, kind: str, body: dict[str, Any]) -> Any:
    return world.client.post(
        f"/api/patients/{world.own_patient}/{kind}", json=body, headers=world.as_("physician")
    )


@pytest.mark.parametrize(
    ("kind", "body", "field"),
    [
        (
            "labs",
            {
                "loinc": "2465-3",
                "analyte": "IgG",
                "collected_at": "2026-01-01T09:00:00",
                "value": {"value": "6.5", "unit": "g/L"},
            },
            "value.value",
        ),
        (
            "labs",
            {
                "loinc": "2465-3",
                "analyte": "IgG",
                "collected_at": "2026-01-01T09:00:00",
                "value": {"value": 5000, "unit": "g/L"},
            },
            "value",
        ),
        ("infections", {"site": "ear"}, "onset"),
        ("infections", {"onset": "2026-01-01", "site": "ear", "hospitalised": "yes"}, "hospitalised"),
        ("infections", {"onset": "2026-01-01", "site": "elbow"}, "site"),
        ("infections", {"onset": "2026-01-01", "site": "ear", "colour": "blue"}, "colour"),
        ("infections", {"onset": "not a date", "site": "ear"}, "onset"),
    ],
    ids=[
        "number-as-string",
        "igg-5000",
        "missing-onset",
        "bool-as-string",
        "unknown-site",
        "unknown-field",
        "malformed-date",
    ],
)
def test_bad_input_is_a_422_problem_naming_the_field(
    world: World, kind: str, body: dict[str, Any], field: str
) -> None:
    response = post(world, kind, body)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]
    listed = world.client.get(f"/api/patients/{world.own_patient}/{kind}", headers=world.as_("physician"))
    assert listed.json() == []


def test_an_oversized_payload_is_refused(world: World) -> None:
    notes = "x" * (world.ctx.settings.max_body_bytes + 1)
    response = post(world, "infections", {"onset": "2026-01-01", "site": "ear", "notes": notes})

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


def test_unknown_patient_is_404(world: World) -> None:
    response = world.client.get("/api/patients/999999", headers=world.as_("physician"))

    assert response.status_code == 404


def test_item_lifecycle(world: World) -> None:
    created = post(world, "infections", {"onset": "2026-10-01", "site": "lung", "hospitalised": True})
    assert created.status_code == 201
    path = f"/api/patients/{world.own_patient}/infections/{created.json()['id']}"
    headers = world.as_("physician")

    replaced = world.client.put(
        path, json={"onset": "2026-10-01", "site": "lung", "severity": "severe"}, headers=headers
    )
    assert (replaced.status_code, replaced.json()["severity"], replaced.json()["hospitalised"]) == (
        200,
        "severe",
        False,
    )
    assert world.client.delete(path, headers=headers).status_code == 204
    assert world.client.get(path, headers=headers).status_code == 404


def test_export_and_import_a_record_document(world: World) -> None:
    headers = world.as_("physician")
    post(
        world,
        "labs",
        {
            "loinc": "2465-3",
            "analyte": "IgG",
            "collected_at": "2026-01-01T09:00:00+01:00",
            "value": {"value": 3.1, "unit": "g/L"},
        },
    )
    document = world.client.get(f"/api/patients/{world.own_patient}/record", headers=headers).json()
    document["patient"]["mrn"] = "API-COPY"

    imported = world.client.post("/api/records", json=document, headers=headers)

    assert imported.status_code == 201
    copy = world.client.get(f"/api/patients/{imported.json()['id']}/labs", headers=headers).json()
    assert [(lab["value"], lab["collected_at"]) for lab in copy] == [
        ({"value": 3.1, "unit": "g/L"}, "2026-01-01T08:00:00Z")
    ]


def test_schema_and_openapi_are_published(world: World) -> None:
    schema = world.client.get("/api/schema").json()
    openapi = world.client.get("/openapi.json").json()

    assert schema["$schema"].endswith("2020-12/schema")
    assert set(schema["properties"]) >= {kind.value for kind in ItemKind} | {"patient"}
    assert {f"/api/patients/{{patient_id}}/{kind.value}" for kind in ItemKind} <= set(openapi["paths"])

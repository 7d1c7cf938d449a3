"""/api/patients/{id}/care-plan: JSON, decisions and the FHIR CarePlan, through the real app, by role."""

from __future__ import annotations

import pytest
from fhir.resources.R4B.careplan import CarePlan

from .conftest import World

GOAL = "goal.goal_prevent_infections"
FEVER = "infection.infection_fever"
XLA = {
    "code": "D80.0",
    "system": "ICD-10-CM",
    "display": "X-linked agammaglobulinemia",
    "iuis_category": "3.1",
}


@pytest.fixture(autouse=True)
def _xla(world: World) -> None:
    """The own patient has a known immunodeficiency, so the plan has its goals and infection plan."""
    url = f"/api/patients/{world.own_patient}/diagnoses"
    response = world.client.post(
        url, json=XLA | {"diagnosed_on": "2019-03-15"}, headers=world.as_("physician")
    )
    assert response.status_code == 201, response.text


def test_decisions_show_in_the_json_plan_and_the_fhir_careplan(world: World) -> None:
    base = f"/api/patients/{world.own_patient}/care-plan"
    edit = {"item_id": FEVER, "decision": "edited", "text": "Call the ward.", "note": "Local pathway."}
    for body in ({"item_id": GOAL, "decision": "rejected", "note": "Not now."}, edit):
        response = world.client.post(f"{base}/decisions", json=body, headers=world.as_("physician"))
        assert response.status_code == 201, response.text
    plan = world.client.get(base, headers=world.as_("physician")).json()
    items = {i["id"]: i for i in plan["items"]}
    assert items[FEVER]["text"] == "Call the ward." and items[FEVER]["decision"]["decision"] == "edited"
    assert items[GOAL]["decision"]["note"] == "Not now." and not items[GOAL]["verified"]
    assert [h["item_id"] for h in plan["history"]] == [GOAL, FEVER]

    fhir = world.client.get(f"{base}/fhir", headers=world.as_("physician")).json()
    resource = CarePlan.model_validate(fhir)
    assert (resource.intent, resource.status) == ("proposal", "active")
    goals = {g.identifier[0].value: g.lifecycleStatus for g in resource.contained}
    assert goals[GOAL] == "rejected" and goals["goal.goal_daily_life"] == "proposed"
    fever = next(a.detail for a in resource.activity if a.detail.description.startswith("Call the ward."))
    assert fever.status == "scheduled" and fever.statusReason.text == "Local pathway."
    assert fever.description.endswith("(unverified knowledge)")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"item_id": "therapy.nowhere.x", "decision": "accepted"}, "item_id"),
        ({"item_id": GOAL, "decision": "ordered"}, "decision"),
        ({"item_id": GOAL, "decision": "edited", "text": "  "}, "text"),
    ],
    ids=["unknown-item", "unknown-decision", "empty-edit"],
)
def test_a_bad_decision_is_a_422_naming_the_field(world: World, body: dict[str, str], field: str) -> None:
    url = f"/api/patients/{world.own_patient}/care-plan/decisions"
    response = world.client.post(url, json=body, headers=world.as_("physician"))
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]
    plan = world.client.get(f"/api/patients/{world.own_patient}/care-plan", headers=world.as_("physician"))
    assert plan.json()["history"] == []


@pytest.mark.parametrize(
    ("username", "read", "decide"),
    [("physician", 200, 201), ("patient", 200, 403), ("researcher", 403, 403), (None, 401, 401)],
    ids=["physician", "patient-own-record", "researcher", "anonymous"],
)
def test_who_may_read_and_decide(world: World, username: str | None, read: int, decide: int) -> None:
    url = f"/api/patients/{world.own_patient}/care-plan"
    assert world.client.get(url, headers=world.as_(username)).status_code == read
    body = {"item_id": GOAL, "decision": "accepted"}
    assert world.client.post(f"{url}/decisions", json=body, headers=world.as_(username)).status_code == decide

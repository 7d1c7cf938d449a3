"""The care-plan use cases: the plan of a stored patient, and decisions that are checked, kept and audited."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from immunocare import services
from immunocare.clinical.careplan import Decision, PlanItemKind
from immunocare.domain import ItemKind, Sex
from immunocare.errors import PermissionDeniedError, ValidationError
from immunocare.services import Actor, ServiceContext
from immunocare.services.care_plans import care_plan_patient, decide_care_plan_item
from immunocare.services.schemas import ITEM_SCHEMAS, PatientIn, PatientOut
from tests.conftest import NOW

GOAL = "goal.goal_prevent_infections"
INFECTION = "infection.infection_fever"


@pytest.fixture
def patient(ctx: ServiceContext, physician: Actor) -> PatientOut:
    data = PatientIn(
        mrn="MRN-7", family_name="Novak", given_names="Tomas", birth_date=date(2015, 6, 1), sex=Sex.MALE
    )
    out = services.create_patient(ctx, actor=physician, data=data)
    raw: dict[str, Any] = {
        "code": "D80.0",
        "system": "ICD-10-CM",
        "display": "X-linked agammaglobulinemia",
        "iuis_category": "3.1",
        "diagnosed_on": "2019-03-15",
    }
    diagnosis = ITEM_SCHEMAS[ItemKind.DIAGNOSES].schema_in.model_validate(raw)
    services.add_item(ctx, actor=physician, patient_id=out.id, kind=ItemKind.DIAGNOSES, data=diagnosis)
    return out


def test_decisions_are_kept_and_the_latest_holds(
    ctx: ServiceContext, physician: Actor, patient: PatientOut
) -> None:
    decide_care_plan_item(ctx, actor=physician, patient_id=patient.id, item_id=GOAL, decision="accepted")
    decide_care_plan_item(
        ctx,
        actor=physician,
        patient_id=patient.id,
        item_id=GOAL,
        decision="edited",
        text="Fewer than two antibiotic courses a year.",
        note="Agreed with the family.",
    )
    decide_care_plan_item(ctx, actor=physician, patient_id=patient.id, item_id=INFECTION, decision="rejected")
    result = care_plan_patient(ctx, actor=physician, patient_id=patient.id)
    by_id = {d.item.id: d for d in result.items}
    goal = by_id[GOAL]
    assert goal.decision is not None and goal.decision.decision is Decision.EDITED
    assert (
        goal.text == "Fewer than two antibiotic courses a year."
        and goal.decision.note == "Agreed with the family."
    )
    assert goal.decision.decided_by == physician.username and goal.decision.decided_at == NOW
    assert by_id[INFECTION].decision is not None and by_id[INFECTION].decision.decision is Decision.REJECTED
    assert [d.decision for d in result.history] == [Decision.ACCEPTED, Decision.EDITED, Decision.REJECTED]
    undecided = [d for d in result.items if d.decision is None]
    assert undecided and all(d.text == d.item.text for d in undecided)
    assert result.plan.of_kind(PlanItemKind.MONITORING) == ()  # no immunoglobulin given yet


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"item_id": "therapy.nowhere.x", "decision": "accepted"}, "item_id", "not an item"),
        ({"item_id": GOAL, "decision": "ordered"}, "decision", "accepted, edited, rejected"),
        ({"item_id": GOAL, "decision": "edited", "text": ""}, "text", "changed text"),
    ],
    ids=["unknown-item", "unknown-decision", "empty-edit"],
)
def test_bad_decisions_name_the_field_and_nothing_stored_is_lost(
    ctx: ServiceContext, physician: Actor, patient: PatientOut, fields: dict[str, str], field: str, words: str
) -> None:
    decide_care_plan_item(ctx, actor=physician, patient_id=patient.id, item_id=GOAL, decision="accepted")
    with pytest.raises(ValidationError) as caught:
        decide_care_plan_item(ctx, actor=physician, patient_id=patient.id, **fields)
    assert caught.value.issues[0].field == field and words in caught.value.issues[0].message
    history = care_plan_patient(ctx, actor=physician, patient_id=patient.id).history
    assert [(d.item_id, d.decision) for d in history] == [(GOAL, Decision.ACCEPTED)]


def test_decisions_are_authorized_and_audited(
    ctx: ServiceContext, physician: Actor, researcher: Actor, admin: Actor, patient: PatientOut
) -> None:
    with pytest.raises(PermissionDeniedError):
        decide_care_plan_item(ctx, actor=researcher, patient_id=patient.id, item_id=GOAL, decision="accepted")
    decide_care_plan_item(ctx, actor=physician, patient_id=patient.id, item_id=GOAL, decision="accepted")
    updates = services.list_audit_entries(ctx, actor=admin, patient_id=patient.id, action="update")
    assert [(e.outcome, e.detail) for e in updates] == [
        ("ok", f"care plan item {GOAL}: accepted"),
        ("denied", "refused: update"),
    ]

"""Care-plan decisions are stored as a history on SQLite and PostgreSQL, and the database checks them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from immunocare.clinical.careplan import Decision, PlanDecision
from immunocare.errors import NotFoundError, ValidationError
from immunocare.store import CarePlanRepository, PatientRepository
from tests.factories import make_patient

AT = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
ITEM = "therapy.immunoglobulin.ig_dose_raise"


def test_decisions_are_kept_in_order_and_none_is_lost(db_session_factory: sessionmaker[Session]) -> None:
    with db_session_factory.begin() as session:
        patient = PatientRepository(session).add(patient=make_patient())
        assert patient.id is not None
        plans = CarePlanRepository(session)
        edited = PlanDecision(
            item_id=ITEM,
            decision=Decision.EDITED,
            decided_at=AT + timedelta(hours=1),
            decided_by="dr.jenner",
            text="Raise to 0.5 g/kg.",
            note="Two pneumonias.",
        )
        accepted = PlanDecision(
            item_id=ITEM, decision=Decision.ACCEPTED, decided_at=AT, decided_by="dr.jenner"
        )
        stored = [plans.add_decision(patient_id=patient.id, decision=d) for d in (edited, accepted)]
        assert all(d.id is not None for d in stored)
    with db_session_factory.begin() as session:
        listed = CarePlanRepository(session).decisions(patient_id=patient.id)
    assert [(d.decision, d.decided_at, d.text, d.note) for d in listed] == [
        (Decision.ACCEPTED, AT, None, None),
        (Decision.EDITED, AT + timedelta(hours=1), "Raise to 0.5 g/kg.", "Two pneumonias."),
    ]


def test_a_decision_for_an_unknown_patient_is_refused(db_session_factory: sessionmaker[Session]) -> None:
    decision = PlanDecision(item_id=ITEM, decision=Decision.REJECTED, decided_at=AT, decided_by="dr.jenner")
    with db_session_factory.begin() as session, pytest.raises(NotFoundError, match="patient"):
        CarePlanRepository(session).add_decision(patient_id=999, decision=decision)


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"decision": Decision.EDITED}, "text", "changed text"),
        ({"decision": Decision.EDITED, "text": "  "}, "text", "changed text"),
        ({"decision": Decision.ACCEPTED, "text": "x"}, "text", "only given to edit"),
        ({"decision": Decision.ACCEPTED, "item_id": " "}, "item_id", "required"),
        ({"decision": Decision.ACCEPTED, "decided_at": AT.replace(tzinfo=None)}, "decided_at", "time zone"),
    ],
    ids=["edit-without-text", "edit-with-blank-text", "text-without-edit", "no-item", "naive-instant"],
)
def test_bad_decisions_name_the_field(fields: dict[str, object], field: str, words: str) -> None:
    values: dict[str, object] = {"item_id": ITEM, "decided_at": AT, "decided_by": "dr.jenner"} | fields
    with pytest.raises(ValidationError) as caught:
        PlanDecision(**values)  # type: ignore[arg-type]
    assert caught.value.issues[0].field == field and words in caught.value.issues[0].message


def test_the_database_refuses_an_unknown_decision(db_session_factory: sessionmaker[Session]) -> None:
    with db_session_factory.begin() as session:
        patient = PatientRepository(session).add(patient=make_patient())
    sql = text(
        "INSERT INTO care_plan_decisions (patient_id, item_id, decision, decided_at, decided_by) "
        "VALUES (:patient, 'x', 'ordered', '2026-12-07 09:30:00', 'dr.jenner')"
    )
    with db_session_factory.begin() as session, pytest.raises(IntegrityError):
        session.execute(sql, {"patient": patient.id})

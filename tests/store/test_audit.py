"""The audit log: appended, filtered newest first, and never changed (the database refuses)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from immunocare.errors import ValidationError
from immunocare.store import AuditLog, PatientRepository, create_engine_for
from tests.factories import CET, make_audit_entry, make_patient

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def logged(db_session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """Six entries: users 1 and 2 alternate, about patients 10, 11 and 12, an hour apart."""
    with db_session_factory.begin() as session:
        log = AuditLog(session)
        for n in range(6):
            log.append(
                entry=make_audit_entry(
                    at=T0 + timedelta(hours=n),
                    user_id=1 + n % 2,
                    patient_id=10 + n % 3,
                    action="record.read" if n < 4 else "record.write",
                    item_id=n,
                )
            )
    return db_session_factory


def test_an_entry_round_trips_with_its_instant_in_utc(db_session_factory: sessionmaker[Session]) -> None:
    entry = make_audit_entry(at=datetime(2026, 3, 1, 10, 0, 0, 123456, tzinfo=CET))
    with db_session_factory.begin() as session:
        stored = AuditLog(session).append(entry=entry)
    with db_session_factory() as session:
        (loaded,) = AuditLog(session).list()
    assert loaded == stored
    assert loaded.at == datetime(2026, 3, 1, 9, 0, 0, 123456, tzinfo=UTC)
    assert loaded.at.tzinfo is UTC


@pytest.mark.parametrize(
    ("filters", "item_ids"),
    [
        pytest.param({}, [5, 4, 3, 2, 1, 0], id="everything-newest-first"),
        pytest.param({"patient_id": 10}, [3, 0], id="one-patient"),
        pytest.param({"user_id": 2}, [5, 3, 1], id="one-user"),
        pytest.param({"action": "record.write"}, [5, 4], id="one-action"),
        pytest.param(
            {"since": T0 + timedelta(hours=2), "until": T0 + timedelta(hours=4)},
            [3, 2],
            id="half-open-window",
        ),
        pytest.param({"user_id": 1, "patient_id": 11}, [4], id="filters-combine"),
        pytest.param({"limit": 2, "offset": 1}, [4, 3], id="a-page"),
    ],
)
def test_list_filters_newest_first(
    logged: sessionmaker[Session], filters: dict[str, object], item_ids: list[int]
) -> None:
    with logged() as session:
        assert [e.item_id for e in AuditLog(session).list(**filters)] == item_ids


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param("UPDATE audit_log SET outcome = 'success, honestly'", id="update"),
        pytest.param("DELETE FROM audit_log", id="delete"),
    ],
)
def test_the_database_refuses_to_change_the_audit_log(logged: sessionmaker[Session], statement: str) -> None:
    with logged.begin() as session, pytest.raises(DatabaseError, match="append-only"):
        session.execute(text(statement))
    with logged() as session:
        entries = AuditLog(session).list()
    assert len(entries) == 6
    assert {e.outcome for e in entries} == {"success"}


def test_postgresql_refuses_truncate_too(postgresql_url: str) -> None:
    engine = create_engine_for(postgresql_url)
    try:
        with engine.begin() as connection, pytest.raises(DatabaseError, match="append-only"):
            connection.exec_driver_sql("TRUNCATE audit_log")
    finally:
        engine.dispose()


def test_audit_entries_outlive_the_patient(db_session_factory: sessionmaker[Session]) -> None:
    with db_session_factory.begin() as session:
        patient = PatientRepository(session).add(patient=make_patient())
        AuditLog(session).append(entry=make_audit_entry(patient_id=patient.id))
    with db_session_factory.begin() as session:
        PatientRepository(session).delete(patient_id=patient.id or 0)
    with db_session_factory() as session:
        assert [e.patient_id for e in AuditLog(session).list()] == [patient.id]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        pytest.param(lambda log: log.list(since=datetime(2026, 3, 1)), "since", id="naive-since"),
        pytest.param(lambda log: log.list(limit=0), "limit", id="empty-page"),
        pytest.param(lambda log: log.append(entry=make_audit_entry(id=5)), "id", id="entry-with-id"),
        pytest.param(
            lambda log: log.append(entry=make_audit_entry(at=datetime(2026, 3, 1))), "at", id="naive-at"
        ),
    ],
)
def test_audit_errors(db_session_factory: sessionmaker[Session], call, field: str) -> None:
    with db_session_factory() as session, pytest.raises(ValidationError) as raised:
        call(AuditLog(session))
    assert raised.value.issues[0].field == field

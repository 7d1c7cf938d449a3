"""Engines: SQLite configured for safety (WAL, foreign keys, busy timeout), PostgreSQL for restarts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session, sessionmaker

from immunocare.errors import ConfigurationError
from immunocare.store import create_engine_for, session_factory
from immunocare.store.engine import SQLITE_BUSY_TIMEOUT_MS
from immunocare.store.tables import AuditRow


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [
        pytest.param("journal_mode", "wal", id="write-ahead-log"),
        pytest.param("foreign_keys", 1, id="foreign-keys-enforced"),
        pytest.param("busy_timeout", SQLITE_BUSY_TIMEOUT_MS, id="writers-wait"),
    ],
)
def test_sqlite_connections_are_configured(sqlite_url: str, pragma: str, expected: object) -> None:
    engine = create_engine_for(sqlite_url)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql(f"PRAGMA {pragma}").scalar() == expected
    finally:
        engine.dispose()


def test_a_sqlite_file_gets_its_folders(tmp_path: Path) -> None:
    path = tmp_path / "var" / "lib" / "immunocare.db"
    engine = create_engine_for(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE probe (id INTEGER)")
    finally:
        engine.dispose()
    assert path.is_file()


def test_postgresql_survives_a_dropped_pooled_connection(postgresql_url: str) -> None:
    engine, killer = create_engine_for(postgresql_url), create_engine_for(postgresql_url)
    try:
        with engine.connect() as connection:
            pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with killer.connect() as connection:
            assert connection.exec_driver_sql(f"SELECT pg_terminate_backend({pid})").scalar()
        with engine.connect() as connection:  # the pool notices the dead connection and replaces it
            assert connection.exec_driver_sql("SELECT pg_backend_pid()").scalar() != pid
    finally:
        engine.dispose()
        killer.dispose()


@pytest.mark.parametrize("url", ["mysql://root@localhost/immunocare", "oracle://scott@localhost/orcl"])
def test_other_databases_are_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="unsupported database"):
        create_engine_for(url)


def test_objects_are_not_expired_by_commit(engine: Engine) -> None:
    with session_factory(engine).begin() as session:
        row = AuditRow(
            at=datetime.fromisoformat("2026-01-05T12:00:00+00:00"), action="probe", outcome="success"
        )
        session.add(row)
    assert inspect(row).expired_attributes == set()


def test_a_naive_instant_never_reaches_the_database(db_session_factory: sessionmaker[Session]) -> None:
    with db_session_factory.begin() as session, pytest.raises(StatementError, match="naive datetime"):
        session.add(AuditRow(at=datetime(2026, 1, 5, 12, 0), action="probe", outcome="success"))
        session.flush()

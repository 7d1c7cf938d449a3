"""Migrations build the schema the tables describe, on both databases, and undo it cleanly."""

from __future__ import annotations

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from immunocare.store import (
    PatientRepository,
    create_engine_for,
    current_revision,
    downgrade_database,
    head_revision,
    session_factory,
    upgrade_database,
)
from immunocare.store.tables import METADATA
from tests.factories import make_patient

TABLES = sorted([*METADATA.tables, "alembic_version"])


def _tables(engine: Engine) -> list[str]:
    return sorted(inspect(engine).get_table_names())


def test_upgrade_builds_every_table_on_an_empty_database(empty_database_url: str) -> None:
    engine = create_engine_for(empty_database_url)
    try:
        assert current_revision(engine) is None
        assert _tables(engine) == []
        upgrade_database(empty_database_url)
        assert current_revision(engine) == head_revision()
        assert _tables(engine) == TABLES
    finally:
        engine.dispose()


def test_downgrade_to_base_then_upgrade_again(database_url: str, engine: Engine) -> None:
    downgrade_database(database_url, "base")
    assert current_revision(engine) is None
    assert _tables(engine) == ["alembic_version"]
    upgrade_database(database_url)
    assert current_revision(engine) == head_revision()
    with session_factory(engine).begin() as session:
        assert PatientRepository(session).add(patient=make_patient()).id == 1


def test_the_migrated_schema_matches_the_tables(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), METADATA)
    assert differences == []


@pytest.mark.parametrize(
    ("column", "value"),
    [pytest.param("sex", "'f'", id="enum-value-checked"), pytest.param("mrn", "NULL", id="required-column")],
)
def test_the_database_itself_refuses_invalid_rows(
    db_session_factory: sessionmaker[Session], column: str, value: str
) -> None:
    values = {
        "mrn": "'MRN-1'",
        "family_name": "'Okafor'",
        "given_names": "'Sam'",
        "birth_date": "'2016-02-11'",
    }
    values |= {"sex": "'male'", column: value}
    sql = f"INSERT INTO patients ({', '.join(values)}) VALUES ({', '.join(values.values())})"  # noqa: S608
    with db_session_factory.begin() as session, pytest.raises(IntegrityError):
        session.execute(text(sql))


def test_upgrade_refuses_to_commit_dangling_sqlite_references(sqlite_url: str) -> None:
    path = sqlite_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as raw:  # foreign keys are off in a plain sqlite3 connection
        raw.execute(
            "INSERT INTO phenotypes (patient_id, hpo_id, label, excluded) VALUES (404, 'HP:0002205', 'x', 0)"
        )
    raw.close()
    with pytest.raises(RuntimeError, match="phenotypes row 1 → patients"):
        upgrade_database(sqlite_url)


def test_sqlite_ddl_is_transactional(sqlite_url: str) -> None:
    engine = create_engine_for(sqlite_url)
    try:
        with engine.connect() as connection:
            with connection.begin() as transaction:
                connection.exec_driver_sql("CREATE TABLE scratch (id INTEGER)")
                transaction.rollback()
            assert "scratch" not in inspect(connection).get_table_names()
    finally:
        engine.dispose()

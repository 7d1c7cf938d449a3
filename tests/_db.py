"""Database fixtures for every test in the project: real SQLite and real PostgreSQL, fully migrated.

A pytest plugin, loaded by ``tests/conftest.py``. Use these fixtures rather than building engines
or schemas yourself; every database they hand out was built by the Alembic migrations (never by
``create_all``), so the tests exercise the schema production runs.

Fixtures (all function-scoped: each test gets its own empty database, in milliseconds):

``database_url``
    A fresh, migrated, empty database. Parametrized over both databases, with test ids
    ``sqlite`` and ``postgresql``; the PostgreSQL case carries the ``postgres`` marker, so
    ``-m "not postgres"`` runs SQLite only.
``engine``
    ``store.create_engine_for(database_url)``, disposed after the test.
``db_session_factory``
    ``store.session_factory(engine)``; use ``with db_session_factory.begin() as session:``.
``sqlite_url``
    Like ``database_url`` but SQLite only (for tests that do not need both databases).
``postgresql_url``
    Like ``database_url`` but PostgreSQL only; a test that uses it is marked ``postgres``.
``empty_database_url``
    A database with no tables at all, on both databases, for migration tests.

How it stays fast: the migrations run once per session into a template (a SQLite file that is
copied for each test; a PostgreSQL database used as ``CREATE DATABASE … TEMPLATE …``).

Where PostgreSQL comes from: the server at ``TEST_PG_URL`` when that is set (a
``postgresql+psycopg://`` URL; test databases are created and dropped on that server), otherwise
a throwaway server started once per session from the newest ``/usr/lib/postgresql/*/bin``
(``initdb`` + ``pg_ctl`` in a temporary folder, in memory under ``/dev/shm`` when it has room,
on a free port of 127.0.0.1, durability off),
run as the ``postgres`` user when the tests run as root, stopped and deleted at the end. Without
PostgreSQL binaries the PostgreSQL cases are skipped, unless ``CI=true``: CI must never skip them.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from immunocare.store import create_engine_for, session_factory, upgrade_database

__all__ = [
    "PostgresServer",
    "database_url",
    "db_session_factory",
    "empty_database_url",
    "engine",
    "postgresql_url",
    "sqlite_url",
]

_BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]
_INITDB_OPTIONS = ["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]
_PG_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


@dataclass
class PostgresServer:
    """A PostgreSQL server the tests may create and drop databases on.

    Attributes:
        url: a ``postgresql+psycopg://`` URL of one database on the server, used for admin commands.
    """

    url: str
    _names: Iterator[int] = field(default_factory=itertools.count)
    _connection: psycopg.Connection[tuple[object, ...]] | None = None

    def url_of(self, database: str) -> str:
        """The SQLAlchemy URL of another database on this server."""
        return make_url(self.url).set(database=database).render_as_string(hide_password=False)

    def create_database(self, *, template: str | None = None) -> str:
        """Create a new database (a copy of ``template`` if given) and return its name.

        From PostgreSQL 15 on, the copy is made file by file, which is several times faster for
        a small template than the default of writing it through the WAL.
        """
        name = f"immunocare_test_{os.getpid()}_{next(self._names)}"
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
            if self._admin.info.server_version >= 150000:
                statement += sql.SQL(" STRATEGY FILE_COPY")
        self._admin.execute(statement)
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database, closing any connection a test left open."""
        self._admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def close(self) -> None:
        """Close the admin connection (at the end of the session)."""
        if self._connection is not None:
            self._connection.close()

    @property
    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        """One autocommit connection for the session's CREATE and DROP DATABASE commands."""
        if self._connection is None:
            conninfo = make_url(self.url).set(drivername="postgresql").render_as_string(hide_password=False)
            self._connection = psycopg.connect(conninfo, autocommit=True)
        return self._connection


def _no_postgres(reason: str) -> NoReturn:
    """Skip the PostgreSQL cases, or fail the run on CI, which must never skip them."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but PostgreSQL is unavailable: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL is unavailable: {reason}")


def _newest_bindir() -> Path | None:
    """The ``bin`` folder of the newest PostgreSQL installed from Debian packages, if any."""
    found = [path.parent for path in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    return max(found, key=lambda bindir: tuple(map(int, bindir.parent.name.split("."))), default=None)


def _memory_dir() -> str | None:
    """``/dev/shm`` when it has room (databases there are copied 5-10 times faster), else the temp dir."""
    shm = Path("/dev/shm")
    roomy = shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free >= 1 << 30
    return str(shm) if roomy else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _run(command: list[str], *, log: Path) -> None:
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    result = subprocess.run([*as_postgres, *command], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        server_log = log.read_text() if log.exists() else ""
        pytest.fail(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}{server_log}", pytrace=False)


@pytest.fixture(scope="session")
def _postgres_server() -> Iterator[PostgresServer]:
    """TEST_PG_URL's server, or a throwaway one for the session."""
    if os.environ.get("TEST_PG_URL"):
        server = PostgresServer(os.environ["TEST_PG_URL"])
        yield server
        server.close()
        return
    bindir = _newest_bindir()
    if bindir is None:
        _no_postgres("no initdb under /usr/lib/postgresql/*/bin and TEST_PG_URL is not set")
    root = Path(tempfile.mkdtemp(prefix="immunocare-pg-", dir=_memory_dir()))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data, log, port = root / "data", root / "server.log", _free_port()
    try:
        _run([f"{bindir}/initdb", "-D", str(data), *_INITDB_OPTIONS], log=log)
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 {_PG_OPTIONS}"
        _run(
            [f"{bindir}/pg_ctl", "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o", options, "start"],
            log=log,
        )
        server = PostgresServer(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres")
        yield server
        server.close()
        _run([f"{bindir}/pg_ctl", "-D", str(data), "-m", "fast", "-w", "-t", "60", "stop"], log=log)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def _postgresql_template(_postgres_server: PostgresServer) -> Iterator[str]:
    """A database migrated to head once per session, copied for each test."""
    name = _postgres_server.create_database()
    upgrade_database(_postgres_server.url_of(name))
    yield name
    _postgres_server.drop_database(name)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session, copied for each test."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh, migrated, empty SQLite database (a copy of the session's template)."""
    path = tmp_path_factory.mktemp("sqlite") / "immunocare.db"
    shutil.copyfile(_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def postgresql_url(_postgres_server: PostgresServer, _postgresql_template: str) -> Iterator[str]:
    """A fresh, migrated, empty PostgreSQL database (a copy of the session's template)."""
    name = _postgres_server.create_database(template=_postgresql_template)
    yield _postgres_server.url_of(name)
    _postgres_server.drop_database(name)


@pytest.fixture(params=_BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh, migrated, empty database; the test runs once on SQLite and once on PostgreSQL."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture(params=_BACKENDS)
def empty_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database with no tables (never migrated), on each database, for migration tests."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite-empty') / 'immunocare.db'}"
        return
    server: PostgresServer = request.getfixturevalue("_postgres_server")
    name = server.create_database()
    yield server.url_of(name)
    server.drop_database(name)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on ``database_url``, disposed after the test."""
    created = create_engine_for(database_url)
    yield created
    created.dispose()


@pytest.fixture
def db_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on ``engine``; ``with db_session_factory.begin() as session:`` commits on success."""
    return session_factory(engine)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``postgres`` every test that asks for ``postgresql_url`` directly."""
    for item in items:
        if "postgresql_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)

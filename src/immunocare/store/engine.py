"""Engines and sessions for the two supported databases.

SQLite (the embedded default) is opened in WAL mode with foreign keys enforced and a busy timeout,
and SQLAlchemy, not the ``sqlite3`` driver, emits ``BEGIN IMMEDIATE``: every statement, DDL and
SAVEPOINT included, then belongs to its transaction, so a rolled-back write leaves nothing behind.
IMMEDIATE takes the write lock when the transaction starts: nearly every use case writes (an audit
entry for each read), and a deferred transaction that read before another writer committed could
not upgrade its lock and would fail at once instead of waiting for the busy timeout.
PostgreSQL (production) is reached through psycopg 3 (``postgresql+psycopg://…``) with
``pool_pre_ping`` so that a restarted server costs no failed request.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     engine = create_engine_for(f"sqlite:///{folder}/new/immunocare.db")
...     with engine.connect() as connection:
...         print(connection.exec_driver_sql("PRAGMA journal_mode").scalar())
...     engine.dispose()
wal
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, String, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from immunocare.errors import ConfigurationError

__all__ = ["SQLITE_BUSY_TIMEOUT_MS", "create_engine_for", "session_factory", "unicode_lower"]

SQLITE_BUSY_TIMEOUT_MS = 5000
"""How long a SQLite writer waits for another writer's lock before giving up."""

_SUPPORTED = ("sqlite", "postgresql")
_SQLITE_LOWER = "immunocare_lower"


def create_engine_for(url: str) -> Engine:
    """An engine for a SQLite or PostgreSQL URL, configured as immunocare needs it.

    Args:
        url: ``sqlite:///path/to/file.db`` (missing parent folders are created) or
            ``postgresql+psycopg://user@host:port/database``.

    Raises:
        ConfigurationError: the URL names another kind of database.
    """
    return _create_engine(url, foreign_keys=True)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine`` whose objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def _create_engine(url: str, *, foreign_keys: bool) -> Engine:
    """The engine of :func:`create_engine_for`; migrations run SQLite with foreign keys off."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in _SUPPORTED:
        raise ConfigurationError(f"unsupported database {backend!r}: use sqlite or postgresql+psycopg")
    if backend == "postgresql":
        return create_engine(parsed, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed)
    _configure_sqlite(engine, foreign_keys=foreign_keys)
    return engine


def _configure_sqlite(engine: Engine, *, foreign_keys: bool) -> None:
    """Set the pragmas on each new connection and let SQLAlchemy emit ``BEGIN`` itself."""

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()
        dbapi_connection.create_function(_SQLITE_LOWER, 1, _lower, deterministic=True)

    def on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "begin", on_begin)


def _lower(text: str | None) -> str | None:
    """Unicode-aware lower case for SQLite, whose own ``lower()`` only folds ASCII."""
    return None if text is None else text.lower()


class unicode_lower(FunctionElement[str]):  # noqa: N801 - named like the SQL function it is
    """SQL ``lower()`` that folds every letter on both databases (``Ø`` as well as ``O``).

    PostgreSQL's ``lower`` is Unicode-aware; on SQLite this calls the Python function that
    :func:`create_engine_for` registers on each connection.
    """

    type = String()
    inherit_cache = True


@compiles(unicode_lower)
def _compile_lower(element: unicode_lower, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(unicode_lower, "sqlite")
def _compile_lower_sqlite(element: unicode_lower, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{_SQLITE_LOWER}({compiler.process(element.clauses, **kw)})"

"""Schema migrations, run programmatically: the app never calls ``create_all``.

The Alembic scripts ship inside the package (``immunocare/store/migrations``), so no
``alembic.ini`` is needed at run time::

    upgrade_database("sqlite:///var/immunocare.db")       # to the newest revision
    downgrade_database(url, "base")                       # back to an empty database

Each run is one transaction on both databases: a migration that fails leaves the schema as it was.
SQLite runs with foreign keys off while tables are rebuilt (``render_as_batch``), then every
foreign key is checked before the commit.

To write a new revision, autogenerate it against a database at head and review it::

    from alembic import command
    command.revision(alembic_config(url), message="add …", autogenerate=True)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from .engine import _create_engine
from .tables import METADATA

__all__ = [
    "alembic_config",
    "check_foreign_keys",
    "current_revision",
    "downgrade_database",
    "head_revision",
    "run_alembic_environment",
    "upgrade_database",
]

_SCRIPTS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    """An Alembic configuration for ``url`` with the packaged migration scripts."""
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_database(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` up to ``revision`` (default: the newest)."""
    _run(url, lambda config: command.upgrade(config, revision))


def downgrade_database(url: str, revision: str) -> None:
    """Migrate the database at ``url`` down to ``revision`` (``"base"``: no tables at all)."""
    _run(url, lambda config: command.downgrade(config, revision))


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or ``None`` for a database never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision the packaged scripts know."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None, "the packaged migrations have a head"
    return head


def run_alembic_environment() -> None:
    """Run the migrations Alembic was asked for; called by ``migrations/env.py`` only.

    The connection comes from :func:`upgrade_database` and :func:`downgrade_database`; when
    Alembic is driven some other way (``command.revision``), one is opened from the URL.
    """
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run_migrations(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    assert url is not None, "alembic_config sets sqlalchemy.url"
    with _migration_connection(url) as opened:
        _run_migrations(opened)


def _run(url: str, action: Callable[[Config], None]) -> None:
    config = alembic_config(url)
    with _migration_connection(url) as connection:
        config.attributes["connection"] = connection
        action(config)


@contextmanager
def _migration_connection(url: str) -> Iterator[Connection]:
    """A connection in a transaction that commits only if the migration and its checks pass."""
    engine = _create_engine(url, foreign_keys=False)
    try:
        with engine.begin() as connection:
            yield connection
            check_foreign_keys(connection)
    finally:
        engine.dispose()


def check_foreign_keys(connection: Connection) -> None:
    """Refuse to commit SQLite rows whose foreign keys point nowhere (PostgreSQL never has any).

    Raises:
        RuntimeError: a migration left dangling references; the transaction is rolled back.
    """
    if connection.dialect.name != "sqlite":
        return
    problems = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if problems:
        listed = ", ".join(f"{table} row {rowid} → {parent}" for table, rowid, parent, _ in problems)
        raise RuntimeError(f"the migration left dangling foreign keys: {listed}")


def _run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=METADATA,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()

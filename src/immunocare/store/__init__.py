"""Persistence of the patient record: SQLAlchemy tables, Alembic migrations, repositories, audit log.

SQLite (WAL, foreign keys on) is the embedded default and PostgreSQL (psycopg 3) the production
database; both run the same migrations and the same tests.

A tour:

- :mod:`~immunocare.store.engine`: :func:`create_engine_for` (a URL → a configured engine) and
  :func:`session_factory`.
- :mod:`~immunocare.store.migrate`: :func:`upgrade_database`, :func:`downgrade_database`,
  :func:`current_revision`, :func:`head_revision`. The Alembic scripts ship in
  ``store/migrations``; the schema is only ever built by them, never by ``create_all``.
- :mod:`~immunocare.store.tables`: one row class per table; a Quantity is a ``_value`` and a
  ``_unit`` column, instants are UTC. Rows never leave the store.
- the repositories, each built on a :class:`~sqlalchemy.orm.Session` with keyword-only methods
  that return domain objects or the dataclasses below:
  :class:`PatientRepository`, :class:`RecordRepository` (every :class:`~immunocare.domain.ItemKind`),
  :class:`UserRepository`, :class:`SessionRepository`, :class:`ApiTokenRepository`,
  :class:`CarePlanRepository` (care-plan decisions, a history) and
  :class:`AuditLog` (append-only, enforced by database triggers).
- the non-clinical shapes: :class:`Role`, :class:`User`, :class:`WebSession`, :class:`ApiToken`,
  :class:`AuditEntry`, and :func:`hash_token` (only token hashes are stored).

The caller owns the transaction: repositories flush, never commit. A unique value taken twice
raises :class:`~immunocare.errors.ConflictError` and a missing row
:class:`~immunocare.errors.NotFoundError`; a failed write is rolled back to its savepoint, so the
caller's transaction stays usable and nothing is half-written::

    engine = create_engine_for(settings.database_url)
    upgrade_database(settings.database_url)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        patient = PatientRepository(session).add(patient=Patient(...))
        RecordRepository(session).add(patient_id=patient.id, kind=ItemKind.LABS, item=lab)
"""

from ._accounts import ApiTokenRepository, SessionRepository, UserRepository
from ._audit import AuditLog
from ._care_plans import CarePlanRepository
from ._models import ApiToken, AuditEntry, Role, User, WebSession, hash_token
from ._patients import PatientRepository
from ._records import RecordRepository
from .engine import create_engine_for, session_factory
from .migrate import current_revision, downgrade_database, head_revision, upgrade_database

__all__ = [
    "ApiToken",
    "ApiTokenRepository",
    "AuditEntry",
    "AuditLog",
    "CarePlanRepository",
    "PatientRepository",
    "RecordRepository",
    "Role",
    "SessionRepository",
    "User",
    "UserRepository",
    "WebSession",
    "create_engine_for",
    "current_revision",
    "downgrade_database",
    "hash_token",
    "head_revision",
    "session_factory",
    "upgrade_database",
]

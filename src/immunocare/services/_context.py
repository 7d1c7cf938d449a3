"""What every use case runs with: settings, the database, the knowledge base, a clock and an actor."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol

from argon2 import PasswordHasher
from sqlalchemy.orm import Session, sessionmaker

from immunocare.config import Settings
from immunocare.knowledge import KnowledgeBase, load_knowledge_base
from immunocare.store import Role, User, create_engine_for, session_factory, upgrade_database

__all__ = ["Actor", "Clock", "FixedClock", "ServiceContext", "SystemClock", "build_context", "transaction"]


class Clock(Protocol):
    """Where the time comes from; tests and the demo pass a fixed one."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        """The current UTC time."""
        return datetime.now(UTC)


@dataclass(frozen=True)
class FixedClock:
    """A clock that always says the same time."""

    at: datetime

    def now(self) -> datetime:
        """The fixed time."""
        return self.at


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: a logged-in user, an API client, or the command line.

    Attributes:
        username: the login name, or ``cli:<name>`` for the command line.
        role: the role deciding what the actor may do.
        user_id: the user's id; ``None`` for the command line.
        patient_id: for a patient-role user, the only record they may see.
        client: where the request came from (an address), for the audit log.
    """

    username: str
    role: Role
    user_id: int | None = None
    patient_id: int | None = None
    client: str | None = None

    @classmethod
    def from_user(cls, user: User, *, client: str | None = None) -> Actor:
        """The actor for a stored user."""
        return cls(user.username, user.role, user.id, user.patient_id, client)

    @classmethod
    def command_line(cls, name: str) -> Actor:
        """The operator running the command line on the server, with the admin role."""
        return cls(f"cli:{name}", Role.ADMIN, client="command line")


@dataclass(frozen=True)
class ServiceContext:
    """The long-lived things every use case needs, built once at start-up."""

    settings: Settings
    session_factory: sessionmaker[Session]
    kb: KnowledgeBase
    clock: Clock
    hasher: PasswordHasher

    def now(self) -> datetime:
        """The current time in the center's time zone."""
        return self.clock.now().astimezone(self.settings.zone)

    def today(self) -> date:
        """Today's date in the center's time zone."""
        return self.now().date()

    def close(self) -> None:
        """Release the database connections."""
        bind = self.session_factory.kw.get("bind")
        if bind is not None:
            bind.dispose()


def build_context(
    settings: Settings, *, clock: Clock | None = None, kb: KnowledgeBase | None = None, migrate: bool = False
) -> ServiceContext:
    """Connect to the database (migrating it first if asked) and load the knowledge base."""
    if migrate:
        upgrade_database(settings.database_url)
    engine = create_engine_for(settings.database_url)
    return ServiceContext(
        settings=settings,
        session_factory=session_factory(engine),
        kb=kb or load_knowledge_base(settings.knowledge_overlay_dir),
        clock=clock or SystemClock(),
        hasher=PasswordHasher(time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib),
    )


@contextmanager
def transaction(ctx: ServiceContext) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back entirely on any error."""
    session = ctx.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()

"""Users, logins, sessions and API tokens.

Passwords are stored as argon2id hashes; session and API tokens are random and only their
SHA-256 digests are stored, so a copy of the database cannot be used to log in.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import Field

from immunocare.errors import AuthenticationError, ConflictError, NotFoundError, ValidationError
from immunocare.store import (
    ApiToken,
    ApiTokenRepository,
    PatientRepository,
    Role,
    SessionRepository,
    User,
    UserRepository,
    WebSession,
    hash_token,
)

from ._context import Actor, ServiceContext, transaction
from .authz import Action, Outcome, audit, authorize
from .schemas import InputModel

__all__ = [
    "LoginResult",
    "SessionInfo",
    "UserCreate",
    "UserOut",
    "create_api_token",
    "create_user",
    "list_users",
    "login",
    "logout",
    "session_actor",
    "token_actor",
]

_MAX_TOKEN_DAYS = 3650
_TOKEN_PREFIX = "ic_"  # noqa: S105 - a prefix that marks API tokens, not a secret


class UserCreate(InputModel):
    """A new user; a patient-role user is linked to the one record they may see."""

    username: Annotated[
        str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{2,63}$", description="Lower-case login name.")
    ]
    display_name: Annotated[str, Field(min_length=1, max_length=200)]
    role: Role
    password: Annotated[str, Field(min_length=10, max_length=200, description="At least 10 characters.")]
    patient_id: Annotated[int, Field(ge=1)] | None = None


@dataclass(frozen=True, slots=True)
class UserOut:
    """A user as shown to administrators (never the password hash)."""

    id: int
    username: str
    display_name: str
    role: Role
    patient_id: int | None
    active: bool

    @classmethod
    def from_user(cls, user: User) -> UserOut:
        """The public view of a stored user."""
        assert user.id is not None
        return cls(user.id, user.username, user.display_name, user.role, user.patient_id, user.active)


@dataclass(frozen=True, slots=True)
class LoginResult:
    """A new web session: the cookie value, its CSRF token, and who logged in."""

    token: str
    csrf_token: str
    expires_at: datetime
    user: UserOut


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """A valid web session."""

    actor: Actor
    csrf_token: str
    display_name: str


def create_user(ctx: ServiceContext, *, actor: Actor | None, data: UserCreate) -> UserOut:
    """Add a user (administrators only)."""
    actor = authorize(ctx, actor, Action.MANAGE_USERS)
    if (data.role is Role.PATIENT) != (data.patient_id is not None):
        raise ValidationError.single("patient_id", "is required for the patient role, and only for it")
    with transaction(ctx) as session:
        users = UserRepository(session)
        if users.get_by_username(username=data.username) is not None:
            raise ConflictError(f"user {data.username} already exists")
        if data.patient_id is not None:
            PatientRepository(session).get(patient_id=data.patient_id)
        user = users.add(
            user=User(
                username=data.username,
                display_name=data.display_name,
                role=data.role,
                password_hash=ctx.hasher.hash(data.password),
                patient_id=data.patient_id,
                active=True,
                created_at=ctx.clock.now(),
            )
        )
        audit(
            ctx,
            session,
            actor,
            Action.MANAGE_USERS,
            detail=f"created user {user.username} ({user.role.value})",
        )
    return UserOut.from_user(user)


def list_users(ctx: ServiceContext, *, actor: Actor | None) -> list[UserOut]:
    """Every user (administrators only)."""
    authorize(ctx, actor, Action.MANAGE_USERS)
    with transaction(ctx) as session:
        return [UserOut.from_user(user) for user in UserRepository(session).list()]


def _verified_user(ctx: ServiceContext, username: str, password: str) -> User | None:
    with transaction(ctx) as session:
        user = UserRepository(session).get_by_username(username=username.strip().lower())
    candidate_hash = user.password_hash if user is not None else ctx.hasher.hash("timing-equaliser")
    try:
        ctx.hasher.verify(candidate_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return user if user is not None and user.active else None


def login(ctx: ServiceContext, *, username: str, password: str, client: str | None = None) -> LoginResult:
    """Check a password and open a web session.

    Raises:
        AuthenticationError: unknown user, wrong password or inactive account (one message for all).
    """
    user = _verified_user(ctx, username, password)
    with transaction(ctx) as session:
        if user is None or user.id is None:
            audit(
                ctx,
                session,
                Actor(username[:64], Role.RESEARCHER, client=client),
                Action.LOGIN,
                outcome=Outcome.FAILED,
                detail="wrong username or password",
            )
        else:
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            now = ctx.clock.now()
            web_session = SessionRepository(session).add(
                web_session=WebSession(
                    user_id=user.id,
                    token_hash=hash_token(token),
                    csrf_token=csrf,
                    created_at=now,
                    expires_at=now + timedelta(hours=ctx.settings.session_hours),
                )
            )
            audit(ctx, session, Actor.from_user(user, client=client), Action.LOGIN)
    if user is None:
        raise AuthenticationError("wrong username or password")
    return LoginResult(token, csrf, web_session.expires_at, UserOut.from_user(user))


def session_actor(ctx: ServiceContext, *, token: str, client: str | None = None) -> SessionInfo | None:
    """The actor of a session cookie, or ``None`` if it is unknown, expired or its user inactive."""
    with transaction(ctx) as session:
        web_session = SessionRepository(session).get_by_token_hash(token_hash=hash_token(token))
        if web_session is None or web_session.expired(now=ctx.clock.now()):
            return None
        user = UserRepository(session).get(user_id=web_session.user_id)
    if not user.active:
        return None
    return SessionInfo(Actor.from_user(user, client=client), web_session.csrf_token, user.display_name)


def logout(ctx: ServiceContext, *, token: str) -> None:
    """End a web session (a no-op for an unknown token)."""
    with transaction(ctx) as session:
        sessions = SessionRepository(session)
        web_session = sessions.get_by_token_hash(token_hash=hash_token(token))
        if web_session is not None and web_session.id is not None:
            user = UserRepository(session).get(user_id=web_session.user_id)
            sessions.delete(session_id=web_session.id)
            audit(ctx, session, Actor.from_user(user), Action.LOGOUT)


def create_api_token(
    ctx: ServiceContext, *, actor: Actor | None, username: str, name: str, days: int = 365
) -> tuple[str, ApiToken]:
    """A new API token for a user (administrators only); the raw token is shown once, here."""
    actor = authorize(ctx, actor, Action.MANAGE_USERS)
    if not 1 <= days <= _MAX_TOKEN_DAYS:
        raise ValidationError.single("days", f"must be between 1 and {_MAX_TOKEN_DAYS}")
    raw = _TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = ctx.clock.now()
    with transaction(ctx) as session:
        user = UserRepository(session).get_by_username(username=username)
        if user is None or user.id is None:
            raise NotFoundError(f"no user {username}")
        token = ApiTokenRepository(session).add(
            token=ApiToken(
                user_id=user.id,
                name=name,
                token_hash=hash_token(raw),
                created_at=now,
                expires_at=now + timedelta(days=days),
            )
        )
        audit(ctx, session, actor, Action.MANAGE_USERS, detail=f"API token {name!r} for {username}")
    return raw, token


def token_actor(ctx: ServiceContext, *, token: str, client: str | None = None) -> Actor | None:
    """The actor of an API token, or ``None`` if it is unknown, revoked, expired or its user inactive."""
    if not token.startswith(_TOKEN_PREFIX):
        return None
    with transaction(ctx) as session:
        tokens = ApiTokenRepository(session)
        stored = tokens.get_by_token_hash(token_hash=hash_token(token))
        now = ctx.clock.now()
        if stored is None or stored.id is None or not stored.usable(now=now):
            return None
        user = UserRepository(session).get(user_id=stored.user_id)
        tokens.touch(token_id=stored.id, at=now)
    return Actor.from_user(user, client=client) if user.active else None

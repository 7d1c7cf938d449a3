"""Users, their browser sessions and their API tokens."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from immunocare.errors import NotFoundError, ValidationError

from ._mapping import from_row, to_row, update_row
from ._models import ApiToken, User, WebSession, require_aware
from ._writes import savepoint
from .tables import ApiTokenRow, UserRow, WebSessionRow

__all__ = ["ApiTokenRepository", "SessionRepository", "UserRepository"]

_NO_USER = "the user does not exist"


def _refuse_id(value: int | None, what: str) -> None:
    if value is not None:
        raise ValidationError.single("id", f"is assigned by the store; leave it empty for a new {what}")


class UserRepository:
    """Accounts; the caller owns the transaction. Passwords arrive already hashed."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, *, user: User) -> User:
        """Store a new user and return it with its id.

        Raises:
            ConflictError: the username is taken; nothing is written.
            NotFoundError: the linked patient does not exist.
        """
        _refuse_id(user.id, "user")
        row = to_row(UserRow, user)
        with savepoint(self._session, conflict=_taken(user), missing="the linked patient does not exist"):
            self._session.add(row)
        return dataclasses.replace(user, id=row.id)

    def get(self, *, user_id: int) -> User:
        """The user with this id.

        Raises:
            NotFoundError: there is none.
        """
        return from_row(User, self._row(user_id))

    def get_by_username(self, *, username: str) -> User | None:
        """The user with this username (exact match), if any."""
        row = self._session.scalars(select(UserRow).where(UserRow.username == username)).one_or_none()
        return None if row is None else from_row(User, row)

    def list(self) -> tuple[User, ...]:
        """Every user, by username."""
        rows = self._session.scalars(select(UserRow).order_by(UserRow.username))
        return tuple(from_row(User, row) for row in rows)

    def update(self, *, user: User) -> User:
        """Overwrite a stored user (role, display name, active, password hash, patient link…).

        Raises:
            ValidationError: the user has no id.
            NotFoundError: no such user, or the linked patient does not exist.
            ConflictError: the new username is taken; nothing is written.
        """
        if user.id is None:
            raise ValidationError.single("id", "is required to update a user")
        row = self._row(user.id)
        with savepoint(self._session, conflict=_taken(user), missing="the linked patient does not exist"):
            update_row(row, user)
        return user

    def _row(self, user_id: int) -> UserRow:
        row = self._session.get(UserRow, user_id)
        if row is None:
            raise NotFoundError(f"no user with id {user_id}")
        return row


def _taken(user: User) -> str:
    return f"the username {user.username!r} is taken"


class SessionRepository:
    """Browser sessions, found by the hash of the cookie's token."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, *, web_session: WebSession) -> WebSession:
        """Store a new session and return it with its id.

        Raises:
            NotFoundError: the user does not exist.
            ConflictError: a session with this token hash exists already.
        """
        _refuse_id(web_session.id, "session")
        row = to_row(WebSessionRow, web_session)
        with savepoint(self._session, conflict="the session token is in use", missing=_NO_USER):
            self._session.add(row)
        return dataclasses.replace(web_session, id=row.id)

    def get_by_token_hash(self, *, token_hash: str) -> WebSession | None:
        """The session with this token hash, expired or not (see :meth:`WebSession.expired`)."""
        query = select(WebSessionRow).where(WebSessionRow.token_hash == token_hash)
        row = self._session.scalars(query).one_or_none()
        return None if row is None else from_row(WebSession, row)

    def delete(self, *, session_id: int) -> None:
        """End one session (logging out); ending a session that is gone already is no error."""
        self._session.execute(delete(WebSessionRow).where(WebSessionRow.id == session_id))

    def delete_for_user(self, *, user_id: int) -> int:
        """End every session of a user (password changed, account disabled); returns how many."""
        return _deleted(self._session, WebSessionRow.user_id == user_id)

    def delete_expired(self, *, now: datetime) -> int:
        """Remove the sessions that have ended at ``now``; returns how many."""
        require_aware("now", now)
        return _deleted(self._session, WebSessionRow.expires_at <= now)


def _deleted(session: Session, condition: ColumnElement[bool]) -> int:
    statement = delete(WebSessionRow).where(condition).returning(WebSessionRow.id)
    return len(session.scalars(statement).all())


class ApiTokenRepository:
    """API tokens, found by the hash of the token."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, *, token: ApiToken) -> ApiToken:
        """Store a new token and return it with its id.

        Raises:
            NotFoundError: the user does not exist.
            ConflictError: a token with this hash exists already.
        """
        _refuse_id(token.id, "token")
        row = to_row(ApiTokenRow, token)
        with savepoint(self._session, conflict="the token is in use", missing=_NO_USER):
            self._session.add(row)
        return dataclasses.replace(token, id=row.id)

    def get_by_token_hash(self, *, token_hash: str) -> ApiToken | None:
        """The token with this hash, usable or not (see :meth:`ApiToken.usable`)."""
        row = self._session.scalars(
            select(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash)
        ).one_or_none()
        return None if row is None else from_row(ApiToken, row)

    def list_for_user(self, *, user_id: int) -> tuple[ApiToken, ...]:
        """A user's tokens, oldest first, revoked ones included."""
        query = select(ApiTokenRow).where(ApiTokenRow.user_id == user_id).order_by(ApiTokenRow.id)
        return tuple(from_row(ApiToken, row) for row in self._session.scalars(query))

    def revoke(self, *, token_id: int, at: datetime) -> ApiToken:
        """Revoke a token from ``at`` on; revoking it again keeps the first time.

        Raises:
            NotFoundError: there is no such token.
        """
        row = self._row(token_id)
        token = from_row(ApiToken, row)
        return self._save(row, dataclasses.replace(token, revoked_at=token.revoked_at or at))

    def touch(self, *, token_id: int, at: datetime) -> ApiToken:
        """Record that the token was presented at ``at``.

        Raises:
            NotFoundError: there is no such token.
        """
        row = self._row(token_id)
        return self._save(row, dataclasses.replace(from_row(ApiToken, row), last_used_at=at))

    def _save(self, row: ApiTokenRow, token: ApiToken) -> ApiToken:
        update_row(row, token)
        self._session.flush()
        return token

    def _row(self, token_id: int) -> ApiTokenRow:
        row = self._session.get(ApiTokenRow, token_id)
        if row is None:
            raise NotFoundError(f"no API token with id {token_id}")
        return row

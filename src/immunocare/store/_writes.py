"""What every repository shares: writes in a savepoint, database errors in the error tree, paging."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from immunocare.errors import ConflictError, NotFoundError, ValidationError

__all__ = ["check_page", "savepoint"]

_UNIQUE = ("23505", "SQLITE_CONSTRAINT_UNIQUE")
_FOREIGN_KEY = ("23503", "SQLITE_CONSTRAINT_FOREIGNKEY")


def _reason(error: IntegrityError) -> str | None:
    """PostgreSQL's SQLSTATE or SQLite's extended error name of a constraint violation."""
    return getattr(error.orig, "sqlstate", None) or getattr(error.orig, "sqlite_errorname", None)


@contextmanager
def savepoint(session: Session, *, conflict: str, missing: str) -> Iterator[None]:
    """Run a write inside a SAVEPOINT and flush it there.

    A violated constraint rolls back only the savepoint, so the caller's transaction stays
    usable (it can still write an audit entry), and is raised as an error of the tree.

    Args:
        session: the caller's session; its transaction is not committed.
        conflict: the message when a unique constraint is violated.
        missing: the message when a referenced row does not exist.

    Raises:
        ConflictError: a unique value (an MRN, a username) is already taken.
        NotFoundError: a foreign key points to no row.
    """
    try:
        with session.begin_nested():
            yield
    except IntegrityError as error:
        reason = _reason(error)
        if reason in _UNIQUE:
            raise ConflictError(conflict) from error
        if reason in _FOREIGN_KEY:
            raise NotFoundError(missing) from error
        raise


def check_page(limit: int, offset: int) -> None:
    """A page of results needs a positive limit and an offset of zero or more."""
    if limit < 1:
        raise ValidationError.single("limit", "must be at least 1")
    if offset < 0:
        raise ValidationError.single("offset", "cannot be negative")

"""The audit log: who did what to which record, appended and never changed."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from immunocare.errors import ValidationError

from ._mapping import from_row, to_row
from ._models import AuditEntry, require_aware
from ._writes import check_page
from .tables import AuditRow

__all__ = ["AuditLog"]


class AuditLog:
    """Appends audit entries and lists them, newest first.

    The database itself refuses UPDATE and DELETE on the table (triggers made by the migration),
    so an entry, once committed, stays as it was written.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def append(self, *, entry: AuditEntry) -> AuditEntry:
        """Add an entry in the caller's transaction and return it with its id."""
        if entry.id is not None:
            raise ValidationError.single("id", "is assigned by the store; leave it empty for a new entry")
        row = to_row(AuditRow, entry)
        self._session.add(row)
        self._session.flush()
        return dataclasses.replace(entry, id=row.id)

    def list(
        self,
        *,
        patient_id: int | None = None,
        user_id: int | None = None,
        action: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[AuditEntry, ...]:
        """Entries matching every filter given, newest first.

        Args:
            patient_id: only entries about this patient.
            user_id: only entries by this user.
            action: only this action.
            since: only entries at or after this instant.
            until: only entries before this instant.
            limit: at most this many entries.
            offset: skip this many first.
        """
        check_page(limit, offset)
        conditions = _filters(patient_id=patient_id, user_id=user_id, action=action, since=since, until=until)
        query = (
            select(AuditRow)
            .where(*conditions)
            .order_by(AuditRow.at.desc(), AuditRow.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return tuple(from_row(AuditEntry, row) for row in self._session.scalars(query))


def _filters(
    *,
    patient_id: int | None,
    user_id: int | None,
    action: str | None,
    since: datetime | None,
    until: datetime | None,
) -> list[ColumnElement[bool]]:
    require_aware("since", since)
    require_aware("until", until)
    conditions: list[ColumnElement[bool]] = []
    if patient_id is not None:
        conditions.append(AuditRow.patient_id == patient_id)
    if user_id is not None:
        conditions.append(AuditRow.user_id == user_id)
    if action is not None:
        conditions.append(AuditRow.action == action)
    if since is not None:
        conditions.append(AuditRow.at >= since)
    if until is not None:
        conditions.append(AuditRow.at < until)
    return conditions

"""Reading the audit log (administrators only)."""

from __future__ import annotations

from datetime import datetime

from immunocare.store import AuditEntry, AuditLog

from ._context import Actor, ServiceContext, transaction
from .authz import Action, authorize

__all__ = ["list_audit_entries"]


def list_audit_entries(
    ctx: ServiceContext,
    *,
    actor: Actor | None,
    patient_id: int | None = None,
    user_id: int | None = None,
    action: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[AuditEntry]:
    """Audit entries, newest first, optionally for one patient, user or action."""
    authorize(ctx, actor, Action.READ_AUDIT, patient_id=patient_id)
    with transaction(ctx) as session:
        return list(
            AuditLog(session).list(
                patient_id=patient_id, user_id=user_id, action=action, since=since, limit=limit, offset=offset
            )
        )

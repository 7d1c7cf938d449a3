"""Who may do what: the role policy, and the audit entry every decision leaves.

Every read and write of patient data goes through :func:`authorize` (allowed or not) and leaves
an audit entry: allowed ones in the use case's own transaction, refused ones in a transaction of
their own, committed before the error is raised, so that a refused attempt is never lost.

==========  ===========================================================================
role        may
==========  ===========================================================================
admin       everything, including users and the audit log
physician   list, create, read and change every patient and every kind of item; export, import
nurse       list, create, read and change patients and items, except diagnoses and genetic
            findings (read only)
patient     read and export their own record; add infusions and infections to it (home diary)
researcher  no identifiable patient data; may run population screens (pseudonymous OMOP person
            ids, no names), as physicians and admins may
==========  ===========================================================================

A population screen (``screen_population``) reads a configured OMOP database, not the records of
this center, and shows persons by pseudonymous id only: physicians and researchers may run and
browse one (and admins); nurses and patients may not.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.orm import Session

from immunocare.domain import ItemKind
from immunocare.errors import AuthenticationError, PermissionDeniedError
from immunocare.store import AuditEntry, AuditLog, Role

from ._context import Actor, ServiceContext, transaction

__all__ = ["Action", "Outcome", "audit", "authorize", "permits"]


class Action(StrEnum):
    """What an actor does; also the audit log's action column."""

    LIST = "list"
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    EXPORT = "export"
    IMPORT = "import"
    LOGIN = "login"
    LOGOUT = "logout"
    MANAGE_USERS = "manage_users"
    READ_AUDIT = "read_audit"
    SCREEN_POPULATION = "screen_population"


class Outcome(StrEnum):
    """How an attempt ended."""

    OK = "ok"
    DENIED = "denied"
    UNAUTHENTICATED = "unauthenticated"
    FAILED = "failed"


_CLINICAL = frozenset({Role.ADMIN, Role.PHYSICIAN, Role.NURSE})
_NURSE_READ_ONLY = frozenset({ItemKind.DIAGNOSES, ItemKind.GENETIC_FINDINGS})
_PATIENT_DIARY = frozenset({ItemKind.INFUSIONS, ItemKind.INFECTIONS})
_WRITES = frozenset({Action.CREATE, Action.UPDATE, Action.DELETE})
_POPULATION = frozenset({Role.ADMIN, Role.PHYSICIAN, Role.RESEARCHER})


def _allowed(actor: Actor, action: Action, patient_id: int | None, kind: ItemKind | None) -> bool:
    role = actor.role
    if role is Role.ADMIN:
        return True
    if action is Action.SCREEN_POPULATION:
        return role in _POPULATION
    if action in (Action.MANAGE_USERS, Action.READ_AUDIT) or role is Role.RESEARCHER:
        return False
    if role is Role.PATIENT:
        own = patient_id is not None and patient_id == actor.patient_id
        if action in (Action.READ, Action.EXPORT):
            return own
        return own and action is Action.CREATE and kind in _PATIENT_DIARY
    if action is Action.IMPORT:
        return role is Role.PHYSICIAN
    if role is Role.NURSE and action in _WRITES and kind in _NURSE_READ_ONLY:
        return False
    return role in _CLINICAL


def permits(
    actor: Actor | None, action: Action, *, patient_id: int | None = None, kind: ItemKind | None = None
) -> bool:
    """Whether the actor may act (for showing or hiding buttons; the use case still checks)."""
    return actor is not None and _allowed(actor, action, patient_id, kind)


def audit(
    ctx: ServiceContext,
    session: Session,
    actor: Actor | None,
    action: Action,
    *,
    outcome: Outcome = Outcome.OK,
    patient_id: int | None = None,
    kind: ItemKind | None = None,
    item_id: int | None = None,
    detail: str | None = None,
) -> AuditEntry:
    """Append one audit entry in ``session``'s transaction."""
    entry = AuditEntry(
        at=ctx.clock.now(),
        user_id=actor.user_id if actor else None,
        username=actor.username if actor else None,
        role=actor.role if actor else None,
        action=action.value,
        outcome=outcome.value,
        patient_id=patient_id,
        item_kind=kind,
        item_id=item_id,
        detail=detail,
        client=actor.client if actor else None,
    )
    return AuditLog(session).append(entry=entry)


def authorize(
    ctx: ServiceContext,
    actor: Actor | None,
    action: Action,
    *,
    patient_id: int | None = None,
    kind: ItemKind | None = None,
    item_id: int | None = None,
    client: str | None = None,
) -> Actor:
    """Return the actor if it may act; otherwise record the refusal and raise.

    Raises:
        AuthenticationError: nobody is logged in (``actor`` is ``None``).
        PermissionDeniedError: the actor's role does not allow the action on this patient.
    """
    if actor is not None and _allowed(actor, action, patient_id, kind):
        return actor
    outcome = Outcome.UNAUTHENTICATED if actor is None else Outcome.DENIED
    detail = f"refused: {action.value}" + (f" from {client}" if client and actor is None else "")
    with transaction(ctx) as session:
        audit(
            ctx,
            session,
            actor,
            action,
            outcome=outcome,
            patient_id=patient_id,
            kind=kind,
            item_id=item_id,
            detail=detail,
        )
    if actor is None:
        raise AuthenticationError("log in to see patient data")
    raise PermissionDeniedError(f"a {actor.role.value} may not {action.value} this")

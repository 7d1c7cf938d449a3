"""The non-clinical shapes the store keeps: users, their sessions and API tokens, the audit trail.

Like the record shapes in :mod:`immunocare.domain` they are frozen dataclasses that check their
own invariants. Secrets never reach the store: passwords arrive as argon2 hashes made by the
services, and session and API tokens as :func:`hash_token` digests.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from immunocare.domain import ItemKind
from immunocare.errors import ValidationError

__all__ = ["ApiToken", "AuditEntry", "Role", "User", "WebSession", "hash_token", "require_aware"]

_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


def hash_token(token: str) -> str:
    """The SHA-256 hex digest under which a session or API token is stored and looked up.

    >>> hash_token("correct horse battery staple")[:16]
    'c4bbcb1fbec99d65'
    """
    return hashlib.sha256(token.encode()).hexdigest()


def _require_text(field: str, value: str) -> None:
    if not value.strip():
        raise ValidationError.single(field, "is required")


def require_aware(field: str, value: datetime | None) -> None:
    """An instant, when given, must carry its time zone (a naive one could be any instant)."""
    if value is not None and value.utcoffset() is None:
        raise ValidationError.single(field, "needs a time zone")


def _require_digest(field: str, value: str) -> None:
    if not _SHA256_HEX.match(value):
        raise ValidationError.single(field, "must be a SHA-256 hex digest (see hash_token), never the token")


class Role(StrEnum):
    """What a user is allowed to do; the services decide what each role may do."""

    ADMIN = "admin"
    PHYSICIAN = "physician"
    NURSE = "nurse"
    PATIENT = "patient"
    RESEARCHER = "researcher"


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    """A person who logs in.

    Attributes:
        username: the login name, unique.
        display_name: the name shown in pages and audit lists.
        role: what the user may do.
        password_hash: the argon2 hash of the password, made by the services.
        patient_id: for a patient-role user, the one record they may see.
        active: ``False`` once the account is disabled.
        created_at: when the account was made (timezone-aware).
        id: the store's identifier, ``None`` until stored.
    """

    username: str
    display_name: str
    role: Role
    password_hash: str
    created_at: datetime
    patient_id: int | None = None
    active: bool = True
    id: int | None = None

    def __post_init__(self) -> None:
        _require_text("username", self.username)
        _require_text("display_name", self.display_name)
        _require_text("password_hash", self.password_hash)
        require_aware("created_at", self.created_at)
        if self.patient_id is not None and self.role is not Role.PATIENT:
            raise ValidationError.single("patient_id", "only a patient-role user is linked to a record")


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiToken:
    """A long-lived credential for scripts and other systems, stored as its hash.

    Attributes:
        user_id: whose rights the token carries.
        name: what the owner calls it ("lab interface").
        token_hash: :func:`hash_token` of the token.
        created_at: when it was issued.
        expires_at: when it stops working, if ever.
        revoked_at: when it was revoked, if it was.
        last_used_at: when it was last presented.
    """

    user_id: int
    name: str
    token_hash: str
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        _require_text("name", self.name)
        _require_digest("token_hash", self.token_hash)
        for field in ("created_at", "expires_at", "revoked_at", "last_used_at"):
            require_aware(field, getattr(self, field))

    def usable(self, *, now: datetime) -> bool:
        """Whether the token is neither revoked nor expired at ``now``."""
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


@dataclass(frozen=True, slots=True, kw_only=True)
class WebSession:
    """A browser login, stored as the hash of the cookie's token.

    Attributes:
        user_id: who is logged in.
        token_hash: :func:`hash_token` of the cookie's token.
        csrf_token: the token forms must echo back.
        created_at: when the user logged in.
        expires_at: when the session ends.
    """

    user_id: int
    token_hash: str
    csrf_token: str
    created_at: datetime
    expires_at: datetime
    id: int | None = None

    def __post_init__(self) -> None:
        _require_digest("token_hash", self.token_hash)
        _require_text("csrf_token", self.csrf_token)
        require_aware("created_at", self.created_at)
        require_aware("expires_at", self.expires_at)
        if self.expires_at <= self.created_at:
            raise ValidationError.single("expires_at", "must be after created_at")

    def expired(self, *, now: datetime) -> bool:
        """Whether the session has ended at ``now``."""
        return now >= self.expires_at


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    """Who did what to which record, when, and whether it was allowed.

    Audit entries outlive the users and records they name, so they copy the username and role.

    Attributes:
        at: when it happened (timezone-aware; stored and returned in UTC).
        action: what was attempted, e.g. ``record.item.add``.
        outcome: how it ended, e.g. ``success``, ``denied`` or ``error``.
        user_id: who, when someone was logged in.
        username: the user's login name at the time.
        role: the user's role at the time.
        patient_id: whose record was touched.
        item_kind: which kind of record item.
        item_id: which item.
        detail: anything else worth keeping, in words.
        client: where the request came from (address, user agent).
    """

    at: datetime
    action: str
    outcome: str
    user_id: int | None = None
    username: str | None = None
    role: Role | None = None
    patient_id: int | None = None
    item_kind: ItemKind | None = None
    item_id: int | None = None
    detail: str | None = None
    client: str | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        require_aware("at", self.at)
        _require_text("action", self.action)
        _require_text("outcome", self.outcome)

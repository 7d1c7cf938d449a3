"""/api/users, /api/audit, /api/knowledge: administration and the knowledge base."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from immunocare import services
from immunocare.services.accounts import UserCreate, UserOut
from immunocare.services.knowledge import KnowledgeEntry, find_knowledge, knowledge_entry, knowledge_summary

from ._deps import ActorDep, ContextDep

__all__ = ["router"]

router = APIRouter()


class TokenRequest(BaseModel):
    """A request for an API token."""

    name: Annotated[str, Field(min_length=1, max_length=100)]
    days: Annotated[int, Field(strict=True, ge=1, le=3650)] = 365


class TokenCreated(BaseModel):
    """A new API token; the token is shown once."""

    token: str
    name: str
    expires_at: datetime


class AuditEntryOut(BaseModel):
    """One audit entry."""

    id: int | None
    at: datetime
    username: str | None
    role: str | None
    action: str
    outcome: str
    patient_id: int | None
    item_kind: str | None
    item_id: int | None
    detail: str | None
    client: str | None


@router.get("/api/users", response_model=list[UserOut], tags=["Administration"], summary="List users")
def users(ctx: ContextDep, actor: ActorDep) -> list[UserOut]:
    """Every user (administrators only)."""
    return services.list_users(ctx, actor=actor)


@router.post(
    "/api/users", response_model=UserOut, status_code=201, tags=["Administration"], summary="Add a user"
)
def add_user(ctx: ContextDep, actor: ActorDep, body: UserCreate) -> UserOut:
    """Add a user (administrators only)."""
    return services.create_user(ctx, actor=actor, data=body)


@router.post(
    "/api/users/{username}/tokens",
    response_model=TokenCreated,
    status_code=201,
    tags=["Administration"],
    summary="Issue an API token",
)
def add_token(ctx: ContextDep, actor: ActorDep, username: str, body: TokenRequest) -> TokenCreated:
    """A bearer token for a machine client acting as this user (administrators only)."""
    raw, token = services.create_api_token(
        ctx, actor=actor, username=username, name=body.name, days=body.days
    )
    return TokenCreated(token=raw, name=token.name, expires_at=token.expires_at)


@router.get(
    "/api/audit", response_model=list[AuditEntryOut], tags=["Administration"], summary="Read the audit log"
)
def audit(
    ctx: ContextDep,
    actor: ActorDep,
    patient_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    action: Annotated[str | None, Query(max_length=30)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[AuditEntryOut]:
    """Audit entries, newest first (administrators only)."""
    entries = services.list_audit_entries(
        ctx, actor=actor, patient_id=patient_id, action=action, limit=limit, offset=offset
    )
    return [AuditEntryOut.model_validate(entry, from_attributes=True) for entry in entries]


@router.get("/api/knowledge", tags=["Knowledge base"], summary="Search the knowledge base")
def knowledge(
    ctx: ContextDep,
    actor: ActorDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
    topic: Annotated[str | None, Query(max_length=50)] = None,
    unverified: bool = False,
) -> dict[str, Any]:
    """Knowledge items with their sources and verification status, and the version stamp."""
    entries = find_knowledge(ctx, actor=actor, text=q, topic=topic, unverified_only=unverified)
    return {"summary": knowledge_summary(ctx), "items": entries}


@router.get("/api/knowledge/{item_id}", tags=["Knowledge base"], summary="Read a knowledge item")
def knowledge_item(ctx: ContextDep, actor: ActorDep, item_id: str) -> KnowledgeEntry:
    """One knowledge item with its sources."""
    return knowledge_entry(ctx, actor=actor, item_id=item_id)

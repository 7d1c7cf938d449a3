"""The knowledge base review page and the audit log page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from immunocare.api import ContextDep
from immunocare.services import list_audit_entries
from immunocare.services.knowledge import find_knowledge, knowledge_entry

from ._render import render
from ._session import SessionDep, actor_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/knowledge")
def knowledge(
    request: Request,
    ctx: ContextDep,
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
    topic: Annotated[str | None, Query(max_length=50)] = None,
    unverified: bool = False,
) -> HTMLResponse:
    """Every knowledge item with its sources and verification status, searchable."""
    entries = find_knowledge(
        ctx, actor=actor_of(session), text=q, topic=topic or None, unverified_only=unverified
    )
    return render(
        request,
        "knowledge.html",
        ctx,
        session,
        entries=entries,
        q=q,
        topic=topic,
        unverified=unverified,
        topics=list(ctx.kb.topic_titles.items()),
        section="knowledge",
    )


@router.get("/knowledge/{item_id}")
def knowledge_item(request: Request, ctx: ContextDep, session: SessionDep, item_id: str) -> HTMLResponse:
    """One knowledge item in full."""
    entry = knowledge_entry(ctx, actor=actor_of(session), item_id=item_id)
    return render(request, "knowledge_item.html", ctx, session, entry=entry, section="knowledge")


@router.get("/audit")
def audit(
    request: Request,
    ctx: ContextDep,
    session: SessionDep,
    patient_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> HTMLResponse:
    """The audit log (administrators only)."""
    entries = list_audit_entries(ctx, actor=actor_of(session), patient_id=patient_id, limit=200)
    return render(
        request, "audit.html", ctx, session, entries=entries, patient_id=patient_id, section="audit"
    )

"""FastAPI dependencies: the service context and the acting user (API token or web session)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from immunocare.services import Actor, ServiceContext, session_actor, token_actor

__all__ = ["SESSION_COOKIE", "ActorDep", "ContextDep", "client_of", "current_actor", "service_context"]

SESSION_COOKIE = "immunocare_session"
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def service_context(request: Request) -> ServiceContext:
    """The context built at start-up."""
    ctx: ServiceContext = request.app.state.ctx
    return ctx


def client_of(request: Request) -> str | None:
    """The client's address, for the audit log."""
    return request.client.host if request.client else None


def current_actor(request: Request, ctx: Annotated[ServiceContext, Depends(service_context)]) -> Actor | None:
    """Who is calling: a bearer API token, or a web session (with its CSRF token on writes).

    ``None`` means nobody valid is logged in; the service decides (and audits) what that means.
    """
    client = client_of(request)
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return token_actor(ctx, token=authorization[7:].strip(), client=client)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    info = session_actor(ctx, token=cookie, client=client)
    if info is None:
        return None
    if request.method in _UNSAFE and request.headers.get("x-csrf-token") != info.csrf_token:
        return None
    return info.actor


ContextDep = Annotated[ServiceContext, Depends(service_context)]
ActorDep = Annotated[Actor | None, Depends(current_actor)]

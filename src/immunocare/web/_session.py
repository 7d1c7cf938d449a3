"""The web session of a page request, and the CSRF check of form posts."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request

from immunocare.api import SESSION_COOKIE, ContextDep, client_of
from immunocare.errors import PermissionDeniedError
from immunocare.services import Actor, SessionInfo, session_actor

__all__ = ["LOGIN_CSRF_COOKIE", "SessionDep", "actor_of", "new_token", "page_session", "verified_form"]

LOGIN_CSRF_COOKIE = "immunocare_login_csrf"


def page_session(request: Request, ctx: ContextDep) -> SessionInfo | None:
    """The logged-in session of this request, if any."""
    cookie = request.cookies.get(SESSION_COOKIE)
    return session_actor(ctx, token=cookie, client=client_of(request)) if cookie else None


SessionDep = Annotated[SessionInfo | None, Depends(page_session)]


def actor_of(session: SessionInfo | None) -> Actor | None:
    """The acting user of a page request; ``None`` lets the service refuse (and audit) it."""
    return session.actor if session else None


async def verified_form(request: Request, session: SessionDep) -> dict[str, str]:
    """The posted form, after checking its CSRF token against the session's."""
    form = await request.form()
    data = {key: value for key, value in form.items() if isinstance(value, str)}
    if session is not None and not secrets.compare_digest(data.get("csrf_token", ""), session.csrf_token):
        raise PermissionDeniedError("this form has expired; reload the page and try again")
    return data


def new_token() -> str:
    """A random token for a login form's CSRF cookie."""
    return secrets.token_urlsafe(24)

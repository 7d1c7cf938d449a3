"""Log in and log out."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from immunocare.api import SESSION_COOKIE, ContextDep, client_of
from immunocare.errors import AuthenticationError
from immunocare.services import login, logout
from immunocare.store import Role

from ._render import render
from ._session import LOGIN_CSRF_COOKIE, SessionDep, new_token, verified_form

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only local paths, so a crafted link cannot send a user elsewhere after login."""
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return "/"
    return target


def _login_page(
    request: Request,
    ctx: ContextDep,
    *,
    next_path: str,
    username: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    token = new_token()
    response = render(
        request,
        "login.html",
        ctx,
        None,
        status_code=status_code,
        login_csrf=token,
        next=next_path,
        username=username,
        error=error,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=ctx.settings.cookie_secure,
        max_age=3600,
    )
    return response


@router.get("/login")
def login_page(request: Request, ctx: ContextDep, next: str | None = None) -> HTMLResponse:  # noqa: A002
    """The login form."""
    return _login_page(request, ctx, next_path=_safe_next(next))


@router.post("/login", response_model=None)
def login_submit(
    request: Request,
    ctx: ContextDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=200)],
    login_csrf: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",  # noqa: A002
) -> Response:
    """Check the password, open a session and go where the user was heading."""
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie, login_csrf):
        return _login_page(
            request,
            ctx,
            next_path=_safe_next(next),
            username=username,
            error="The login form expired; please try again.",
            status_code=400,
        )
    try:
        result = login(ctx, username=username, password=password, client=client_of(request))
    except AuthenticationError:
        return _login_page(
            request,
            ctx,
            next_path=_safe_next(next),
            username=username,
            error="Wrong username or password.",
            status_code=401,
        )
    target = _safe_next(next)
    if result.user.role is Role.PATIENT and target == "/":
        target = f"/patients/{result.user.patient_id}"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        result.token,
        httponly=True,
        samesite="lax",
        secure=ctx.settings.cookie_secure,
        max_age=int(ctx.settings.session_hours * 3600),
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout", dependencies=[Depends(verified_form)])
def logout_submit(request: Request, ctx: ContextDep, session: SessionDep) -> RedirectResponse:
    """End the session."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie and session is not None:
        logout(ctx, token=cookie)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response

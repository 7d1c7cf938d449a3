"""Jinja2 templates with the filters and globals every page uses."""

from __future__ import annotations

from datetime import date, datetime
from importlib.resources import files
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from immunocare.domain import age_in_years
from immunocare.knowledge.review import criterion_outline, is_criterion, readable
from immunocare.services import ServiceContext, SessionInfo
from immunocare.services.knowledge import knowledge_summary

__all__ = ["render", "templates"]

templates = Jinja2Templates(directory=str(files("immunocare.web") / "templates"))


def _age(birth_date: date, on: date) -> str:
    years = age_in_years(birth_date, on)
    if years >= 2:
        return f"{int(years)} y"
    months = (on.year - birth_date.year) * 12 + on.month - birth_date.month - (on.day < birth_date.day)
    return f"{months} mo" if months >= 1 else f"{(on - birth_date).days} d"


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%d %b %Y") if isinstance(value, date) else str(value)


def _when(value: datetime | None) -> str:
    return value.strftime("%d %b %Y %H:%M") if value else ""


templates.env.filters["age"] = _age
templates.env.filters["day"] = _day
templates.env.filters["when"] = _when
templates.env.filters["pretty"] = readable
templates.env.filters["outline"] = criterion_outline
templates.env.tests["criterion"] = is_criterion


def render(
    request: Request,
    name: str,
    ctx: ServiceContext,
    session: SessionInfo | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page, with the session, the CSRF token and the knowledge-base stamp available to it."""
    base = {
        "session": session,
        "csrf_token": session.csrf_token if session else "",
        "kb": knowledge_summary(ctx),
        "today": ctx.today(),
    }
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)

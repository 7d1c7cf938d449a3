"""The web door: server-rendered pages (Jinja2 + htmx, no JavaScript build step).

Pages call the same services as the API. Forms are generated from the input schemas
(:mod:`.forms`); every form post carries the session's CSRF token (:mod:`._session`).
"""

from importlib.resources import files

from fastapi import APIRouter

from . import assessments, auth, browse, care_plan_view, differential_view, patients, population_view
from ._render import render, templates

__all__ = ["STATIC_DIR", "render", "templates", "web_routers"]

STATIC_DIR = str(files("immunocare.web") / "static")


def web_routers() -> list[APIRouter]:
    """Every page router."""
    return [
        auth.router,
        patients.router,
        assessments.router,
        browse.router,
        differential_view.router,
        care_plan_view.router,
        population_view.router,
    ]

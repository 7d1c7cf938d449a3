"""The JSON API door: thin routes that parse, call one service and render.

Errors are problem details (``application/problem+json``, see :mod:`._problems`); the acting user
comes from a bearer API token or a web session (:mod:`._deps`). OpenAPI is served at /docs.
"""

from fastapi import APIRouter

from . import admin, assessments, care_plans, cdshooks, items, patients, records
from ._deps import SESSION_COOKIE, ActorDep, ContextDep, client_of, current_actor, service_context
from ._problems import PROBLEM_JSON, problem_response, request_validation_issues

__all__ = [
    "PROBLEM_JSON",
    "SESSION_COOKIE",
    "ActorDep",
    "ContextDep",
    "api_routers",
    "client_of",
    "current_actor",
    "problem_response",
    "request_validation_issues",
    "service_context",
]


def api_routers() -> list[APIRouter]:
    """Every API router, in the order their routes are matched."""
    return [
        patients.router,
        records.router,
        items.router,
        assessments.router,
        care_plans.router,
        admin.router,
        cdshooks.router,
    ]

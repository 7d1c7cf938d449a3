"""Errors as RFC 9457 problem details (``application/problem+json``), mapped once for the whole API."""

from __future__ import annotations

from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from immunocare.errors import (
    AuthenticationError,
    ConflictError,
    FieldIssue,
    ImmunocareError,
    KnowledgeBaseError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)

__all__ = ["PROBLEM_JSON", "STATUS_OF", "problem_response", "request_validation_issues"]

PROBLEM_JSON = "application/problem+json"

STATUS_OF: dict[type[ImmunocareError], tuple[int, str]] = {
    ValidationError: (422, "Invalid input"),
    NotFoundError: (404, "Not found"),
    ConflictError: (409, "Conflict"),
    AuthenticationError: (401, "Not authenticated"),
    PermissionDeniedError: (403, "Forbidden"),
    KnowledgeBaseError: (500, "Knowledge base error"),
}
"""The HTTP status and title of each error of the tree (others are 500)."""


def _status(error: ImmunocareError) -> tuple[int, str]:
    for kind in type(error).__mro__:
        if kind in STATUS_OF:
            return STATUS_OF[kind]
    return 500, "Internal error"


def request_validation_issues(error: RequestValidationError) -> list[FieldIssue]:
    """FastAPI's request errors as field issues (``onset``, ``value.unit``, ``patient_id``)."""
    issues = []
    for detail in error.errors():
        location = [str(part) for part in detail.get("loc", ()) if part not in ("body", "path", "query")]
        message = str(detail.get("msg", "is invalid")).removeprefix("Value error, ")
        issues.append(FieldIssue(".".join(location) or "(body)", message))
    return issues


def problem_response(error: ImmunocareError, *, instance: str | None = None) -> JSONResponse:
    """The problem-details response for an error of the tree."""
    status, title = _status(error)
    body: dict[str, Any] = {
        "type": f"urn:immunocare:problem:{type(error).__name__}",
        "title": title,
        "status": status,
        "detail": str(error) if status != 500 or isinstance(error, KnowledgeBaseError) else title,
    }
    if instance:
        body["instance"] = instance
    if isinstance(error, ValidationError):
        body["errors"] = [{"field": issue.field, "message": issue.message} for issue in error.issues]
    headers = {"WWW-Authenticate": 'Bearer realm="immunocare"'} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)

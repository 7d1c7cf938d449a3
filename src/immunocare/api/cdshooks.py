"""/cds-services: the CDS Hooks 2.0 door (discovery, and the patient-view service).

Errors are problem details as everywhere in the API, with the statuses CDS Hooks expects: 400
for a malformed request or FHIR resource, 412 when prefetched data are missing, 401 without a
valid API token. These paths sit outside ``/api`` (the specification fixes them), so the route
renders its own errors rather than the web pages' error handler.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from immunocare.errors import ImmunocareError, ValidationError
from immunocare.interop.cdshooks import SERVICE_ID, MissingPrefetchError
from immunocare.services import cdshooks

from ._deps import ActorDep, ContextDep
from ._problems import PROBLEM_JSON, problem_response

__all__ = ["router"]

router = APIRouter(tags=["CDS Hooks"])

_STATUSES: tuple[tuple[type[ImmunocareError], int, str], ...] = (
    (MissingPrefetchError, 412, "Precondition Failed"),
    (ValidationError, 400, "Bad Request"),
)
"""CDS Hooks statuses for bad input (the rest of the tree keeps the API's statuses)."""


async def _body(request: Request) -> bytes:
    return await request.body()


def _problem(error: ImmunocareError, instance: str) -> JSONResponse:
    response = problem_response(error, instance=instance)
    for kind, status, title in _STATUSES:
        if isinstance(error, kind):
            body = json.loads(bytes(response.body)) | {"status": status, "title": title}
            return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)
    return response


@router.get("/cds-services", summary="CDS Hooks discovery")
def discovery() -> JSONResponse:
    """The CDS services immunocare offers, with their hooks and prefetch templates."""
    return JSONResponse(cdshooks.cds_discovery())


@router.post(f"/cds-services/{SERVICE_ID}", summary="CDS Hooks patient-view: immunodeficiency warning signs")
def patient_view(
    ctx: ContextDep, actor: ActorDep, request: Request, body: Annotated[bytes, Depends(_body)]
) -> JSONResponse:
    """Cards for the patient on screen: a CDS Hooks request with the prefetched FHIR R4 resources."""
    try:
        return JSONResponse(cdshooks.patient_view(ctx, actor=actor, body=body))
    except ImmunocareError as error:
        return _problem(error, request.url.path)

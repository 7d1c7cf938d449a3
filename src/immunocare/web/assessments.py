"""Decision-support pages: the worklist and a patient's work-up."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from immunocare.api import ContextDep
from immunocare.services.assessments import workup_patient
from immunocare.services.worklist import worklist

from ._lookup import KnowledgeLookup
from ._render import render
from ._session import SessionDep, actor_of
from .imaging_genetics_view import genetics_section, imaging_section
from .workup_view import fold, workup_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

PatientId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/worklist")
def worklist_page(request: Request, ctx: ContextDep, session: SessionDep) -> HTMLResponse:
    """Patients with enough warning signs and no known immunodeficiency, most signs first."""
    found = worklist(ctx, actor=actor_of(session))
    return render(
        request,
        "worklist.html",
        ctx,
        session,
        worklist=found,
        lookup=KnowledgeLookup(ctx.kb),
        section="worklist",
    )


@router.get("/patients/{patient_id}/workup")
def workup(
    request: Request, ctx: ContextDep, session: SessionDep, patient_id: PatientId, as_of: date | None = None
) -> HTMLResponse:
    """The work-up: results against their references, vaccine challenges, ESID classification, plan."""
    found = workup_patient(ctx, actor=actor_of(session), patient_id=patient_id, as_of=as_of)
    return render(
        request,
        "workup.html",
        ctx,
        session,
        workup=found,
        patient=found.record.patient,
        page=workup_page(found, ctx.kb),
        imaging=imaging_section(found),
        genetics=genetics_section(found),
        lookup=KnowledgeLookup(ctx.kb),
        fold=fold,
        section="patients",
    )

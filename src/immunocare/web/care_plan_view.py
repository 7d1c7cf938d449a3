"""The care-plan page: goals, therapies, monitoring, the infection action plan and the care team.

Each item can be accepted, edited (changed text and a note) or rejected with a CSRF-checked form;
the page shows unverified items as such and every item's sources. ``/care-plan.pdf`` is the same
page rendered for print by WeasyPrint.
"""

from __future__ import annotations

from datetime import date
from importlib.resources import files
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from immunocare.api import ContextDep
from immunocare.clinical.careplan import PlanItemKind
from immunocare.errors import ValidationError
from immunocare.services import Action, SessionInfo, permits
from immunocare.services.care_plans import care_plan_patient, decide_care_plan_item

from ._lookup import KnowledgeLookup
from ._render import render
from ._session import SessionDep, actor_of, verified_form
from .forms import errors_by_field

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

PatientId = Annotated[int, Path(ge=1, le=2**31 - 1)]
FormDep = Annotated[dict[str, str], Depends(verified_form)]
_STATIC = "/static/"
_STATIC_FILES = files("immunocare.web") / "static"
PARTS = (
    (PlanItemKind.GOAL, "Goals"),
    (PlanItemKind.THERAPY, "Therapies"),
    (PlanItemKind.MONITORING, "Monitoring"),
    (PlanItemKind.INFECTION_ACTION, "Infection action plan"),
)


def _page(
    request: Request,
    ctx: ContextDep,
    session: SessionInfo | None,
    patient_id: int,
    as_of: date | None,
    *,
    printing: bool = False,
    errors: dict[str, str] | None = None,
    failed_item: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    found = care_plan_patient(ctx, actor=actor_of(session), patient_id=patient_id, as_of=as_of)
    actor = actor_of(session)
    return render(
        request,
        "care_plan.html",
        ctx,
        session,
        status_code=status_code,
        found=found,
        patient=found.record.patient,
        parts=PARTS,
        can_decide=permits(actor, Action.UPDATE, patient_id=patient_id) and not printing,
        printing=printing,
        errors=errors or {},
        failed_item=failed_item,
        lookup=KnowledgeLookup(ctx.kb),
        section="patients",
    )


class _PackageFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
    """Serves the app's own stylesheet from the package and fetches nothing else (no network)."""

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        if _STATIC not in url:
            raise ValueError(f"the care-plan PDF fetches only the app's static files, not {url}")
        name = url.split(_STATIC, 1)[1].split("?", 1)[0]
        body = (_STATIC_FILES / name).read_bytes()
        return URLFetcherResponse(url, body, {"Content-Type": "text/css"})


@router.get("/patients/{patient_id}/care-plan")
def care_plan_page(
    request: Request, ctx: ContextDep, session: SessionDep, patient_id: PatientId, as_of: date | None = None
) -> HTMLResponse:
    """The care plan with its decisions, as of ``as_of`` (today by default)."""
    return _page(request, ctx, session, patient_id, as_of)


@router.get("/patients/{patient_id}/care-plan.pdf")
def care_plan_pdf(
    request: Request, ctx: ContextDep, session: SessionDep, patient_id: PatientId, as_of: date | None = None
) -> Response:
    """The care plan as a printable PDF (no buttons)."""
    page = _page(request, ctx, session, patient_id, as_of, printing=True)
    pdf = HTML(
        string=bytes(page.body).decode(), base_url=str(request.base_url), url_fetcher=_PackageFetcher()
    ).write_pdf()
    headers = {"Content-Disposition": f'inline; filename="care-plan-{patient_id}.pdf"'}
    return Response(content=pdf, media_type="application/pdf", headers=headers)


@router.post("/patients/{patient_id}/care-plan/decisions", response_model=None)
def decide(
    request: Request, ctx: ContextDep, session: SessionDep, form: FormDep, patient_id: PatientId
) -> Response:
    """Record a decision on one item and show the plan again, or the page with the error."""
    item_id = form.get("item_id", "")
    try:
        decide_care_plan_item(
            ctx,
            actor=actor_of(session),
            patient_id=patient_id,
            item_id=item_id,
            decision=form.get("decision", ""),
            text=form.get("text") or None,
            note=form.get("note") or None,
        )
    except ValidationError as error:
        errors = errors_by_field(list(error.issues))
        return _page(
            request, ctx, session, patient_id, None, errors=errors, failed_item=item_id, status_code=422
        )
    return RedirectResponse(f"/patients/{patient_id}/care-plan#item-{item_id}", status_code=303)

"""The Population page: run a case-finding screen on a configured OMOP source and browse its results.

``GET /population`` shows the form (source, as-of day, engine) and the runs kept by this process.
Posting it starts a run in the background and leads to the run's page, which polls its status with
htmx (``/status``, every few seconds) and reloads itself when the run ends. A finished run shows
its ranked list (sortable, paged, filtered by sign), the surveillance-gap and already-coded lists,
and the HTML report with its plots; the ranked list downloads as CSV.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from immunocare.api import ContextDep
from immunocare.errors import ValidationError
from immunocare.services import SessionInfo
from immunocare.services.population import (
    ENGINES,
    SORTS,
    FramePage,
    PopulationRun,
    PopulationScreens,
    frame_page,
    ranked_page,
)

from ._render import render
from ._session import SessionDep, actor_of, verified_form
from .forms import errors_by_field

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

FormDep = Annotated[dict[str, str], Depends(verified_form)]
View = Literal["ranked", "gap", "coded", "report"]
POLL_SECONDS = 2


def _screens(request: Request) -> PopulationScreens:
    screens: PopulationScreens = request.app.state.population
    return screens


ScreensDep = Annotated[PopulationScreens, Depends(_screens)]


def _form_page(
    request: Request,
    ctx: ContextDep,
    session: SessionInfo | None,
    screens: PopulationScreens,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    actor = actor_of(session)
    return render(
        request,
        "population.html",
        ctx,
        session,
        status_code,
        sources=screens.sources(ctx, actor=actor),
        runs=screens.runs(ctx, actor=actor),
        engines=ENGINES,
        values=values or {},
        errors=errors or {},
        now=ctx.now(),
        section="population",
    )


@router.get("/population")
def population(request: Request, ctx: ContextDep, session: SessionDep, screens: ScreensDep) -> HTMLResponse:
    """The form to start a screen, and the runs kept by this server."""
    return _form_page(request, ctx, session, screens)


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError.single("as_of", f"{text!r} is not a date (YYYY-MM-DD)") from None


@router.post("/population/runs", response_model=None)
def start_run(
    request: Request, ctx: ContextDep, session: SessionDep, screens: ScreensDep, form: FormDep
) -> Response:
    """Start a screen in the background and go to its page."""
    try:
        run = screens.start(
            ctx,
            actor=actor_of(session),
            source=form.get("source", ""),
            engine=form.get("engine", ""),
            as_of=_as_of(form.get("as_of", "")),
        )
    except ValidationError as error:
        errors = errors_by_field(list(error.issues))
        return _form_page(request, ctx, session, screens, values=form, errors=errors, status_code=422)
    return RedirectResponse(f"/population/runs/{run.id}", status_code=303)


@router.get("/population/runs/{run_id}")
def run_page(
    request: Request,
    ctx: ContextDep,
    session: SessionDep,
    screens: ScreensDep,
    run_id: str,
    view: View = "ranked",
    sort: Annotated[str, Query(max_length=20)] = "score",
    order: Literal["asc", "desc"] = "desc",
    sign: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=2**31 - 1)] = 1,
) -> HTMLResponse:
    """A run: its status while it runs; its lists and report once it is done."""
    run = screens.get(ctx, actor=actor_of(session), run_id=run_id)
    lists: dict[str, FramePage] = {}
    if run.result is not None:
        if view == "ranked":
            descending = order == "desc"
            lists["ranked"] = ranked_page(run, sort=sort, descending=descending, sign=sign or None, page=page)
        elif view == "gap":
            lists["gap"] = frame_page(run.result.surveillance_gap, page=page)
        elif view == "coded":
            lists["coded"] = frame_page(run.result.already_coded, page=page)
    state = {"view": view, "sort": sort, "order": order, "sign": sign, "page": 1}

    def link(changes: dict[str, object]) -> str:
        return f"/population/runs/{run.id}?{urlencode(state | changes)}"

    return render(
        request,
        "population_run.html",
        ctx,
        session,
        run=run,
        now=ctx.now(),
        poll=POLL_SECONDS,
        view=view,
        sort=sort,
        order=order,
        sign=sign,
        sorts=SORTS,
        lists=lists,
        link=link,
        section="population",
    )


@router.get("/population/runs/{run_id}/status")
def run_status(
    request: Request, ctx: ContextDep, session: SessionDep, screens: ScreensDep, run_id: str
) -> HTMLResponse:
    """The run's status (an htmx fragment); once the run has ended, htmx reloads the page."""
    run = screens.get(ctx, actor=actor_of(session), run_id=run_id)
    response = render(
        request, "_population_status.html", ctx, session, run=run, now=ctx.now(), poll=POLL_SECONDS
    )
    if run.finished:
        response.headers["HX-Refresh"] = "true"
    return response


def _finished(screens: PopulationScreens, ctx: ContextDep, session: SessionDep, run_id: str) -> PopulationRun:
    run = screens.get(ctx, actor=actor_of(session), run_id=run_id)
    if run.report is None:
        raise ValidationError.single("run", f"run {run.id} has no result ({run.state.value})")
    return run


@router.get("/population/runs/{run_id}/report.html")
def run_report(ctx: ContextDep, session: SessionDep, screens: ScreensDep, run_id: str) -> HTMLResponse:
    """The run's self-contained HTML report."""
    report = _finished(screens, ctx, session, run_id).report
    return HTMLResponse(report)


@router.get("/population/runs/{run_id}/ranked.csv")
def ranked_csv(ctx: ContextDep, session: SessionDep, screens: ScreensDep, run_id: str) -> Response:
    """The ranked list as CSV (person_id, score, n_signs, to_refer, signs, reasons)."""
    run = _finished(screens, ctx, session, run_id)
    frame = screens.exported(ctx, actor=actor_of(session), run_id=run.id)
    name = f"population-{run.as_of.isoformat()}-{run.id}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(frame.to_csv(index=False), media_type="text/csv; charset=utf-8", headers=headers)

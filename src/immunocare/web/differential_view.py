"""The work-up page's Differential panel: ranked diseases, the patient's HPO terms, the gene panel.

The panel loads itself into the work-up page with htmx (``GET /patients/{id}/differential``);
adding or removing a term re-ranks without changing the record. An HPO search box asks
``GET /hpo/search`` for matching terms. The gene panel and the phenopacket download as files.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from immunocare.api import ContextDep
from immunocare.services.differential import PatientDifferential, patient_differential

from ._lookup import KnowledgeLookup
from ._render import render
from ._session import SessionDep, actor_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

PatientId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Terms = Annotated[list[str], Query(max_length=50)]
_SEARCH_LIMIT = 12


def _found(
    ctx: ContextDep,
    session: SessionDep,
    patient_id: int,
    as_of: date | None,
    add: list[str],
    remove: list[str],
) -> PatientDifferential:
    return patient_differential(
        ctx, actor=actor_of(session), patient_id=patient_id, as_of=as_of, added=add, removed=remove
    )


@router.get("/patients/{patient_id}/differential")
def differential_panel(
    request: Request,
    ctx: ContextDep,
    session: SessionDep,
    patient_id: PatientId,
    as_of: date | None = None,
    add: Terms = [],  # noqa: B006 - FastAPI reads the default, it is never mutated
    remove: Terms = [],  # noqa: B006
) -> HTMLResponse:
    """The Differential panel (an HTML fragment for the work-up page)."""
    found = _found(ctx, session, patient_id, as_of, add, remove)
    return render(
        request,
        "_differential.html",
        ctx,
        session,
        found=found,
        lookup=KnowledgeLookup(ctx.kb),
        add=add,
        remove=remove,
    )


@router.get("/patients/{patient_id}/differential/panel.txt")
def gene_panel_download(
    ctx: ContextDep,
    session: SessionDep,
    patient_id: PatientId,
    as_of: date | None = None,
    add: Terms = [],  # noqa: B006
    remove: Terms = [],  # noqa: B006
) -> PlainTextResponse:
    """The gene panel as a text file a genetics laboratory can read."""
    found = _found(ctx, session, patient_id, as_of, add, remove)
    text = "\n".join([*found.panel.lines(), "", found.acknowledgement]) + "\n"
    headers = {"Content-Disposition": f'attachment; filename="gene-panel-patient-{patient_id}.txt"'}
    return PlainTextResponse(text, headers=headers)


@router.get("/patients/{patient_id}/differential/phenopacket.json")
def phenopacket_download(
    ctx: ContextDep,
    session: SessionDep,
    patient_id: PatientId,
    as_of: date | None = None,
    add: Terms = [],  # noqa: B006
    remove: Terms = [],  # noqa: B006
) -> Response:
    """The phenotype ranked on, as a GA4GH Phenopacket v2 JSON document."""
    found = _found(ctx, session, patient_id, as_of, add, remove)
    body = json.dumps(found.phenopacket(ctx.clock.now()), indent=2, ensure_ascii=False)
    headers = {"Content-Disposition": f'attachment; filename="phenopacket-patient-{patient_id}.json"'}
    return Response(body, media_type="application/json", headers=headers)


@router.get("/hpo/search")
def hpo_search(
    request: Request,
    ctx: ContextDep,
    session: SessionDep,
    q: Annotated[str, Query(max_length=100)] = "",
    panel: Annotated[
        str, Query(max_length=2000, pattern=r"^/patients/\d+/differential\?")
    ] = "/patients/0/differential?",
) -> HTMLResponse:
    """HPO terms whose name contains ``q`` (any case) (an HTML list of options, for htmx)."""
    needle = q.strip().casefold()
    terms: list[tuple[str, str]] = []
    if len(needle) >= 3:
        matches = (t for t in ctx.kb.hpo.ontology if needle in t.name.casefold() and not t.is_obsolete)
        terms = [(t.id, t.name) for _, t in zip(range(_SEARCH_LIMIT), matches, strict=False)]
    return render(
        request, "_hpo_options.html", ctx, session, terms=terms, release=ctx.kb.hpo.release, panel=panel
    )

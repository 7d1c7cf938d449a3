"""Patient pages: the list with search, registration, the chart, and forms to add record items."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import pydantic
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from immunocare.api import ContextDep
from immunocare.domain import ItemKind, PatientRecord, summarize, timeline
from immunocare.domain.units import UNITS
from immunocare.errors import ValidationError
from immunocare.knowledge.topics.analytes import Analyte
from immunocare.knowledge.topics.vaccines import Vaccine
from immunocare.services import (
    Action,
    ServiceContext,
    SessionInfo,
    add_item,
    create_patient,
    get_record,
    permits,
    search_patients,
)
from immunocare.services.assessments import recognize_patient
from immunocare.services.schemas import ITEM_SCHEMAS, PatientIn, issues_from_pydantic
from immunocare.store import Role

from ._lookup import KnowledgeLookup
from ._render import render
from ._session import SessionDep, actor_of, verified_form
from .forms import errors_by_field, form_context, form_fields, parse_form

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

PatientId = Annotated[int, Path(ge=1, le=2**31 - 1)]
FormDep = Annotated[dict[str, str], Depends(verified_form)]
_SIDE_KINDS = (
    ItemKind.DIAGNOSES,
    ItemKind.MEDICATIONS,
    ItemKind.GENETIC_FINDINGS,
    ItemKind.IMAGING,
    ItemKind.PHENOTYPES,
    ItemKind.FAMILY_HISTORY,
    ItemKind.CARE_TEAM,
)
_TIMELINE_KINDS = tuple(k for k in ItemKind if k not in (ItemKind.FAMILY_HISTORY, ItemKind.CARE_TEAM))


@dataclass(frozen=True, slots=True)
class _Section:
    kind: ItemKind
    lines: list[str]


@router.get("/")
def home(session: SessionDep) -> RedirectResponse:
    """Patients see their own record; everyone else the patient list."""
    if session is None:
        return RedirectResponse("/login", status_code=303)
    if session.actor.role is Role.PATIENT:
        return RedirectResponse(f"/patients/{session.actor.patient_id}", status_code=303)
    return RedirectResponse("/patients", status_code=303)


@router.get("/patients")
def patient_list(
    request: Request,
    ctx: ContextDep,
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> HTMLResponse:
    """The patient list; htmx search requests get only the rows."""
    page = search_patients(ctx, actor=actor_of(session), text=q, limit=100)
    name = "_patient_rows.html" if request.headers.get("hx-request") else "patients.html"
    return render(request, name, ctx, session, page=page, q=q, section="patients")


def _patient_form(
    request: Request,
    ctx: ServiceContext,
    session: SessionInfo | None,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "patient_form.html",
        ctx,
        session,
        status_code,
        **form_context(PatientIn, values, errors),
        section="patients",
    )


@router.get("/patients/new")
def new_patient(request: Request, ctx: ContextDep, session: SessionDep) -> Response:
    """The registration form."""
    if not permits(actor_of(session), Action.CREATE):
        return (
            RedirectResponse("/login?next=/patients/new", status_code=303)
            if session is None
            else render(
                request,
                "error.html",
                ctx,
                session,
                403,
                title="Not allowed",
                message="Your role may not register patients.",
            )
        )
    return _patient_form(request, ctx, session, {}, {})


@router.post("/patients/new", response_model=None)
def register_patient(request: Request, ctx: ContextDep, session: SessionDep, form: FormDep) -> Response:
    """Register the patient and open the chart, or show the form again with its errors."""
    try:
        data = PatientIn.model_validate(parse_form(PatientIn, form))
        patient = create_patient(ctx, actor=actor_of(session), data=data)
    except pydantic.ValidationError as error:
        return _patient_form(request, ctx, session, form, errors_by_field(issues_from_pydantic(error)), 422)
    except ValidationError as error:
        return _patient_form(request, ctx, session, form, errors_by_field(list(error.issues)), 422)
    return RedirectResponse(f"/patients/{patient.id}", status_code=303)


def _side_sections(record: PatientRecord) -> list[_Section]:
    return [_Section(kind, [summarize(item) for item in record.items(kind)]) for kind in _SIDE_KINDS]


@router.get("/patients/{patient_id}")
def chart(
    request: Request,
    ctx: ContextDep,
    session: SessionDep,
    patient_id: PatientId,
    kind: ItemKind | None = None,
    added: ItemKind | None = None,
) -> HTMLResponse:
    """The patient's chart: demographics, warning signs, the timeline and the record's lists."""
    actor = actor_of(session)
    found = recognize_patient(ctx, actor=actor, patient_id=patient_id)
    record = found.record
    addable = [k for k in ItemKind if permits(actor, Action.CREATE, patient_id=patient_id, kind=k)]
    return render(
        request,
        "chart.html",
        ctx,
        session,
        patient=record.patient,
        section="patients",
        timeline=timeline(record, kinds=frozenset({kind}) if kind else None),
        kind_filter=kind,
        timeline_kinds=_TIMELINE_KINDS,
        side_sections=_side_sections(record),
        addable=addable,
        added=added,
        recognition=found.recognition,
        clinical=permits(actor, Action.LIST),
        lookup=KnowledgeLookup(ctx.kb),
    )


def _item_form(
    request: Request,
    ctx: ServiceContext,
    session: SessionInfo | None,
    patient_id: int,
    kind: ItemKind,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    record = get_record(ctx, actor=actor_of(session), patient_id=patient_id)
    return render(
        request,
        "item_form.html",
        ctx,
        session,
        status_code=status_code,
        patient=record.patient,
        kind=kind,
        **form_context(ITEM_SCHEMAS[kind].schema_in, values, errors),
        section="patients",
        units=sorted(UNITS),
        analytes=[a for a in ctx.kb.of(Analyte) if a.loinc],
        cvx_codes=[(v.cvx, v.title) for v in ctx.kb.of(Vaccine)],
    )


@router.get("/patients/{patient_id}/{kind}/new")
def new_item(
    request: Request, ctx: ContextDep, session: SessionDep, patient_id: PatientId, kind: ItemKind
) -> HTMLResponse:
    """The form to add one item of a kind."""
    return _item_form(request, ctx, session, patient_id, kind, {}, {})


@router.post("/patients/{patient_id}/{kind}/new", response_model=None)
def save_item(
    request: Request,
    ctx: ContextDep,
    session: SessionDep,
    form: FormDep,
    patient_id: PatientId,
    kind: ItemKind,
) -> Response:
    """Add the item and return to the chart, or show the form again with its errors."""
    schema = ITEM_SCHEMAS[kind].schema_in
    try:
        data = schema.model_validate(parse_form(schema, form))
        add_item(ctx, actor=actor_of(session), patient_id=patient_id, kind=kind, data=data)
    except pydantic.ValidationError as error:
        return _item_form(
            request, ctx, session, patient_id, kind, form, errors_by_field(issues_from_pydantic(error)), 422
        )
    except ValidationError as error:
        return _item_form(
            request, ctx, session, patient_id, kind, form, errors_by_field(list(error.issues)), 422
        )
    return RedirectResponse(f"/patients/{patient_id}?added={kind.value}", status_code=303)


@router.get("/forms/row")
def form_row(
    request: Request,
    ctx: ContextDep,
    session: SessionDep,
    kind: ItemKind,
    field: Annotated[str, Query(max_length=50)],
    index: Annotated[int, Query(ge=0, le=50)],
) -> HTMLResponse:
    """One more row of a repeated group (an antibiotic course, an adverse event), for htmx."""
    specs = {spec.name: spec for spec in form_fields(ITEM_SCHEMAS[kind].schema_in) if spec.widget == "rows"}
    if field not in specs:
        return HTMLResponse("", status_code=404)
    return render(request, "_form_row.html", ctx, session, spec=specs[field], index=index, kind=kind)

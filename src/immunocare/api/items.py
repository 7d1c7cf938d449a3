"""/api/patients/{id}/{kind}: the same five routes for every kind of record item.

The routes are built per kind from :data:`~immunocare.services.schemas.ITEM_SCHEMAS`, so each kind
has its own typed request and response schema in the OpenAPI document.
"""

# No `from __future__ import annotations` here: FastAPI reads these annotations at definition
# time, and they name each kind's schema classes held in local variables.

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from immunocare import services
from immunocare.domain import ItemKind
from immunocare.services.schemas import ITEM_SCHEMAS

from ._deps import ActorDep, ContextDep
from .patients import PatientId

__all__ = ["router"]

router = APIRouter(prefix="/api/patients/{patient_id}")

ItemId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The item's identifier.")]


def _register(kind: ItemKind) -> None:
    schema_in, schema_out = ITEM_SCHEMAS[kind].schema_in, ITEM_SCHEMAS[kind].schema_out
    path, noun = f"/{kind.value}", kind.item_label
    tags: list[str | Enum] = [kind.label]

    @router.get(
        path,
        response_model=list[schema_out],  # type: ignore[valid-type]
        tags=tags,
        summary=f"List {kind.label.lower()}",
        operation_id=f"list_{kind.value}",
    )
    def list_items(ctx: ContextDep, actor: ActorDep, patient_id: PatientId) -> Any:
        return services.list_items(ctx, actor=actor, patient_id=patient_id, kind=kind)

    @router.post(
        path,
        response_model=schema_out,
        status_code=201,
        tags=tags,
        summary=f"Add a {noun}",
        operation_id=f"add_{kind.value}",
    )
    def add(ctx: ContextDep, actor: ActorDep, patient_id: PatientId, body: schema_in) -> Any:  # type: ignore[valid-type]
        return services.add_item(ctx, actor=actor, patient_id=patient_id, kind=kind, data=body)

    @router.get(
        f"{path}/{{item_id}}",
        response_model=schema_out,
        tags=tags,
        summary=f"Read a {noun}",
        operation_id=f"get_{kind.value}",
    )
    def read(ctx: ContextDep, actor: ActorDep, patient_id: PatientId, item_id: ItemId) -> Any:
        return services.get_item(ctx, actor=actor, patient_id=patient_id, kind=kind, item_id=item_id)

    @router.put(
        f"{path}/{{item_id}}",
        response_model=schema_out,
        tags=tags,
        summary=f"Correct a {noun}",
        operation_id=f"replace_{kind.value}",
    )
    def replace(
        ctx: ContextDep,
        actor: ActorDep,
        patient_id: PatientId,
        item_id: ItemId,
        body: schema_in,  # type: ignore[valid-type]
    ) -> Any:
        return services.replace_item(
            ctx, actor=actor, patient_id=patient_id, kind=kind, item_id=item_id, data=body
        )

    @router.delete(
        f"{path}/{{item_id}}",
        status_code=204,
        tags=tags,
        summary=f"Delete a {noun}",
        operation_id=f"delete_{kind.value}",
    )
    def delete(ctx: ContextDep, actor: ActorDep, patient_id: PatientId, item_id: ItemId) -> Response:
        services.delete_item(ctx, actor=actor, patient_id=patient_id, kind=kind, item_id=item_id)
        return Response(status_code=204)


for _kind in ItemKind:
    _register(_kind)

"""Use cases on record items: add, read, replace, delete and list, for every kind of item."""

from __future__ import annotations

from typing import Any

from immunocare.domain import ItemKind, PatientRecord, RecordItem
from immunocare.errors import ValidationError
from immunocare.store import PatientRepository, RecordRepository

from ._checks import check_item
from ._context import Actor, ServiceContext, transaction
from .authz import Action, audit, authorize
from .schemas import ITEM_SCHEMAS, DomainModel, PhenotypeIn

__all__ = [
    "add_item",
    "delete_item",
    "get_item",
    "get_record",
    "list_items",
    "replace_item",
    "to_domain_item",
]


def _with_hpo_label(ctx: ServiceContext, data: PhenotypeIn) -> PhenotypeIn:
    term = ctx.kb.hpo.term(data.hpo_id)
    if term.obsolete:
        hint = f"; use {term.replaced_by}" if term.replaced_by else ""
        raise ValidationError.single(
            "hpo_id", f"{term.id} ({term.name}) is obsolete in HPO {ctx.kb.hpo.release}{hint}"
        )
    return data if data.label else data.model_copy(update={"label": term.name})


def to_domain_item(
    ctx: ServiceContext, kind: ItemKind, data: DomainModel, item_id: int | None = None
) -> RecordItem:
    """Convert an input schema to its domain item, resolving what needs the knowledge base."""
    if not isinstance(data, ITEM_SCHEMAS[kind].schema_in):
        raise ValidationError.single(
            "kind", f"expected {ITEM_SCHEMAS[kind].schema_in.__name__} for {kind.value}"
        )
    if isinstance(data, PhenotypeIn):
        data = _with_hpo_label(ctx, data)
    item: RecordItem = data.to_domain(zone=ctx.settings.zone, id=item_id)
    return item


def _out(kind: ItemKind, item: RecordItem) -> Any:
    return ITEM_SCHEMAS[kind].schema_out.from_domain(item)


def _write(
    ctx: ServiceContext,
    actor: Actor | None,
    *,
    patient_id: int,
    kind: ItemKind,
    data: DomainModel,
    item_id: int | None = None,
) -> Any:
    """Add an item (no ``item_id``) or replace one, after checking it against the patient."""
    action = Action.CREATE if item_id is None else Action.UPDATE
    actor = authorize(ctx, actor, action, patient_id=patient_id, kind=kind, item_id=item_id)
    item = to_domain_item(ctx, kind, data, item_id)
    with transaction(ctx) as session:
        patient = PatientRepository(session).get(patient_id=patient_id)
        check_item(ctx, patient, item)
        records = RecordRepository(session)
        if item_id is None:
            stored = records.add(patient_id=patient_id, kind=kind, item=item)
        else:
            stored = records.replace(patient_id=patient_id, kind=kind, item_id=item_id, item=item)
        audit(ctx, session, actor, action, patient_id=patient_id, kind=kind, item_id=stored.id)
    return _out(kind, stored)


def add_item(
    ctx: ServiceContext, *, actor: Actor | None, patient_id: int, kind: ItemKind, data: DomainModel
) -> Any:
    """Add an item to a patient's record; returns its output schema with the new id."""
    return _write(ctx, actor, patient_id=patient_id, kind=kind, data=data)


def get_item(
    ctx: ServiceContext, *, actor: Actor | None, patient_id: int, kind: ItemKind, item_id: int
) -> Any:
    """One item of a patient's record."""
    actor = authorize(ctx, actor, Action.READ, patient_id=patient_id, kind=kind, item_id=item_id)
    with transaction(ctx) as session:
        item = RecordRepository(session).get(patient_id=patient_id, kind=kind, item_id=item_id)
        audit(ctx, session, actor, Action.READ, patient_id=patient_id, kind=kind, item_id=item_id)
    return _out(kind, item)


def replace_item(
    ctx: ServiceContext,
    *,
    actor: Actor | None,
    patient_id: int,
    kind: ItemKind,
    item_id: int,
    data: DomainModel,
) -> Any:
    """Replace an item with a corrected version (same id)."""
    return _write(ctx, actor, patient_id=patient_id, kind=kind, data=data, item_id=item_id)


def delete_item(
    ctx: ServiceContext, *, actor: Actor | None, patient_id: int, kind: ItemKind, item_id: int
) -> None:
    """Delete an item; the audit entry keeps what it said."""
    actor = authorize(ctx, actor, Action.DELETE, patient_id=patient_id, kind=kind, item_id=item_id)
    with transaction(ctx) as session:
        deleted = RecordRepository(session).delete(patient_id=patient_id, kind=kind, item_id=item_id)
        detail = _out(kind, deleted).model_dump_json()
        audit(
            ctx,
            session,
            actor,
            Action.DELETE,
            patient_id=patient_id,
            kind=kind,
            item_id=item_id,
            detail=detail,
        )


def list_items(ctx: ServiceContext, *, actor: Actor | None, patient_id: int, kind: ItemKind) -> list[Any]:
    """Every item of one kind in a patient's record, in date order."""
    actor = authorize(ctx, actor, Action.READ, patient_id=patient_id, kind=kind)
    with transaction(ctx) as session:
        PatientRepository(session).get(patient_id=patient_id)
        items = RecordRepository(session).list(patient_id=patient_id, kind=kind)
        audit(
            ctx, session, actor, Action.READ, patient_id=patient_id, kind=kind, detail=f"{len(items)} items"
        )
    return [_out(kind, item) for item in items]


def get_record(ctx: ServiceContext, *, actor: Actor | None, patient_id: int) -> PatientRecord:
    """A patient's whole record, as the clinical core reads it."""
    actor = authorize(ctx, actor, Action.READ, patient_id=patient_id)
    with transaction(ctx) as session:
        record = RecordRepository(session).load(patient_id=patient_id)
        audit(ctx, session, actor, Action.READ, patient_id=patient_id, detail="whole record")
    return record

"""The items of a patient's record, one table per :class:`~immunocare.domain.ItemKind`."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from immunocare.domain import ITEM_TYPES, ItemKind, Patient, PatientRecord, RecordItem
from immunocare.errors import NotFoundError, ValidationError

from ._mapping import from_row, to_row, update_row
from ._patients import patient_row
from .tables import ITEM_ROWS, ItemRow

__all__ = ["RecordRepository"]

ItemT = TypeVar("ItemT", bound=RecordItem)


def _check_kind(kind: ItemKind, item: RecordItem) -> None:
    expected = ITEM_TYPES[kind]
    if type(item) is not expected:
        raise ValidationError.single(
            "kind", f"{kind.value} holds {expected.__name__} items, not {type(item).__name__}"
        )


class RecordRepository:
    """Record items, always addressed through their patient; the caller owns the transaction.

    An item id that exists but belongs to another patient is treated as missing, so one patient's
    URL can never reach another patient's data.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, *, patient_id: int, kind: ItemKind, item: ItemT) -> ItemT:
        """Store a new item in a patient's record and return it with its id.

        Raises:
            NotFoundError: there is no such patient.
            ValidationError: the item is not of ``kind``, or already has an id.
        """
        _check_kind(kind, item)
        if item.id is not None:
            raise ValidationError.single("id", "is assigned by the store; leave it empty for a new item")
        patient_row(self._session, patient_id)
        row = to_row(ITEM_ROWS[kind], item, patient_id=patient_id)
        self._session.add(row)
        self._session.flush()
        return dataclasses.replace(item, id=row.id)

    def get(self, *, patient_id: int, kind: ItemKind, item_id: int) -> RecordItem:
        """One item of a patient's record.

        Raises:
            NotFoundError: no item of that kind and id belongs to this patient.
        """
        return from_row(ITEM_TYPES[kind], self._row(patient_id, kind, item_id))

    def replace(self, *, patient_id: int, kind: ItemKind, item_id: int, item: ItemT) -> ItemT:
        """Overwrite a stored item with ``item``; returns ``item`` carrying ``item_id``.

        Raises:
            NotFoundError: no item of that kind and id belongs to this patient.
            ValidationError: the item is not of ``kind``, or carries another id.
        """
        _check_kind(kind, item)
        if item.id not in (None, item_id):
            raise ValidationError.single("id", f"is {item.id}, but item {item_id} is being replaced")
        row = self._row(patient_id, kind, item_id)
        update_row(row, item)
        self._session.flush()
        return dataclasses.replace(item, id=item_id)

    def delete(self, *, patient_id: int, kind: ItemKind, item_id: int) -> RecordItem:
        """Delete an item of a patient's record and return what it held.

        Raises:
            NotFoundError: no item of that kind and id belongs to this patient.
        """
        row = self._row(patient_id, kind, item_id)
        item = from_row(ITEM_TYPES[kind], row)
        self._session.delete(row)
        self._session.flush()
        return item

    def list(self, *, patient_id: int, kind: ItemKind) -> tuple[RecordItem, ...]:
        """A patient's items of one kind in date order (undated ones last, then by entry).

        Raises:
            NotFoundError: there is no such patient.
        """
        patient_row(self._session, patient_id)
        return self._items(patient_id, kind)

    def load(self, *, patient_id: int) -> PatientRecord:
        """The whole record: the patient and every kind of item, each in date order.

        Raises:
            NotFoundError: there is no such patient.
        """
        patient = from_row(Patient, patient_row(self._session, patient_id))
        items: dict[str, Any] = {kind.value: self._items(patient_id, kind) for kind in ItemKind}
        return PatientRecord(patient=patient, **items)

    def _items(self, patient_id: int, kind: ItemKind) -> tuple[RecordItem, ...]:
        row_type = ITEM_ROWS[kind]
        by_date = (
            [] if row_type.sort_date is None else [getattr(row_type, row_type.sort_date).asc().nulls_last()]
        )
        query = select(row_type).where(row_type.patient_id == patient_id).order_by(*by_date, row_type.id)
        return tuple(from_row(ITEM_TYPES[kind], row) for row in self._session.scalars(query))

    def _row(self, patient_id: int, kind: ItemKind, item_id: int) -> ItemRow:
        row = self._session.get(ITEM_ROWS[kind], item_id)
        if row is None or row.patient_id != patient_id:
            raise NotFoundError(f"patient {patient_id} has no {kind.item_label} with id {item_id}")
        return row

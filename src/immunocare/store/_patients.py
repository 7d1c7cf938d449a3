"""Patients: add, find, search, update and delete (which deletes the whole record)."""

from __future__ import annotations

import dataclasses

from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.orm import Session

from immunocare.domain import Patient
from immunocare.errors import NotFoundError, ValidationError

from ._mapping import from_row, to_row, update_row
from ._writes import check_page, savepoint
from .engine import unicode_lower
from .tables import PatientRow

__all__ = ["PatientRepository", "patient_row"]

_SEARCHED = (PatientRow.mrn, PatientRow.family_name, PatientRow.given_names)


def _matches(text: str | None) -> ColumnElement[bool]:
    """Every word of ``text`` appears, in any letter case, in the MRN or one of the names."""
    words = (text or "").lower().split()
    return and_(
        true(),
        *(
            or_(*(unicode_lower(column).contains(word, autoescape=True) for column in _SEARCHED))
            for word in words
        ),
    )


def patient_row(session: Session, patient_id: int) -> PatientRow:
    """The row of a patient.

    Raises:
        NotFoundError: there is no such patient.
    """
    row = session.get(PatientRow, patient_id)
    if row is None:
        raise NotFoundError(f"no patient with id {patient_id}")
    return row


def _conflict(patient: Patient) -> str:
    return f"a patient with MRN {patient.mrn!r} already exists"


class PatientRepository:
    """The patients table; the caller's session owns the transaction (nothing is committed here)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, *, patient: Patient) -> Patient:
        """Store a new patient and return it with its id.

        Raises:
            ValidationError: the patient already has an id.
            ConflictError: another patient has the same MRN; nothing is written.
        """
        if patient.id is not None:
            raise ValidationError.single("id", "is assigned by the store; leave it empty for a new patient")
        row = to_row(PatientRow, patient)
        with savepoint(self._session, conflict=_conflict(patient), missing="no such patient"):
            self._session.add(row)
        return dataclasses.replace(patient, id=row.id)

    def get(self, *, patient_id: int) -> Patient:
        """The patient with this id.

        Raises:
            NotFoundError: there is none.
        """
        return from_row(Patient, patient_row(self._session, patient_id))

    def get_by_mrn(self, *, mrn: str) -> Patient | None:
        """The patient with this MRN (exact match), if any."""
        row = self._session.scalars(select(PatientRow).where(PatientRow.mrn == mrn)).one_or_none()
        return None if row is None else from_row(Patient, row)

    def update(self, *, patient: Patient) -> Patient:
        """Overwrite a stored patient's demographics with ``patient``'s.

        Raises:
            ValidationError: the patient has no id.
            NotFoundError: no patient has that id.
            ConflictError: the new MRN belongs to another patient; nothing is written.
        """
        if patient.id is None:
            raise ValidationError.single("id", "is required to update a patient")
        row = patient_row(self._session, patient.id)
        with savepoint(self._session, conflict=_conflict(patient), missing="no such patient"):
            update_row(row, patient)
        return patient

    def delete(self, *, patient_id: int) -> Patient:
        """Delete a patient and, with them, every item of their record; returns the patient.

        Users linked to the record lose the link; audit entries about the patient stay.

        Raises:
            NotFoundError: there is no such patient.
        """
        row = patient_row(self._session, patient_id)
        patient = from_row(Patient, row)
        self._session.delete(row)
        self._session.flush()
        return patient

    def search(self, *, text: str | None = None, limit: int = 50, offset: int = 0) -> list[Patient]:
        """Patients whose MRN or names contain every word of ``text`` (any letter case).

        ``None`` or blank text lists everyone. Ordered by family name, then given names.
        """
        check_page(limit, offset)
        query = (
            select(PatientRow)
            .where(_matches(text))
            .order_by(PatientRow.family_name, PatientRow.given_names, PatientRow.id)
            .limit(limit)
            .offset(offset)
        )
        return [from_row(Patient, row) for row in self._session.scalars(query)]

    def count(self, *, text: str | None = None) -> int:
        """How many patients :meth:`search` would find without a limit."""
        return self._session.scalar(select(func.count()).select_from(PatientRow).where(_matches(text))) or 0

"""The clinician's decisions on care-plan items: appended, listed, never changed."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select
from sqlalchemy.orm import Session

from immunocare.clinical.careplan import PlanDecision
from immunocare.errors import NotFoundError, ValidationError

from ._mapping import from_row, to_row
from .tables import CarePlanDecisionRow, PatientRow

__all__ = ["CarePlanRepository"]


class CarePlanRepository:
    """Appends a patient's care-plan decisions and lists them, oldest first."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add_decision(self, *, patient_id: int, decision: PlanDecision) -> PlanDecision:
        """Store a decision in the caller's transaction and return it with its id."""
        if decision.id is not None:
            raise ValidationError.single("id", "is assigned by the store; leave it empty for a new decision")
        if self._session.get(PatientRow, patient_id) is None:
            raise NotFoundError(f"no patient with id {patient_id}")
        row = to_row(CarePlanDecisionRow, decision, patient_id=patient_id)
        self._session.add(row)
        self._session.flush()
        return dataclasses.replace(decision, id=row.id)

    def decisions(self, *, patient_id: int) -> tuple[PlanDecision, ...]:
        """Every decision on the patient's plan, oldest first."""
        rows = self._session.scalars(
            select(CarePlanDecisionRow)
            .where(CarePlanDecisionRow.patient_id == patient_id)
            .order_by(CarePlanDecisionRow.decided_at, CarePlanDecisionRow.id)
        )
        return tuple(from_row(PlanDecision, row) for row in rows)

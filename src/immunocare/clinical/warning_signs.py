"""The Jeffrey Modell warning signs in one patient's history, as of a day.

The list for the patient's age is evaluated (the children's list under 18, the adults' list from
18, as the knowledge base's lists define their populations); any list can be asked for by id,
including superseded versions. Each sign is a :class:`~immunocare.domain.Finding` whose evidence
is the exact record items, or undetermined with the data that are missing.
"""

from __future__ import annotations

from immunocare.domain import Finding
from immunocare.errors import NotFoundError
from immunocare.knowledge.topics.warning_signs import WarningSignList

from .criteria import Evaluation

__all__ = ["sign_list_for", "warning_signs"]


def sign_list_for(evaluation: Evaluation, list_id: str | None = None) -> WarningSignList:
    """The list asked for, or the current list whose population includes the patient's age."""
    lists = evaluation.kb.of(WarningSignList)
    if list_id is not None:
        for candidate in lists:
            if candidate.id == list_id:
                return candidate
        raise NotFoundError(f"no warning-sign list {list_id!r}; known: {', '.join(c.id for c in lists)}")
    birth = evaluation.record.patient.birth_date
    for candidate in lists:
        if not candidate.superseded and candidate.population.contains(birth, evaluation.as_of):
            return candidate
    raise NotFoundError(f"no warning-sign list covers an age of {evaluation.age_years:.1f} years")


def warning_signs(evaluation: Evaluation, list_id: str | None = None) -> Finding:
    """The list's finding: met when enough signs are; each sign, with its evidence, in ``parts``."""
    return evaluation.rule(sign_list_for(evaluation, list_id).id)

"""Grading a pneumococcal polysaccharide response by the ``diagnostic_vaccination`` topic's phenotypes.

Each judged serotype is a pair (protective, fold rise); ``None`` in either says it cannot be told
(a bound used as a value, no pre-vaccination sample). Grades are tried in the topic's order and
the first whose criteria all hold is the phenotype; ``normal`` when none does; ``None`` when a
grade before the one that holds cannot be judged. The memory phenotype (a response lost again)
re-grades the later samples with the other grades: lost means one of them holds.

>>> from immunocare.knowledge.topics.diagnostic_vaccination import Grade
>>> severe = Grade.model_validate(
...     {"grade": "severe", "criteria": [{"measure": "protective_count", "comparator": "<=", "value": 2}]})
>>> first_grade((severe,), [(True, 4.0), (False, 1.0), (False, 1.2)], [])
'severe'
>>> first_grade((severe,), [(True, 4.0), (True, 3.0), (True, None)], [])
'normal'
"""

from __future__ import annotations

from datetime import date

from immunocare.domain.ages import Duration, age_at_least
from immunocare.knowledge.topics.diagnostic_vaccination import (
    AgeGroup,
    CountCriterion,
    Criterion,
    Grade,
    LossCriterion,
    PolysaccharideResponse,
    RiseCriterion,
    Threshold,
)

__all__ = ["NORMAL", "Serotype", "age_group", "first_grade", "memory_limits"]

NORMAL = "normal"
"""The grade when no impaired phenotype holds."""

Serotype = tuple[bool | None, float | None]
"""One judged serotype: protective or not, and the fold rise (``None``: cannot be told)."""


def age_group(response: PolysaccharideResponse, birth_date: date, on: date) -> AgeGroup | None:
    """The age group someone born on ``birth_date`` is in on ``on``."""
    for group in response.age_groups:
        above = age_at_least(birth_date, on, group.age_from)
        if above and (group.age_to is None or not age_at_least(birth_date, on, group.age_to)):
            return group
    return None


def memory_limits(group: AgeGroup) -> tuple[Duration, Duration] | None:
    """The memory phenotype's limit and the longer limit an adaptation allows, if the group has one."""
    for grade in group.grades:
        for criterion in grade.criteria:
            if isinstance(criterion, LossCriterion):
                return criterion.within, criterion.within_upper or criterion.within
    return None


def first_grade(grades: tuple[Grade, ...], serotypes: list[Serotype], later: list[Serotype]) -> str | None:
    """The first grade whose criteria all hold, ``normal`` when none does, ``None`` when it cannot be told."""
    for grade in grades:
        results = [_holds(criterion, serotypes, grades, later) for criterion in grade.criteria]
        if False in results:
            continue
        return grade.grade if None not in results else None
    return NORMAL


def _holds(
    criterion: Criterion, serotypes: list[Serotype], grades: tuple[Grade, ...], later: list[Serotype]
) -> bool | None:
    if isinstance(criterion, LossCriterion):
        if not later:
            return False
        plain = tuple(g for g in grades if not any(isinstance(c, LossCriterion) for c in g.criteria))
        lost = first_grade(plain, later, [])
        return None if lost is None else lost != NORMAL
    if isinstance(criterion, RiseCriterion):
        folds = [fold for _, fold in serotypes]
        if None in folds:
            return None
        share = sum(criterion.fold.holds(fold) for fold in folds if fold is not None) / len(folds)
        return Threshold(comparator=criterion.comparator, value=criterion.value).holds(share)
    flags = [protective for protective, _ in serotypes]
    if None in flags:
        return None
    count = sum(bool(flag) for flag in flags)
    measured = count if isinstance(criterion, CountCriterion) else count / len(flags)
    return Threshold(comparator=criterion.comparator, value=criterion.value).holds(measured)

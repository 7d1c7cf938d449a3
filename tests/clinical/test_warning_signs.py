"""The warning signs at their boundaries, with the exact record items as evidence."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from immunocare.clinical.criteria import Evaluation
from immunocare.clinical.warning_signs import sign_list_for, warning_signs
from immunocare.domain import (
    CourseEffect,
    FamilyHistoryEntry,
    FindingStatus,
    GrowthKind,
    GrowthMeasurement,
    InfectionSite,
    PathogenClass,
    PatientRecord,
    Quantity,
    Relation,
    Route,
    Sex,
)
from immunocare.knowledge import KnowledgeBase

from .builders import course, episode, record

AS_OF = date(2026, 6, 30)
CHILD = date(2020, 3, 1)
ADULT = date(1990, 3, 1)


def sign(
    kb: KnowledgeBase, rec: PatientRecord, number: int, list_id: str | None = None, as_of: date = AS_OF
) -> Any:
    finding = warning_signs(Evaluation(rec, kb, as_of), list_id)
    return next(part for part in finding.parts if part.title.startswith(f"Sign {number}:"))


def ears(*onsets: date) -> tuple[Any, ...]:
    return tuple(episode(onset, InfectionSite.EAR) for onset in onsets)


@pytest.mark.parametrize(
    ("onsets", "status"),
    [
        ((date(2025, 8, 1), date(2025, 11, 1), date(2026, 2, 1), date(2026, 5, 1)), FindingStatus.MET),
        ((date(2025, 11, 1), date(2026, 2, 1), date(2026, 5, 1)), FindingStatus.NOT_MET),
        ((date(2025, 5, 2), date(2025, 9, 1), date(2026, 1, 1), date(2026, 5, 1)), FindingStatus.MET),
        ((date(2025, 5, 1), date(2025, 9, 1), date(2026, 1, 1), date(2026, 5, 1)), FindingStatus.NOT_MET),
        ((date(2025, 11, 1), date(2026, 2, 1), date(2026, 5, 1), date(2026, 7, 15)), FindingStatus.NOT_MET),
        ((date(2025, 11, 1), date(2026, 2, 1), date(2026, 5, 1), AS_OF), FindingStatus.MET),
        ((date(2019, 1, 5), date(2019, 3, 1), date(2019, 6, 1), date(2019, 9, 1)), FindingStatus.MET),
    ],
    ids=[
        "four-in-12-months",
        "three-in-12-months",
        "four-within-a-year-less-a-day",
        "four-exactly-a-year-apart",
        "window-straddling-as-of",
        "fourth-on-the-as-of-day",
        "four-in-an-earlier-year",
    ],
)
def test_ear_infections(kb: KnowledgeBase, onsets: tuple[date, ...], status: FindingStatus) -> None:
    infections = ears(*onsets)
    finding = sign(kb, record(CHILD, infections=infections), 1)

    assert finding.status is status
    if status is FindingStatus.MET:
        assert {e.item_id for e in finding.evidence} == {i.id for i in infections}


def test_evidence_points_at_the_counted_infections_only(kb: KnowledgeBase) -> None:
    counted = ears(date(2025, 9, 1), date(2025, 10, 1), date(2025, 12, 1), date(2026, 3, 1))
    other = (episode(date(2025, 10, 15), InfectionSite.SINUS), episode(date(2022, 1, 1), InfectionSite.EAR))

    finding = sign(kb, record(CHILD, infections=counted + other), 1)

    assert [e.item_id for e in finding.evidence] == [i.id for i in counted]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [(date(2026, 2, 28), "jmf_children"), (date(2026, 3, 1), "jmf_adults"), (date(2026, 3, 2), "jmf_adults")],
    ids=["day-before-18th-birthday", "18th-birthday", "day-after"],
)
def test_child_list_until_18_then_adult_list(kb: KnowledgeBase, as_of: date, expected: str) -> None:
    rec = record(date(2008, 3, 1))
    assert sign_list_for(Evaluation(rec, kb, as_of)).id == expected


def test_either_list_can_be_asked_for(kb: KnowledgeBase) -> None:
    infections = ears(date(2025, 9, 1), date(2025, 10, 1), date(2025, 12, 1), date(2026, 3, 1))
    older = sign(kb, record(CHILD, infections=infections), 1, list_id="jmf_children_2003")

    assert older.status is FindingStatus.NOT_MET  # the 2003 list asks for eight ear infections


def _pneumonias(*onsets: date, **kw: Any) -> tuple[Any, ...]:
    return tuple(episode(o, InfectionSite.LUNG, **kw) for o in onsets)


CASES: list[tuple[str, int, date, dict[str, Any], FindingStatus]] = [
    (
        "child-two-pneumonias",
        4,
        CHILD,
        {"infections": _pneumonias(date(2025, 9, 1), date(2026, 4, 1))},
        FindingStatus.MET,
    ),
    ("child-one-pneumonia", 4, CHILD, {"infections": _pneumonias(date(2025, 9, 1))}, FindingStatus.NOT_MET),
    (
        "child-iv-antibiotics",
        8,
        CHILD,
        {"infections": _pneumonias(date(2025, 9, 1), iv_antibiotics=True)},
        FindingStatus.MET,
    ),
    (
        "child-two-deep-seated",
        9,
        CHILD,
        {
            "infections": (
                episode(date(2024, 1, 1), InfectionSite.BLOOD),
                episode(date(2026, 1, 1), InfectionSite.CNS),
            )
        },
        FindingStatus.MET,
    ),
    (
        "child-two-abscesses",
        6,
        CHILD,
        {
            "infections": (
                episode(date(2024, 1, 1), InfectionSite.SKIN, abscess=True),
                episode(date(2025, 1, 1), InfectionSite.DEEP_ORGAN, abscess=True),
            )
        },
        FindingStatus.MET,
    ),
    (
        "child-skin-infection-without-abscess",
        6,
        CHILD,
        {
            "infections": (
                episode(date(2024, 1, 1), InfectionSite.SKIN),
                episode(date(2025, 1, 1), InfectionSite.SKIN),
            )
        },
        FindingStatus.NOT_MET,
    ),
    (
        "child-family-history",
        10,
        CHILD,
        {
            "family_history": (
                FamilyHistoryEntry(
                    relation=Relation.BROTHER,
                    condition="X-linked agammaglobulinaemia",
                    immunodeficiency=True,
                    id=90,
                ),
            )
        },
        FindingStatus.MET,
    ),
    (
        "child-relative-without-immunodeficiency",
        10,
        CHILD,
        {"family_history": (FamilyHistoryEntry(relation=Relation.BROTHER, condition="Asthma", id=91),)},
        FindingStatus.NOT_MET,
    ),
    (
        "child-two-months-of-useless-antibiotics",
        3,
        CHILD,
        {
            "infections": (
                episode(
                    date(2026, 1, 1),
                    InfectionSite.SINUS,
                    antibiotic_courses=(
                        course(date(2026, 1, 1), date(2026, 1, 30)),
                        course(date(2026, 1, 31), date(2026, 3, 1), CourseEffect.PARTIAL),
                    ),
                ),
            )
        },
        FindingStatus.MET,
    ),
    (
        "child-antibiotics-that-worked",
        3,
        CHILD,
        {
            "infections": (
                episode(
                    date(2026, 1, 1),
                    InfectionSite.SINUS,
                    antibiotic_courses=(course(date(2026, 1, 1), date(2026, 3, 1), CourseEffect.GOOD),),
                ),
            )
        },
        FindingStatus.NOT_MET,
    ),
    (
        "adult-two-ear-infections",
        1,
        ADULT,
        {"infections": ears(date(2025, 10, 1), date(2026, 3, 1))},
        FindingStatus.MET,
    ),
    (
        "adult-atypical-mycobacteria",
        9,
        ADULT,
        {
            "infections": (
                episode(
                    date(2025, 10, 1),
                    InfectionSite.LUNG,
                    pathogen_class=PathogenClass.NONTUBERCULOUS_MYCOBACTERIUM,
                ),
            )
        },
        FindingStatus.MET,
    ),
    (
        "adult-iv-antibiotics-twice",
        6,
        ADULT,
        {"infections": _pneumonias(date(2023, 1, 1), date(2025, 1, 1), iv_antibiotics=True)},
        FindingStatus.MET,
    ),
    (
        "adult-iv-antibiotics-once",
        6,
        ADULT,
        {"infections": _pneumonias(date(2025, 1, 1), iv_antibiotics=True)},
        FindingStatus.NOT_MET,
    ),
]


@pytest.mark.parametrize(("case", "number", "birth", "items", "status"), CASES, ids=[c[0] for c in CASES])
def test_each_sign(
    kb: KnowledgeBase, case: str, number: int, birth: date, items: dict[str, Any], status: FindingStatus
) -> None:
    finding = sign(kb, record(birth, **items), number)

    assert finding.status is status, finding.explanation
    if status is FindingStatus.MET:
        expected = {i.id for values in items.values() for i in values}
        assert {e.item_id for e in finding.evidence} <= expected
        assert finding.evidence


def test_failure_to_thrive_against_who_weight_for_age(kb: KnowledgeBase) -> None:
    infant = date(2025, 9, 1)
    thin = (
        GrowthMeasurement(
            kind=GrowthKind.WEIGHT, measured_on=AS_OF - timedelta(days=3), value=Quantity(5.5, "kg"), id=70
        ),
    )
    average = (
        GrowthMeasurement(
            kind=GrowthKind.WEIGHT, measured_on=AS_OF - timedelta(days=3), value=Quantity(9.0, "kg"), id=71
        ),
    )

    assert sign(kb, record(infant, growth=thin), 5).status is FindingStatus.MET
    assert sign(kb, record(infant, growth=average), 5).status is FindingStatus.NOT_MET
    assert sign(kb, record(infant), 5).status is FindingStatus.UNDETERMINED


def test_two_signs_meet_the_list_and_explain_it(kb: KnowledgeBase) -> None:
    infections = ears(date(2025, 9, 1), date(2025, 10, 1), date(2025, 12, 1), date(2026, 3, 1)) + _pneumonias(
        date(2025, 11, 1),
        iv_antibiotics=True,
        antibiotic_courses=(
            course(date(2025, 11, 1), date(2025, 11, 8), CourseEffect.GOOD, Route.INTRAVENOUS),
        ),
    )
    finding = warning_signs(Evaluation(record(CHILD, sex=Sex.FEMALE, infections=infections), kb, AS_OF))

    assert finding.status is FindingStatus.MET
    assert finding.explanation.startswith("2 of 10 signs met")
    assert "jmf_warning_signs" in finding.citations

"""Referral advice (two or more signs, red flags) and the watch on secondary immunodeficiency."""

from __future__ import annotations

from datetime import date

import pytest

from immunocare.clinical.criteria import Evaluation
from immunocare.clinical.recognize import recognize
from immunocare.domain import (
    CodeSystem,
    Diagnosis,
    DiagnosisStatus,
    FindingStatus,
    GrowthKind,
    GrowthMeasurement,
    InfectionSite,
    Medication,
    Quantity,
    Route,
    Severity,
    Urgency,
)
from immunocare.knowledge import KnowledgeBase

from .builders import episode, lab, record

AS_OF = date(2026, 6, 30)
CHILD = date(2022, 1, 1)
ADULT = date(1960, 1, 1)


def ears_and_pneumonia() -> tuple:  # type: ignore[type-arg]
    ears = tuple(
        episode(d, InfectionSite.EAR)
        for d in (date(2025, 9, 1), date(2025, 10, 1), date(2025, 12, 1), date(2026, 3, 1))
    )
    return (*ears, episode(date(2026, 4, 1), InfectionSite.LUNG, iv_antibiotics=True))


def test_two_signs_recommend_referral_and_the_first_line_tests(kb: KnowledgeBase) -> None:
    result = recognize(Evaluation(record(CHILD, infections=ears_and_pneumonia()), kb, AS_OF))

    (advice,) = [a for a in result.referral_advice if a.based_on == ("refer_two_or_more_warning_signs",)]
    assert advice.action == "refer_to_immunology"
    assert "Full blood count with differential" in advice.text
    assert "Serum immunoglobulins IgG, IgA and IgM" in advice.text
    assert "2 of 10 signs met" in advice.rationale


def test_no_referral_once_an_immunodeficiency_is_diagnosed(kb: KnowledgeBase) -> None:
    diagnosis = Diagnosis(
        code="D80.0", system=CodeSystem.ICD10CM, display="XLA", status=DiagnosisStatus.CONFIRMED
    )
    result = recognize(
        Evaluation(record(CHILD, infections=ears_and_pneumonia(), diagnoses=(diagnosis,)), kb, AS_OF)
    )

    assert result.known_immunodeficiency.status is FindingStatus.MET
    assert result.referral_advice == ()
    assert result.warning_signs.status is FindingStatus.MET  # the signs are still shown


def test_an_infant_with_lymphopenia_is_urgent_whatever_the_count(kb: KnowledgeBase) -> None:
    infant = date(2026, 1, 15)
    result = recognize(
        Evaluation(record(infant, labs=(lab(kb, "lymphocytes", 1.2, date(2026, 6, 1)),)), kb, AS_OF)
    )

    assert result.warning_signs.status is FindingStatus.NOT_MET
    (urgent,) = [a for a in result.referral_advice if a.based_on == ("red_flag_infant_lymphopenia",)]
    assert urgent.urgency is Urgency.URGENT


def rituximab(start: date, stop: date | None) -> Medication:
    return Medication(
        name="rituximab",
        code="L01FA01",
        code_system=CodeSystem.ATC,
        start=start,
        stop=stop,
        dose=Quantity(1000, "mg"),
        route=Route.INTRAVENOUS,
        id=40,
    )


def test_rituximab_without_igg_asks_for_immunoglobulins(kb: KnowledgeBase) -> None:
    result = recognize(Evaluation(record(ADULT, medications=(rituximab(date(2025, 6, 1), None),)), kb, AS_OF))

    (watch,) = result.secondary
    assert watch.status is FindingStatus.MET
    assert "no IgG measured since" in watch.explanation
    assert any(a.text.startswith("Measure IgG") for a in result.secondary_advice)


def test_low_igg_and_serious_infections_after_rituximab_consider_replacement(kb: KnowledgeBase) -> None:
    items = {
        "medications": (rituximab(date(2025, 1, 1), date(2025, 6, 1)),),
        "labs": (lab(kb, "igg", 3.0, date(2026, 3, 1)),),
        "infections": (
            episode(date(2026, 2, 1), InfectionSite.LUNG, severity=Severity.SEVERE, hospitalised=True),
        ),
    }
    result = recognize(Evaluation(record(ADULT, **items), kb, AS_OF))

    assert [a.action for a in result.secondary_advice if a.action == "consider_igrt"]
    (watch,) = result.secondary
    assert {e.item_id for e in watch.evidence} >= {40, items["labs"][0].id, items["infections"][0].id}


def test_replacement_is_not_suggested_on_conditions_immunocare_cannot_check(kb: KnowledgeBase) -> None:
    """IgG 6 g/L with infections meets only the checked part of the "below 700 mg/dL" rule."""
    items = {
        "medications": (rituximab(date(2025, 1, 1), date(2025, 6, 1)),),
        "labs": (lab(kb, "igg", 6.0, date(2026, 3, 1)),),
        "infections": (
            episode(date(2026, 2, 1), InfectionSite.LUNG, severity=Severity.SEVERE, hospitalised=True),
        ),
    }
    result = recognize(Evaluation(record(ADULT, **items), kb, AS_OF))

    assert result.secondary[0].status is FindingStatus.MET
    assert [a for a in result.secondary_advice if a.action == "consider_igrt"] == []


@pytest.mark.parametrize(
    ("dose_mg", "days", "watched"),
    [(30, 30, True), (5, 30, False), (30, 7, False)],
    ids=["high-dose-for-a-month", "low-dose", "high-dose-for-a-week"],
)
def test_corticosteroids_are_watched_only_at_high_dose_for_long_enough(
    kb: KnowledgeBase, dose_mg: int, days: int, watched: bool
) -> None:
    start = date(2026, 5, 1)
    steroid = Medication(
        name="prednisolone",
        start=start,
        stop=date.fromordinal(start.toordinal() + days - 1),
        dose=Quantity(dose_mg, "mg"),
        dose_interval=Quantity(1, "d"),
        id=41,
    )
    weight = GrowthMeasurement(kind=GrowthKind.WEIGHT, measured_on=start, value=Quantity(70, "kg"))
    result = recognize(Evaluation(record(ADULT, medications=(steroid,), growth=(weight,)), kb, AS_OF))

    assert bool(result.secondary) is watched


def _chemotherapy(name: str, atc: str, item_id: int) -> Medication:
    return Medication(
        name=name, code=atc, code_system=CodeSystem.ATC, start=date(2026, 1, 1), stop=None, id=item_id
    )


CHEMOTHERAPY = (_chemotherapy("bendamustine", "L01AA09", 41), _chemotherapy("methotrexate", "L01BA01", 42))
SEVERE_PNEUMONIA = episode(date(2026, 3, 1), InfectionSite.LUNG, severity=Severity.SEVERE, hospitalised=True)


@pytest.mark.parametrize(
    ("infections", "advice"),
    [
        pytest.param(
            (SEVERE_PNEUMONIA,),
            [
                "Measure IgG, IgA, IgM: bendamustine since 2026-01-01, no IgG on record; "
                "methotrexate since 2026-01-01, no IgG on record."
            ],
            id="infections-on-two-drugs-one-advice-naming-both",
        ),
        pytest.param((), [], id="no-infections-no-advice-from-the-infections-rule"),
    ],
)
def test_immunoglobulins_are_asked_for_once_when_infections_follow_immunosuppression(
    kb: KnowledgeBase,
    infections: tuple,
    advice: list[str],  # type: ignore[type-arg]
) -> None:
    result = recognize(Evaluation(record(ADULT, medications=CHEMOTHERAPY, infections=infections), kb, AS_OF))

    assert [a.text for a in result.secondary_advice] == advice

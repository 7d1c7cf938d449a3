"""The criterion evaluator: combinators with undetermined parts, laboratory leaves, treatment confounders."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from immunocare.clinical.criteria import Evaluation, evaluate
from immunocare.domain import (
    Comparator,
    FindingStatus,
    IgRoute,
    ImmunoglobulinInfusion,
    PatientRecord,
    Quantity,
)
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics._criteria import CRITERION

from .builders import episode, lab, record

MET, NOT_MET, UNDETERMINED = FindingStatus.MET, FindingStatus.NOT_MET, FindingStatus.UNDETERMINED
AS_OF = date(2026, 6, 30)
BIRTH = date(2010, 1, 1)


def run(kb: KnowledgeBase, tree: dict[str, Any], rec: PatientRecord) -> Any:
    return evaluate(CRITERION.validate_python(tree), Evaluation(rec, kb, AS_OF))


LOW_IGG = {
    "kind": "lab_reference",
    "id": "igg_low",
    "text": "IgG below the reference",
    "analyte": "igg",
    "relation": "below_lower_limit",
}
EAR = {"kind": "infection_count", "id": "ear", "text": "an ear infection", "sites": ["ear"], "at_least": 1}
IGG_TWICE = {**LOW_IGG, "times": 2}


@pytest.mark.parametrize(
    ("kind", "extra", "statuses", "expected"),
    [
        ("all_of", {}, ("met", "met"), MET),
        ("all_of", {}, ("met", "undetermined"), UNDETERMINED),
        ("all_of", {}, ("undetermined", "not_met"), NOT_MET),
        ("any_of", {}, ("not_met", "undetermined"), UNDETERMINED),
        ("any_of", {}, ("undetermined", "met"), MET),
        ("any_of", {}, ("not_met", "not_met"), NOT_MET),
        ("at_least", {"n": 2}, ("met", "undetermined"), UNDETERMINED),
        ("at_least", {"n": 2}, ("met", "not_met"), NOT_MET),
    ],
    ids=[
        "all-met",
        "all-with-an-unknown",
        "all-with-a-failure",
        "any-unknown",
        "any-one-met",
        "any-none",
        "two-of-two-one-unknown",
        "two-of-two-one-failed",
    ],
)
def test_combinators(
    kb: KnowledgeBase, kind: str, extra: dict[str, Any], statuses: tuple[str, str], expected: FindingStatus
) -> None:
    leaves = {
        "met": EAR,
        "not_met": {**EAR, "id": "sinus", "text": "a sinus infection", "sites": ["sinus"]},
        "undetermined": LOW_IGG,
    }
    items = [{**leaves[s], "id": f"{leaves[s]['id']}_{i}"} for i, s in enumerate(statuses)]
    finding = run(
        kb, {"kind": kind, "items": items, **extra}, record(BIRTH, infections=(episode(date(2026, 1, 1)),))
    )

    assert finding.status is expected
    assert [part.status.value for part in finding.parts] == list(statuses)


def test_not_swaps_met_and_keeps_undetermined(kb: KnowledgeBase) -> None:
    with_ear = record(BIRTH, infections=(episode(date(2026, 1, 1)),))
    assert run(kb, {"kind": "not", "item": EAR}, with_ear).status is NOT_MET
    assert run(kb, {"kind": "not", "item": EAR}, record(BIRTH)).status is MET
    assert run(kb, {"kind": "not", "item": LOW_IGG}, record(BIRTH)).status is UNDETERMINED


def test_a_missing_result_names_the_test_to_order(kb: KnowledgeBase) -> None:
    finding = run(kb, LOW_IGG, record(BIRTH))

    assert finding.status is UNDETERMINED
    assert finding.missing == ("igg",)
    assert finding.orders == ("immunoglobulins",)


@pytest.mark.parametrize(
    ("days", "expected"),
    [((date(2026, 1, 1), date(2026, 2, 1)), MET), ((date(2026, 1, 1),), UNDETERMINED)],
    ids=["low-on-two-days", "low-once-repeat-needed"],
)
def test_measured_at_least_twice(kb: KnowledgeBase, days: tuple[date, ...], expected: FindingStatus) -> None:
    labs = tuple(lab(kb, "igg", 2.0, day) for day in days)
    finding = run(kb, IGG_TWICE, record(BIRTH, labs=labs))

    assert finding.status is expected
    assert {e.item_id for e in finding.evidence} == {item.id for item in labs}


def test_two_results_on_one_day_count_once(kb: KnowledgeBase) -> None:
    labs = (lab(kb, "igg", 2.0, date(2026, 1, 1)), lab(kb, "igg", 2.1, date(2026, 1, 1)))
    assert run(kb, IGG_TWICE, record(BIRTH, labs=labs)).status is UNDETERMINED


def test_a_normal_result_is_not_met(kb: KnowledgeBase) -> None:
    assert run(kb, LOW_IGG, record(BIRTH, labs=(lab(kb, "igg", 10.0, date(2026, 1, 1)),))).status is NOT_MET


def test_results_during_immunoglobulin_replacement_are_left_out(kb: KnowledgeBase) -> None:
    infusion = ImmunoglobulinInfusion(
        product="Privigen", route=IgRoute.IV, given_on=date(2025, 6, 1), dose=Quantity(20, "g")
    )
    labs = (lab(kb, "igg", 2.0, date(2025, 1, 1)), lab(kb, "igg", 9.0, date(2026, 1, 1)))
    normal = {**LOW_IGG, "id": "igg_normal", "relation": "at_or_above_lower_limit"}

    finding = run(kb, normal, record(BIRTH, labs=labs, infusions=(infusion,)))

    assert finding.status is NOT_MET  # the 9.0 g/L during replacement is not the patient's own IgG
    assert "not used" in finding.explanation
    assert not finding.verified  # that reading of the knowledge base is unverified


def test_below_2_sd_is_read_as_below_the_lower_limit_and_marked_unverified(kb: KnowledgeBase) -> None:
    tree = {**LOW_IGG, "id": "igg_2sd", "relation": "below_sd", "value": 2}
    finding = run(kb, tree, record(BIRTH, labs=(lab(kb, "igg", 2.0, date(2026, 1, 1)),)))

    assert finding.status is MET
    assert not finding.verified


@pytest.mark.parametrize(
    ("birth", "value", "comparator", "expected"),
    [
        (date(2025, 9, 1), 1.5, None, MET),
        (date(2025, 9, 1), 2.5, None, NOT_MET),
        (date(2024, 1, 1), 4.5, None, MET),
        (date(2025, 7, 1), 2.5, None, NOT_MET),
        (date(2025, 6, 30), 2.5, None, MET),
        (date(2024, 7, 1), 4.9, Comparator.LT, MET),
        (date(2024, 7, 1), 6.0, Comparator.LT, UNDETERMINED),
    ],
    ids=[
        "infant-below-200-mg-dl",
        "infant-250-mg-dl",
        "toddler-below-500-mg-dl",
        "day-before-first-birthday-250",
        "on-the-first-birthday-250-is-below-500",
        "bound-below-threshold",
        "bound-above-threshold-cannot-tell",
    ],
)
def test_age_banded_thresholds(
    kb: KnowledgeBase, birth: date, value: float, comparator: Comparator | None, expected: FindingStatus
) -> None:
    tree = {
        "kind": "lab_threshold",
        "id": "low_igg",
        "text": "IgG < 200 mg/dL (<12 mo), < 500 mg/dL",
        "analyte": "igg",
        "relation": "below",
        "unit": "mg/dL",
        "bands": [{"age": {"max": "P12M"}, "value": 200}, {"age": {"min": "P12M"}, "value": 500}],
    }
    result = lab(kb, "igg", value, date(2026, 6, 30), comparator=comparator)

    assert run(kb, tree, record(birth, labs=(result,))).status is expected

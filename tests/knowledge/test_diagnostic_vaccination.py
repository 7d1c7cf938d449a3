"""Diagnostic vaccination: protective levels, PPSV23 grades, paired responder rules, sample windows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pydantic
import pytest

from immunocare.domain.ages import Duration
from immunocare.errors import KnowledgeBaseError
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.analytes import Analyte
from immunocare.knowledge.topics.diagnostic_vaccination import (
    TOPIC,
    LossCriterion,
    PairedResponse,
    PolysaccharideResponse,
    ProtectiveLevel,
    SampleWindow,
    Threshold,
)
from immunocare.knowledge.topics.vaccines import Vaccine

from .test_analytes import load_overlay, raw_item

ADAPTER: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(TOPIC.item_type)


def item(item_id: str) -> dict[str, Any]:
    return raw_item("diagnostic_vaccination", item_id)


@pytest.mark.parametrize(
    ("item_id", "change", "message"),
    [
        pytest.param(
            "dv.ppsv23.response",
            {"exclude_serotypes_of_platforms": ["conjugated"]},
            "unknown vaccine platform",
            id="exclusion-by-unknown-platform",
        ),
        pytest.param(
            "dv.ppsv23.response",
            {"age_groups": [item("dv.ppsv23.response")["age_groups"][1]]},
            "age groups: band 0 starts at P6Y but should start at P0D",
            id="age-groups-not-from-birth",
        ),
        pytest.param(
            "dv.ppsv23.response",
            {"repeat_challenge_after": "one year"},
            "is not an age",
            id="repeat-interval-not-iso-8601",
        ),
        pytest.param(
            "dv.window.pneumococcal.4_to_8_weeks",
            {"earliest": "P8W", "latest": "P4W"},
            "earliest must come before latest",
            id="window-reversed",
        ),
        pytest.param(
            "dv.window.pneumococcal.4_to_8_weeks",
            {"earliest": None, "latest": None},
            "needs an earliest, a latest or a target",
            id="window-without-times",
        ),
        pytest.param(
            "dv.window.one_month",
            {"preferred_for": ["hib", "pneumococcal_polysaccharide"], "applies_to": ["hib"]},
            "preferred_for may only name vaccines the window applies_to",
            id="preferred-for-a-vaccine-not-covered",
        ),
        pytest.param(
            "dv.toxoid.paired_response",
            {
                "outcomes": [
                    {"status": "excellent", "when": [{"measure": "post", "comparator": ">", "value": 1}]}
                ]
            },
            "Input should be",
            id="unknown-responder-status",
        ),
        pytest.param(
            "dv.toxoid.paired_response",
            {"outcomes": [{"status": "good", "when": [{"measure": "post", "comparator": "=>", "value": 1}]}]},
            "Input should be",
            id="unknown-comparator",
        ),
        pytest.param(
            "dv.ppsv23.protective_level",
            {"kind": "protective_titre"},
            "does not match any of the expected tags",
            id="bad-kind",
        ),
    ],
)
def test_schema_rejects_a_corrupted_copy(item_id: str, change: dict[str, Any], message: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=message):
        ADAPTER.validate_python(item(item_id) | change)


def test_a_fraction_criterion_cannot_exceed_one() -> None:
    response = item("dv.ppsv23.response")
    response["age_groups"][0]["grades"][1]["criteria"][0]["value"] = 50
    with pytest.raises(pydantic.ValidationError, match="less than or equal to 1"):
        ADAPTER.validate_python(response)


@pytest.mark.parametrize(
    ("pre", "post", "status"),
    [
        pytest.param(0.05, 0.8, "nonresponder", id="post-below-1"),
        pytest.param(0.9, 1.2, "nonresponder", id="ratio-below-1.5"),
        pytest.param(0.5, 1.2, "weak", id="ratio-2.4-weak"),
        pytest.param(0.5, 1.5, "good", id="ratio-exactly-3-good"),
        pytest.param(0.0, 1.0, "good", id="no-baseline-antibody"),
        pytest.param(1.2, 2.6, "adequate", id="high-baseline-post-above-2.5"),
        pytest.param(1.2, 2.0, "weak", id="high-baseline-post-2-falls-to-ratio"),
    ],
)
def test_tetanus_and_diphtheria_responder_rules(
    kb: KnowledgeBase, pre: float, post: float, status: str
) -> None:
    rule = kb.get("dv.toxoid.paired_response")
    assert isinstance(rule, PairedResponse)
    assert rule.status(pre=pre, post=post) == status


@pytest.mark.parametrize(
    ("pre", "post", "status"),
    [
        pytest.param(0.2, 2.9, "nonresponder", id="post-below-3"),
        pytest.param(0.5, 3.0, "good", id="ratio-6"),
        pytest.param(0.75, 3.0, "good", id="ratio-exactly-4"),
        pytest.param(1.0, 3.0, "weak", id="ratio-3"),
        pytest.param(1.5, 3.0, "weak", id="ratio-exactly-2"),
        pytest.param(2.0, 3.0, "nonresponder", id="ratio-1.5"),
    ],
)
def test_hib_responder_rules(kb: KnowledgeBase, pre: float, post: float, status: str) -> None:
    rule = kb.get("dv.hib.paired_response")
    assert isinstance(rule, PairedResponse)
    assert rule.status(pre=pre, post=post) == status


@pytest.mark.parametrize(
    ("level_id", "measured", "protective"),
    [
        pytest.param("dv.ppsv23.protective_level", 1.3, True, id="pneumococcal-at-1.3"),
        pytest.param("dv.ppsv23.protective_level", 1.29, False, id="pneumococcal-below-1.3"),
        pytest.param("dv.tetanus.protective_level", 0.1, False, id="tetanus-at-0.1-not-above"),
        pytest.param("dv.tetanus.protective_level", 0.11, True, id="tetanus-above-0.1"),
        pytest.param("dv.hib.protective_level", 1.0, False, id="hib-at-1.0-not-above"),
    ],
)
def test_protective_levels(kb: KnowledgeBase, level_id: str, measured: float, protective: bool) -> None:
    level = kb.get(level_id)
    assert isinstance(level, ProtectiveLevel)
    assert level.protective.holds(measured) is protective


def test_the_ppsv23_level_covers_every_serotype_analyte(kb: KnowledgeBase) -> None:
    level = kb.get("dv.ppsv23.protective_level")
    assert isinstance(level, ProtectiveLevel)
    assert set(level.analytes) == {analyte.id for analyte in kb.of(Analyte) if analyte.serotype}


def test_ppsv23_grades_are_data_by_age_group(kb: KnowledgeBase) -> None:
    response = kb.get("dv.ppsv23.response")
    assert isinstance(response, PolysaccharideResponse)
    assert [(group.age_from, group.age_to) for group in response.age_groups] == [
        (Duration(), Duration(years=6)),
        (Duration(years=6), None),
    ]
    for group in response.age_groups:
        assert [grade.grade for grade in group.grades] == ["severe", "moderate", "mild", "memory"]
        memory = group.grades[-1].criteria[0]
        assert isinstance(memory, LossCriterion)
        assert (memory.within, memory.within_upper) == (Duration(months=6), Duration(months=12))
    assert response.exclude_serotypes_of_platforms == ("conjugate",)
    assert response.repeat_challenge_after == Duration(years=1)


def test_the_conjugate_exclusion_finds_serotypes_in_the_vaccines_topic(kb: KnowledgeBase) -> None:
    response = kb.get("dv.ppsv23.response")
    assert isinstance(response, PolysaccharideResponse)
    excluded = {
        serotype
        for vaccine in kb.of(Vaccine)
        if vaccine.platform in response.exclude_serotypes_of_platforms
        for serotype in vaccine.pneumococcal_serotypes
    }
    judged = {analyte.serotype for analyte in kb.of(Analyte) if analyte.serotype}
    assert excluded & judged, "no conjugate vaccine lists a PPSV23 serotype"


def test_every_vaccine_has_exactly_one_preferred_sample_window(kb: KnowledgeBase) -> None:
    windows = kb.of(SampleWindow)
    for vaccine in ("pneumococcal_polysaccharide", "tetanus", "diphtheria", "hib"):
        assert len([window for window in windows if vaccine in window.preferred_for]) == 1, vaccine


def test_threshold_comparators() -> None:
    assert [Threshold(comparator=c, value=2).holds(2) for c in ("<", "<=", ">", ">=")] == [
        False,
        True,
        False,
        True,
    ]


@pytest.mark.parametrize(
    ("items", "message"),
    [
        pytest.param(
            [item("dv.tetanus.protective_level") | {"analytes": ["tetanus_iga"]}],
            "dv.tetanus.protective_level: unknown analyte 'tetanus_iga'",
            id="protective-level-for-unknown-analyte",
        ),
        pytest.param(
            [item("dv.tetanus.protective_level") | {"unit": "g/L"}],
            "unit 'g/L' does not measure what analyte 'tetanus_igg'",
            id="protective-level-in-wrong-unit",
        ),
        pytest.param(
            [item("dv.ppsv23.response") | {"protective_level": "dv.ppsv23.level"}],
            "unknown protective level 'dv.ppsv23.level'",
            id="response-names-unknown-level",
        ),
        pytest.param(
            [
                item("dv.window.one_month")
                | {"id": "dv.window.site", "applies_to": ["tetanus"], "preferred_for": ["tetanus"]}
            ],
            "sample windows for tetanus: 2 preferred",
            id="two-preferred-windows-for-tetanus",
        ),
        pytest.param(
            [item("dv.window.pneumococcal.4_to_8_weeks") | {"preferred_for": []}],
            "sample windows for pneumococcal_polysaccharide: 0 preferred",
            id="no-preferred-window-for-ppsv23",
        ),
    ],
)
def test_loader_rejects_a_bad_site_item(tmp_path: Path, items: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(KnowledgeBaseError, match=message):
        load_overlay(tmp_path, "diagnostic_vaccination", *items)

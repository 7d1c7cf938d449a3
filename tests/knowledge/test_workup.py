"""The staged work-up: each presenting pattern leads to ordered stages of known tests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from immunocare.domain import Urgency
from immunocare.errors import KnowledgeBaseError
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics._criteria import LabTest
from immunocare.knowledge.topics.referral import LabPanel
from immunocare.knowledge.topics.workup import StageLevel, WorkupPattern, WorkupProtocol

from .test_analytes import load_overlay, raw_item


def _pattern(kb: KnowledgeBase, pattern_id: str) -> WorkupPattern:
    pattern = kb.get(pattern_id)
    assert isinstance(pattern, WorkupPattern)
    return pattern


def _protocol(kb: KnowledgeBase, protocol_id: str) -> WorkupProtocol:
    protocol = kb.get(protocol_id)
    assert isinstance(protocol, WorkupProtocol)
    return protocol


def _stages(kb: KnowledgeBase, protocol_id: str) -> dict[str, list[str]]:
    return {
        stage.level.value: [step.test for step in stage.steps] for stage in _protocol(kb, protocol_id).stages
    }


@pytest.mark.parametrize(
    ("pattern_id", "protocol_id", "urgency"),
    [
        pytest.param(
            "workup_pattern_recurrent_ent_airway",
            "workup_protocol_antibody",
            Urgency.ROUTINE,
            id="ent-airway",
        ),
        pytest.param(
            "workup_pattern_pneumonia_bronchiectasis",
            "workup_protocol_antibody",
            Urgency.ROUTINE,
            id="pneumonia-bronchiectasis",
        ),
        pytest.param(
            "workup_pattern_failure_to_thrive_infancy",
            "workup_protocol_combined",
            Urgency.URGENT,
            id="failure-to-thrive-infant-may-be-scid",
        ),
        pytest.param(
            "workup_pattern_severe_infection_infant",
            "workup_protocol_combined",
            Urgency.URGENT,
            id="severe-infection-infant-suspected-scid",
        ),
        pytest.param(
            "workup_pattern_recurrent_pyogenic", "workup_protocol_phagocyte", Urgency.ROUTINE, id="abscesses"
        ),
        pytest.param(
            "workup_pattern_recurrent_neisseria",
            "workup_protocol_complement",
            Urgency.ROUTINE,
            id="neisseria-complement",
        ),
        pytest.param(
            "workup_pattern_immune_dysregulation",
            "workup_protocol_dysregulation",
            Urgency.ROUTINE,
            id="autoimmunity-lymphoproliferation",
        ),
        pytest.param(
            "workup_pattern_syndromic", "workup_protocol_syndromic", Urgency.ROUTINE, id="syndromic-features"
        ),
        pytest.param(
            "workup_pattern_family_history",
            "workup_protocol_screening",
            Urgency.ROUTINE,
            id="family-history",
        ),
    ],
)
def test_each_presenting_pattern_leads_to_its_protocol(
    kb: KnowledgeBase, pattern_id: str, protocol_id: str, urgency: Urgency
) -> None:
    pattern = _pattern(kb, pattern_id)
    assert (pattern.protocol, pattern.urgency) == (protocol_id, urgency)


def test_the_patterns_are_unverified_because_the_esid_protocol_figures_were_not_read(
    kb: KnowledgeBase,
) -> None:
    patterns = kb.of(WorkupPattern)
    assert len(patterns) == 9
    assert all(not p.verified and p.note for p in patterns)
    assert all("devries2012" in {ref.source for ref in p.citations} for p in patterns)


@pytest.mark.parametrize(
    ("protocol_id", "stages"),
    [
        pytest.param(
            "workup_protocol_combined",
            {
                "first_line": ["full_blood_count", "immunoglobulins", "serum_ige", "hiv_test"],
                "second_line": ["lymphocyte_subsets"],
                "specialised": ["naive_t_cells", "t_cell_proliferation"],
                "genetic": ["genetic_testing"],
            },
            id="combined-lymphocyte-subsets-before-function",
        ),
        pytest.param(
            "workup_protocol_phagocyte",
            {
                "first_line": ["full_blood_count", "immunoglobulins", "serum_ige"],
                "second_line": ["neutrophil_oxidative_burst", "lymphocyte_subsets"],
                "specialised": ["leukocyte_adhesion_markers"],
            },
            id="phagocyte-oxidative-burst-then-cd18-no-genetic-level",
        ),
        pytest.param(
            "workup_protocol_complement",
            {
                "first_line": ["complement_ch50", "complement_ah50"],
                "second_line": ["complement_components"],
                "genetic": ["genetic_testing"],
            },
            id="complement-ch50-and-ah50-first",
        ),
        pytest.param(
            "workup_protocol_antibody",
            {
                "first_line": ["first_line_tests", "serum_ige"],
                "second_line": ["isohaemagglutinins", "vaccine_antibody_response"],
                "specialised": [
                    "igg_subclasses",
                    "pneumococcal_polysaccharide_response",
                    "lymphocyte_subsets",
                    "switched_memory_b_cells",
                ],
                "genetic": ["genetic_testing"],
            },
            id="antibody-subclasses-at-the-specialist-level",
        ),
    ],
)
def test_protocol_stages_follow_the_consensus_levels(
    kb: KnowledgeBase, protocol_id: str, stages: dict[str, list[str]]
) -> None:
    assert _stages(kb, protocol_id) == stages


def test_every_step_names_a_known_test_or_panel_and_stages_are_in_order(kb: KnowledgeBase) -> None:
    orderable = {item.id for kind in (LabTest, LabPanel) for item in kb.of(kind)}
    for protocol in kb.of(WorkupProtocol):
        assert set(protocol.tests()) <= orderable, protocol.id
        ranks = [stage.level.rank for stage in protocol.stages]
        assert ranks == sorted(set(ranks)), protocol.id


def test_the_phagocyte_conditions_to_go_on_come_from_the_practice_parameter_figure(kb: KnowledgeBase) -> None:
    first, second, last = _protocol(kb, "workup_protocol_phagocyte").stages
    assert first.proceed_if is not None and "oxidative function" in first.proceed_if
    assert second.proceed_if is not None and "chronic granulomatous disease" in second.proceed_if
    assert last.proceed_if is None


def _first_stage_steps(raw: dict[str, Any], steps: list[dict[str, Any]]) -> dict[str, Any]:
    raw["stages"][0]["steps"] = steps
    return raw


def _swap_first_stages(raw: dict[str, Any]) -> dict[str, Any]:
    raw["stages"][0], raw["stages"][1] = raw["stages"][1], raw["stages"][0]
    return raw


def _last_stage_proceeds(raw: dict[str, Any]) -> dict[str, Any]:
    raw["stages"][-1]["proceed_if"] = "results are abnormal"
    return raw


def _repeat_a_test(raw: dict[str, Any]) -> dict[str, Any]:
    raw["stages"][1]["steps"].append({"kind": "test", "test": "full_blood_count"})
    return raw


def _combined() -> dict[str, Any]:
    return raw_item("workup", "workup_protocol_combined")


@pytest.mark.parametrize(
    ("items", "message"),
    [
        pytest.param(
            [_first_stage_steps(_combined(), [{"kind": "test", "test": "full_blood_cuont"}])],
            "workup_protocol_combined: 'full_blood_cuont' is not a known LabTest or LabPanel",
            id="unknown-test-id",
        ),
        pytest.param(
            [_first_stage_steps(_combined(), [{"kind": "test", "test": "neisseria_serogroup"}])],
            "'neisseria_serogroup' is not a known LabTest or LabPanel",
            id="test-that-no-referral-file-defines",
        ),
        pytest.param(
            [_first_stage_steps(_combined(), [])],
            "protocol.stages.0.steps: Tuple should have at least 1 item",
            id="empty-stage",
        ),
        pytest.param(
            [_combined() | {"stages": []}],
            "protocol.stages: Tuple should have at least 1 item",
            id="protocol-without-stages",
        ),
        pytest.param(
            [_swap_first_stages(_combined())],
            "stage 'first_line' is out of order after 'second_line'",
            id="stage-out-of-order",
        ),
        pytest.param(
            [_combined() | {"stages": [*_combined()["stages"], _combined()["stages"][-1]]}],
            "stage 'genetic' is out of order after 'genetic'",
            id="stage-level-twice",
        ),
        pytest.param(
            [_last_stage_proceeds(_combined())], "the last stage has no next stage", id="last-stage-goes-on"
        ),
        pytest.param(
            [_repeat_a_test(_combined())],
            "a test appears in more than one step: full_blood_count",
            id="test-in-two-stages",
        ),
        pytest.param(
            [_first_stage_steps(_combined(), [{"kind": "imaging", "test": "chest_ct"}])],
            "does not match any of the expected tags: 'test'",
            id="imaging-not-encoded-yet",
        ),
        pytest.param(
            [raw_item("workup", "workup_pattern_family_history") | {"protocol": "workup_protocol_tcell"}],
            "workup_pattern_family_history: 'workup_protocol_tcell' is not a known WorkupProtocol",
            id="pattern-with-unknown-protocol",
        ),
        pytest.param(
            [_combined() | {"id": "workup_protocol_orphan"}],
            "workup_protocol_orphan: protocol is not used by any pattern",
            id="protocol-no-pattern-uses",
        ),
        pytest.param(
            [
                raw_item("workup", "workup_pattern_family_history")
                | {"trigger": {"kind": "rule", "id": "sign", "text": "A sign", "rule": "jmf_children_11"}}
            ],
            "workup_pattern_family_history: 'jmf_children_11' is not a known rule",
            id="trigger-naming-unknown-rule",
        ),
    ],
)
def test_loader_refuses_a_broken_work_up(tmp_path: Path, items: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(KnowledgeBaseError, match=re.escape(message)):
        load_overlay(tmp_path, "workup", *items)


def test_a_site_may_add_a_stage_with_its_own_test(tmp_path: Path) -> None:
    protocol = _combined()
    protocol["stages"][1]["steps"].append({"kind": "test", "test": "gamma_delta_t_cells"})
    kb = load_overlay(tmp_path, "workup", protocol)
    local = _protocol(kb, "workup_protocol_combined")
    assert local.local
    assert local.stages[1].level is StageLevel.SECOND_LINE
    assert [step.test for step in local.stages[1].steps] == ["lymphocyte_subsets", "gamma_delta_t_cells"]

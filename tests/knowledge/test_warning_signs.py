"""The warning-sign lists: complete, versioned where the sources differ, honestly verified."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pydantic
import pytest
import yaml

from immunocare.errors import KnowledgeBaseError
from immunocare.knowledge import KnowledgeBase, load_knowledge_base
from immunocare.knowledge.topics._criteria import Growth, InfectionCount, leaves
from immunocare.knowledge.topics.warning_signs import WarningSign, WarningSignList

LISTS = ["jmf_children", "jmf_children_2003", "jmf_adults"]


def _sign(kb: KnowledgeBase, sign_id: str) -> WarningSign:
    sign = kb.get(sign_id)
    assert isinstance(sign, WarningSign)
    return sign


def _count(kb: KnowledgeBase, sign_id: str) -> InfectionCount:
    counts = [leaf for leaf in leaves(_sign(kb, sign_id).criterion) if isinstance(leaf, InfectionCount)]
    return counts[0]


@pytest.mark.parametrize("list_id", LISTS)
def test_each_list_has_ten_numbered_signs_and_a_two_sign_threshold(kb: KnowledgeBase, list_id: str) -> None:
    signs = sorted(sign.number for sign in kb.of(WarningSign) if sign.sign_list == list_id)
    sign_list = kb.get(list_id)
    assert isinstance(sign_list, WarningSignList)
    assert signs == list(range(1, 11))
    assert sign_list.signs_to_suspect == 2


@pytest.mark.parametrize(
    ("sign_id", "at_least", "window"),
    [
        pytest.param("jmf_children_1", 4, "P1Y", id="children-current-4-ear-infections-a-year"),
        pytest.param("jmf_children_2003_1", 8, "P1Y", id="children-2003-8-ear-infections-a-year"),
        pytest.param("jmf_adults_1", 2, "P1Y", id="adults-2-ear-infections-a-year"),
        pytest.param("jmf_children_9", 2, None, id="children-current-2-deep-seated-infections"),
        pytest.param("jmf_children_2003_9", 1, None, id="children-2003-1-deep-seated-infection"),
        pytest.param("jmf_children_4", 2, "P1Y", id="children-2-pneumonias-a-year"),
    ],
)
def test_versions_differ_where_the_sources_differ(
    kb: KnowledgeBase, sign_id: str, at_least: int, window: str | None
) -> None:
    count = _count(kb, sign_id)
    assert (count.at_least, None if count.window is None else str(count.window)) == (at_least, window)


def test_only_the_2003_thrush_sign_requires_onset_after_age_one(kb: KnowledgeBase) -> None:
    assert _count(kb, "jmf_children_2003_7").onset_age is not None
    assert _count(kb, "jmf_children_7").onset_age is None


@pytest.mark.parametrize(
    "sign_id",
    [
        pytest.param("jmf_children_5", id="failure-to-thrive-threshold-borrowed-from-NICE"),
        pytest.param("jmf_children_7", id="persistent-thrush-has-no-measure"),
        pytest.param("jmf_children_2003_9", id="cellulitis-read-as-severe-skin-infection"),
        pytest.param("jmf_children_2003_10", id="family-malignancy-not-in-the-record"),
        pytest.param("jmf_adults_3", id="one-pneumonia-a-year-has-no-exact-form"),
    ],
)
def test_signs_whose_encoding_goes_beyond_the_wording_are_unverified(kb: KnowledgeBase, sign_id: str) -> None:
    sign = _sign(kb, sign_id)
    assert not sign.verified
    assert sign.note


def test_failure_to_thrive_uses_the_nice_second_centile_on_who_weight_for_age(kb: KnowledgeBase) -> None:
    growth = [leaf for leaf in leaves(_sign(kb, "jmf_children_5").criterion) if isinstance(leaf, Growth)]
    assert [(g.measure, g.standard, g.below_centile) for g in growth] == [("weight_for_age", "who", 2)]
    assert {ref.source for ref in _sign(kb, "jmf_children_5").citations} >= {"nice_ng75", "who_mgrs2006"}


def _raw(kb: KnowledgeBase, sign_id: str) -> dict[str, Any]:
    raw: dict[str, Any] = _sign(kb, sign_id).model_dump(mode="json", exclude={"local"})
    return raw


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            {"kind": "infection_tally"}, "does not match any of the expected tags", id="unknown-kind"
        ),
        pytest.param({"window": "one year"}, "is not an age: use ISO 8601", id="window-not-iso-8601"),
        pytest.param({"at_least": 0}, "greater than or equal to 1", id="count-of-zero"),
        pytest.param({"sites": ["elbow"]}, "Input should be", id="unknown-site"),
    ],
)
def test_a_malformed_sign_is_rejected_by_the_schema(
    kb: KnowledgeBase, change: dict[str, Any], message: str
) -> None:
    raw = _raw(kb, "jmf_children_1")
    raw["criterion"].update(change)
    with pytest.raises(pydantic.ValidationError, match=message):
        WarningSign.model_validate(raw)


def _overlay(tmp_path: Path, topic: str, *items: dict[str, Any]) -> Path:
    (tmp_path / topic).mkdir()
    (tmp_path / topic / "site.yaml").write_text(yaml.safe_dump({"items": list(items)}), encoding="utf-8")
    return tmp_path


def _problems(overlay: Path) -> str:
    with pytest.raises(KnowledgeBaseError) as error:
        load_knowledge_base(overlay_dir=overlay)
    return "\n".join(error.value.problems)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        pytest.param(
            {"sign_list": "jmf_toddlers"}, "unknown warning-sign list 'jmf_toddlers'", id="unknown-list"
        ),
        pytest.param(
            {"number": 10}, "jmf_children: signs must be numbered 1 to 11 once each", id="two-tenth-signs"
        ),
        pytest.param(
            {"citations": [{"source": "jmf_leaflet_2099", "where": "sign 1"}]},
            "unknown citation 'jmf_leaflet_2099'",
            id="unknown-citation",
        ),
    ],
)
def test_a_bad_site_overlay_is_rejected_by_the_loader(
    kb: KnowledgeBase, tmp_path: Path, change: dict[str, Any], problem: str
) -> None:
    raw = _raw(kb, "jmf_children_1") | {"id": "site_extra_sign"} | change
    assert problem in _problems(_overlay(tmp_path, "warning_signs", raw))

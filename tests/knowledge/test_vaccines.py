"""Vaccines by CVX code: live status, families, pneumococcal serotypes, and refused bad data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pydantic
import pytest
import yaml

from immunocare.errors import KnowledgeBaseError
from immunocare.knowledge import KnowledgeBase, load_knowledge_base
from immunocare.knowledge.topics.vaccines import Vaccine, VaccineSelector, possibly_live


def vaccine(kb: KnowledgeBase, cvx: str) -> Vaccine:
    (found,) = [v for v in kb.of(Vaccine) if v.cvx == cvx]
    return found


def overlay_error(tmp_path: Path, item: dict[str, Any]) -> tuple[str, ...]:
    folder = tmp_path / "vaccines"
    folder.mkdir()
    (folder / "site.yaml").write_text(yaml.safe_dump({"items": [item]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(overlay_dir=tmp_path)
    return caught.value.problems


def test_every_vaccine_round_trips_and_the_code_set_is_covered(kb: KnowledgeBase) -> None:
    vaccines = kb.of(Vaccine)
    assert len(vaccines) >= 150
    for item in vaccines:
        assert Vaccine.model_validate(item.model_dump(mode="json", exclude={"local"})) == item
    assert len({int(v.cvx) for v in vaccines}) == len(vaccines)


@pytest.mark.parametrize(
    ("cvx", "live", "live_viral", "live_bacterial"),
    [
        pytest.param("03", True, True, False, id="MMR-live-viral"),
        pytest.param("94", True, True, False, id="MMRV-live-viral"),
        pytest.param("21", True, True, False, id="varicella-live-viral"),
        pytest.param("149", True, True, False, id="LAIV-live-viral"),
        pytest.param("19", True, False, True, id="BCG-live-bacterial"),
        pytest.param("25", True, False, True, id="Ty21a-live-bacterial"),
        pytest.param("174", True, False, True, id="oral-cholera-live-bacterial"),
        pytest.param("75", True, True, False, id="ACAM2000-replicating"),
        pytest.param("206", False, False, False, id="JYNNEOS-non-replicating"),
        pytest.param("10", False, False, False, id="IPV-inactivated"),
        pytest.param("187", False, False, False, id="recombinant-zoster"),
        pytest.param("101", False, False, False, id="typhoid-Vi-polysaccharide"),
    ],
)
def test_live_status(kb: KnowledgeBase, cvx: str, live: bool, live_viral: bool, live_bacterial: bool) -> None:
    item = vaccine(kb, cvx)
    assert (item.live, item.live_viral, item.live_bacterial) == (live, live_viral, live_bacterial)


@pytest.mark.parametrize(
    ("cvx", "may_have_been_live"),
    [
        pytest.param("88", True, id="influenza-unspecified-may-have-been-LAIV"),
        pytest.param("89", True, id="polio-unspecified-may-have-been-OPV"),
        pytest.param("188", True, id="zoster-unspecified-may-have-been-live"),
        pytest.param("182", True, id="OPV-unspecified-is-live"),
        pytest.param("45", False, id="hepatitis-B-unspecified-never-live"),
        pytest.param("109", False, id="pneumococcal-unspecified-never-live"),
    ],
)
def test_an_unspecified_formulation_can_still_be_flagged(
    kb: KnowledgeBase, cvx: str, may_have_been_live: bool
) -> None:
    item = vaccine(kb, cvx)
    assert item.formulation_unspecified
    assert possibly_live(item) is may_have_been_live


@pytest.mark.parametrize(
    ("conjugate_cvx", "not_covered"),
    [
        pytest.param(
            "133", {"2", "8", "9N", "10A", "11A", "12F", "15B", "17F", "20", "22F", "33F"}, id="after-PCV13"
        ),
        pytest.param("216", {"2", "9N", "17F", "20"}, id="after-PCV20"),
        pytest.param("215", {"2", "8", "9N", "10A", "11A", "12F", "15B", "17F", "20"}, id="after-PCV15"),
    ],
)
def test_ppsv23_serotypes_left_to_judge_after_a_conjugate_vaccine(
    kb: KnowledgeBase, conjugate_cvx: str, not_covered: set[str]
) -> None:
    ppsv23 = set(vaccine(kb, "33").pneumococcal_serotypes)
    assert len(ppsv23) == 23
    assert ppsv23 - set(vaccine(kb, conjugate_cvx).pneumococcal_serotypes) == not_covered


@pytest.mark.parametrize(
    ("selector", "includes", "excludes"),
    [
        pytest.param(
            {"groups": ["influenza"], "classes": ["live"]}, {"149", "111"}, {"150", "88"}, id="LAIV-only"
        ),
        pytest.param(
            {"classes": ["live_bacterial"]}, {"19", "25", "174"}, {"03", "101"}, id="live-bacterial"
        ),
        pytest.param(
            {"classes": ["non_live"]},
            {"10", "45", "33"},
            {"03", "88", "89"},
            id="non-live-excludes-maybe-live",
        ),
        pytest.param(
            {"classes": ["live"], "except_groups": ["polio", "bcg", "yellow_fever"]},
            {"03", "21", "116"},
            {"02", "19", "37"},
            id="live-except-OPV-BCG-yellow-fever",
        ),
        pytest.param({"platforms": ["polysaccharide"]}, {"33", "32", "101"}, {"133"}, id="polysaccharides"),
        pytest.param({"cvx": ["03", "21"]}, {"03", "21"}, {"94"}, id="by-code"),
    ],
)
def test_vaccine_selector(
    kb: KnowledgeBase, selector: dict[str, Any], includes: set[str], excludes: set[str]
) -> None:
    picked = {v.cvx for v in VaccineSelector.model_validate(selector).select(kb.of(Vaccine))}
    assert includes <= picked
    assert not excludes & picked


def test_an_empty_selector_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError, match="needs groups"):
        VaccineSelector()


BASE = {
    "id": "site_vaccine",
    "title": "A site vaccine",
    "cvx": "990",
    "cvx_description": "site vaccine",
    "live": False,
    "organism": "viral",
    "platform": "inactivated",
    "groups": ["rabies"],
    "protects_against": ["rabies"],
    "citations": [{"source": "cdc_cvx", "where": "CVX 990"}],
    "verified": True,
}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param({"cvx": "3"}, "CVX 03 is used by cvx_03, site_vaccine", id="duplicate-cvx-code"),
        pytest.param(
            {"pneumococcal_serotypes": ["6B"]},
            "only a vaccine of the pneumococcal group",
            id="serotypes-off-group",
        ),
        pytest.param(
            {"groups": ["pneumococcal"], "pneumococcal_serotypes": ["6b"]},
            "is not a pneumococcal serotype",
            id="bad-serotype",
        ),
        pytest.param(
            {"may_be_live": True}, "may_be_live is for unspecified formulations", id="maybe-live-specified"
        ),
        pytest.param(
            {"formulation_unspecified": True, "groups": ["influenza"]},
            "site_vaccine: may_be_live should be true",
            id="unspecified-influenza-must-say-maybe-live",
        ),
        pytest.param({"groups": ["Rabies"]}, "a group name is lowercase", id="bad-group-name"),
    ],
)
def test_bad_vaccine_data_is_refused(tmp_path: Path, changes: dict[str, Any], message: str) -> None:
    problems = overlay_error(tmp_path, BASE | changes)
    assert any(message in problem for problem in problems), problems

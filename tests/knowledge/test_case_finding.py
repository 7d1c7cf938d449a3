"""Case-finding items: schema, references to the warning signs and code lists, bad data refused."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.case_finding import (
    TOPIC,
    CaseFindingItem,
    CaseFindingList,
    CaseFindingSign,
    SurveillanceGap,
    sign_criterion,
)
from immunocare.knowledge.topics.warning_signs import WarningSign

ADAPTER: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(CaseFindingItem)
CITED = {"citations": [{"source": "jmf_warning_signs", "where": "children"}], "verified": True}


def sign_item(**overrides: Any) -> dict[str, Any]:
    item = {
        "kind": "case_finding_sign", "id": "cf_test", "title": "Test sign", "sign": "jmf_children_1",
        "criterion": "ear_infections", "measure": "condition_episodes", "weight": 1,
        "weight_rationale": "Signs count equally.", **CITED,
    }  # fmt: skip
    return {**item, **overrides}


def test_every_case_finding_item_round_trips_through_its_schema(kb: KnowledgeBase) -> None:
    items = kb.topics["case_finding"]
    assert len(items) >= 20
    for item in items:
        assert ADAPTER.validate_python(item.model_dump(mode="json", exclude={"local"})) == item


def test_every_sign_of_the_screened_lists_expresses_a_warning_sign_and_counts_like_it(
    kb: KnowledgeBase,
) -> None:
    lists = {item.sign_list for item in kb.of(CaseFindingList)}
    assert lists == {"jmf_children", "jmf_adults"}
    for item in kb.of(CaseFindingSign):
        sign = kb.get(item.sign)
        assert isinstance(sign, WarningSign) and sign.sign_list in lists
        assert sign_criterion(kb, item).id == item.criterion
        assert item.weight == 1  # the JMF lists count their signs equally
    assert TOPIC.cross_check is not None and TOPIC.cross_check(kb) == []


def test_the_gap_reuses_the_sid_drug_classes_and_the_igg_analyte(kb: KnowledgeBase) -> None:
    gaps = {item.id: item for item in kb.of(SurveillanceGap)}
    assert gaps["gap_b_cell_depleting"].drug_classes == ("sid_anti_cd20", "sid_b_cell_depleting_other")
    assert gaps["gap_car_t"].drug_classes == ("sid_car_t",)
    assert gaps["gap_cll"].diagnoses.icd10cm == ("C91.1",) and gaps["gap_myeloma"].diagnoses.icd10cm == (
        "C90.0",
    )
    assert all(gap.measurement_analytes == ("igg",) for gap in gaps.values())


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"measure": "antibiotic_days", "infection_codes": ["coded_otitis_media"]},
                     "counts drugs", id="drug-measure-with-infection-codes"),
        pytest.param({"antimicrobials": ["antibacterials_systemic"]}, "give infection_codes",
                     id="drugs-for-conditions"),
        pytest.param({"measure": "iv_antibiotic_courses", "antimicrobials": ["x"]}, "iv_routes",
                     id="iv-without-routes"),
        pytest.param({"weight": 0}, "greater than 0", id="zero-weight"),
        pytest.param({"concepts": {"omop": [0]}}, "positive", id="concept-zero"),
        pytest.param({"concepts": {"icd10cm": ["XYZ"]}}, "XYZ", id="bad-icd10cm"),
        pytest.param({"verified": False}, "needs a note", id="unverified-without-note"),
        pytest.param({"measure": "condition_present"}, "condition_present counts the codes of its concepts",
                     id="condition-present-without-concepts"),
    ],
)  # fmt: skip
def test_bad_sign_items_are_refused(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=message):
        ADAPTER.validate_python(sign_item(**overrides))


def test_cross_check_names_a_sign_whose_leaf_does_not_fit(kb: KnowledgeBase) -> None:
    wrong = ADAPTER.validate_python(sign_item(criterion="no_such_leaf"))
    days = ADAPTER.validate_python(sign_item(id="cf_days", measure="antibiotic_days"))
    topics = {**kb.topics, "case_finding": (*kb.topics["case_finding"], wrong, days)}
    changed = KnowledgeBase(kb.released, kb.content_hash, kb.citations, topics, kb.topic_titles, kb.hpo)
    assert TOPIC.cross_check is not None
    problems = TOPIC.cross_check(changed)
    assert "cf_test: jmf_children_1 has no count or phenotype leaf 'no_such_leaf'" in problems
    assert "cf_days: measure antibiotic_days does not fit leaf ear_infections" in problems


def test_cross_check_names_case_finding_lists_whose_ages_overlap(kb: KnowledgeBase) -> None:
    older = ADAPTER.validate_python(
        {"kind": "case_finding_list", "id": "cf_list_2003", "title": "Children, 2003 list",
         "sign_list": "jmf_children_2003", "threshold_rationale": "As the list says.", **CITED}
    )  # fmt: skip
    topics = {**kb.topics, "case_finding": (*kb.topics["case_finding"], older)}
    changed = KnowledgeBase(kb.released, kb.content_hash, kb.citations, topics, kb.topic_titles, kb.hpo)
    assert TOPIC.cross_check is not None
    problems = TOPIC.cross_check(changed)
    message = "case-finding lists jmf_children and jmf_children_2003 overlap in age; the screen gives each"
    assert any(problem.startswith(message) for problem in problems), problems
    assert not any("overlap in age" in problem for problem in TOPIC.cross_check(kb))

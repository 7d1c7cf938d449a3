"""Referral advice: red flags, routine referral, and the tests to order first."""

from __future__ import annotations

import pydantic
import pytest

from immunocare.domain import Urgency
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics._criteria import LabTest, LabThreshold, RuleMet, leaves
from immunocare.knowledge.topics.referral import LabPanel, ReferralRule


def _text(duration: object) -> str | None:
    return None if duration is None else str(duration)


def _bands(leaf: LabThreshold) -> list[tuple[str | None, str | None, float]]:
    return [(_text(band.age.min), _text(band.age.max), band.value) for band in leaf.bands]


def _rule(kb: KnowledgeBase, rule_id: str) -> ReferralRule:
    rule = kb.get(rule_id)
    assert isinstance(rule, ReferralRule)
    return rule


@pytest.mark.parametrize(
    ("rule_id", "urgency", "verified"),
    [
        pytest.param("red_flag_infant_lymphopenia", Urgency.URGENT, True, id="infant-lymphopenia-uk-pin"),
        pytest.param("red_flag_scid", Urgency.URGENT, True, id="scid-is-an-emergency"),
        pytest.param(
            "red_flag_family_history_infant", Urgency.URGENT, False, id="family-scid-urgency-unsourced"
        ),
        pytest.param(
            "red_flag_infant_severe_infection", Urgency.URGENT, False, id="infant-severe-infection-unsourced"
        ),
        pytest.param(
            "refer_two_or_more_warning_signs", Urgency.ROUTINE, False, id="two-signs-urgency-unstated"
        ),
    ],
)
def test_red_flags_are_urgent_whatever_the_sign_count(
    kb: KnowledgeBase, rule_id: str, urgency: Urgency, verified: bool
) -> None:
    rule = _rule(kb, rule_id)
    assert (rule.action, rule.urgency, rule.verified) == ("refer_to_immunology", urgency, verified)


def test_infant_lymphopenia_is_below_3000_per_microlitre_under_two_years(kb: KnowledgeBase) -> None:
    trigger = _rule(kb, "red_flag_infant_lymphopenia").trigger
    assert isinstance(trigger, LabThreshold)
    assert (trigger.analyte, trigger.relation, trigger.unit) == ("lymphocytes", "below", "/uL")
    assert _bands(trigger) == [(None, "P2Y", 3000)]


def test_two_or_more_signs_refer_on_the_current_lists_only(kb: KnowledgeBase) -> None:
    trigger = _rule(kb, "refer_two_or_more_warning_signs").trigger
    lists = [leaf.rule for leaf in leaves(trigger) if isinstance(leaf, RuleMet)]
    assert lists == ["jmf_children", "jmf_adults"]


def test_first_line_tests_are_blood_count_immunoglobulins_and_complement(kb: KnowledgeBase) -> None:
    panel = kb.get("first_line_tests")
    assert isinstance(panel, LabPanel)
    assert panel.tests == ("full_blood_count", "immunoglobulins", "complement_screen")
    immunoglobulins = kb.get("immunoglobulins")
    assert isinstance(immunoglobulins, LabTest)
    assert immunoglobulins.analytes == ("igg", "iga", "igm")


@pytest.mark.parametrize(
    ("model", "change", "message"),
    [
        pytest.param(
            LabTest,
            {"analytes": [], "outcomes": []},
            "reports analytes, outcomes or both",
            id="test-reporting-nothing",
        ),
        pytest.param(LabPanel, {"tests": []}, "at least 1 item", id="empty-panel"),
    ],
)
def test_tests_and_panels_must_hold_something(
    kb: KnowledgeBase, model: type[LabTest | LabPanel], change: dict[str, object], message: str
) -> None:
    item = kb.get("hiv_test" if model is LabTest else "first_line_tests")
    raw = item.model_dump(mode="json", exclude={"local"}) | change
    with pytest.raises(pydantic.ValidationError, match=message):
        model.model_validate(raw)

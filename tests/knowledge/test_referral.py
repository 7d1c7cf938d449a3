"""Referral advice: red flags, routine referral, and the tests to order first."""

from __future__ import annotations

import pydantic
import pytest

from immunocare.domain import Urgency
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics._criteria import LabTest, LabThreshold, RuleMet, leaves
from immunocare.knowledge.topics.diagnostic_vaccination import PolysaccharideResponse
from immunocare.knowledge.topics.referral import LabPanel, ReferralRule
from tests.knowledge.test_analytes import raw_item


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


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            {"result_words": [{"outcome": "weak", "words": ["weak"], "verified": True}]},
            "'weak' is not an outcome of the test",
            id="words-for-an-unknown-outcome",
        ),
        pytest.param(
            {
                "result_words": [
                    {"outcome": "negative", "words": ["not detected"], "verified": True},
                    {"outcome": "positive", "words": ["not detected"], "verified": True},
                ]
            },
            "result word 'not detected' means two outcomes",
            id="one-word-two-outcomes",
        ),
        pytest.param(
            {"result_words": [{"outcome": "negative", "words": ["Negative"], "verified": True}]},
            "lower case with single spaces",
            id="words-not-normalised",
        ),
        pytest.param(
            {"result_words": [{"outcome": "negative", "words": ["negative"], "verified": False}]},
            "need a note saying they are a reading",
            id="unverified-words-without-note",
        ),
        pytest.param(
            {"loinc": ["56888-2"]}, "LOINC check digit should be 1, not 2", id="loinc-check-digit-typo"
        ),
        pytest.param({"loinc": ["56888-1", "56888-1"]}, "listed twice", id="loinc-listed-twice"),
        pytest.param(
            {"normal_outcomes": ["normal"]}, "'normal' is not an outcome", id="normal-outcome-unknown"
        ),
        pytest.param({"derived_from": "growth"}, "Input should be", id="unknown-derivation"),
    ],
)
def test_result_words_and_codes_of_a_test_are_checked(change: dict[str, object], message: str) -> None:
    raw = raw_item("referral", "hiv_test") | change
    with pytest.raises(pydantic.ValidationError, match=message):
        LabTest.model_validate(raw)


@pytest.mark.parametrize(
    ("test_id", "text", "outcome"),
    [
        pytest.param("hiv_test", "Non-Reactive.", "negative", id="hiv-non-reactive"),
        pytest.param("hiv_test", "negative for hiv", None, id="hiv-longer-text-no-match"),
        pytest.param("chromosome_22q11_deletion", "No deletion  detected", "not_detected", id="22q11-spaces"),
    ],
)
def test_a_result_text_matches_its_words_exactly_after_normalising(
    kb: KnowledgeBase, test_id: str, text: str, outcome: str | None
) -> None:
    test = kb.get(test_id)
    assert isinstance(test, LabTest)
    words = test.outcome_of(text)
    assert (words.outcome if words else None) == outcome


def test_every_polysaccharide_grade_maps_to_a_response_outcome(kb: KnowledgeBase) -> None:
    test = kb.get("pneumococcal_polysaccharide_response")
    assert isinstance(test, LabTest) and test.derived_from == "polysaccharide_grade"
    grades = {g.grade for r in kb.of(PolysaccharideResponse) for group in r.age_groups for g in group.grades}
    mapped = {word: entry.outcome for entry in test.result_words for word in entry.words}
    assert mapped == {grade: mapped[grade] for grade in grades} | {"normal": "normal"}
    assert mapped["severe"] == "severely_reduced" and {mapped[g] for g in grades - {"severe"}} == {"reduced"}


def test_each_derivation_belongs_to_one_test(kb: KnowledgeBase) -> None:
    derived = [test.derived_from for test in kb.of(LabTest) if test.derived_from]
    assert sorted(derived) == ["antigen_protection", "genetic_findings", "polysaccharide_grade"]

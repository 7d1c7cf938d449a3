"""Results of tests without a number: result words read exactly, derived outcomes, unrecognised texts."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from immunocare.clinical.test_results import TestOutcome, qualitative_results
from immunocare.domain import GeneticFinding, ItemKind, LabResult, PatientRecord, Phenotype, Quantity
from immunocare.errors import KnowledgeBaseError
from immunocare.knowledge import KnowledgeBase
from tests.clinical.test_vaccine_response import (
    POST,
    PRE,
    PRESCHOOL_CHILD,
    TD_DAY,
    antibody,
    load_site_kb,
    panel,
    ppsv23,
    record_of,
    split,
    vaccination,
)
from tests.factories import CET, make_genetic_finding, make_patient
from tests.knowledge.test_analytes import load_overlay, raw_item

AS_OF = date(2025, 6, 1)
HIV_CODES = ("56888-1", "31201-7", "68961-2")
SITE_TEST_CODES = {
    "t_cell_proliferation": "990100-0",
    "neutrophil_oxidative_burst": "990101-8",
    "isohaemagglutinins": "990102-6",
    "chromosome_22q11_deletion": "990103-4",
}
"""Synthetic, well-formed LOINC codes a site overlay gives the tests that have none yet."""


def _text_result(loinc: str, text: str | None, day: date = date(2025, 3, 1), **extra: object) -> LabResult:
    return LabResult(
        loinc=loinc,
        analyte="qualitative test",
        collected_at=datetime(day.year, day.month, day.day, 10, 0, tzinfo=CET),
        value_text=text,
        **extra,  # type: ignore[arg-type]
    )


def _outcomes(kb: KnowledgeBase, *labs: LabResult, as_of: date = AS_OF, **items: object) -> list[TestOutcome]:
    record = PatientRecord(patient=make_patient(), labs=labs, **items)  # type: ignore[arg-type]
    return list(qualitative_results(record, kb, as_of))


@pytest.fixture(scope="module")
def site_tests_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    items = [raw_item("referral", test) | {"loinc": [code]} for test, code in SITE_TEST_CODES.items()]
    return load_overlay(tmp_path_factory.mktemp("site"), "referral", *items)


@pytest.mark.parametrize(
    ("code", "text", "outcome", "abnormal"),
    [
        pytest.param(HIV_CODES[0], "Negative", "negative", False, id="hiv-ag-ab-negative"),
        pytest.param(HIV_CODES[0], "NON-REACTIVE", "negative", False, id="hiv-non-reactive-any-case"),
        pytest.param(
            HIV_CODES[1], " not  detected. ", "negative", False, id="hiv-not-detected-spaces-full-stop"
        ),
        pytest.param(HIV_CODES[2], "Positive", "positive", True, id="hiv-positive"),
        pytest.param(HIV_CODES[1], "reactive", "positive", True, id="hiv-reactive"),
    ],
)
def test_an_hiv_result_text_is_read_through_the_result_words(
    kb: KnowledgeBase, code: str, text: str, outcome: str, abnormal: bool
) -> None:
    [found] = _outcomes(kb, _text_result(code, text))
    assert (found.test_id, found.outcome, found.abnormal, found.recognised) == (
        "hiv_test",
        outcome,
        abnormal,
        True,
    )
    assert found.day == date(2025, 3, 1) and found.text == text
    assert [e.kind for e in found.evidence] == [ItemKind.LABS]
    assert not found.verified  # the result words are partly a reading


@pytest.mark.parametrize(
    ("test", "text", "outcome", "abnormal"),
    [
        pytest.param("t_cell_proliferation", "Absent", "absent", True, id="proliferation-absent"),
        pytest.param("t_cell_proliferation", "decreased", "reduced", True, id="proliferation-decreased"),
        pytest.param("t_cell_proliferation", "Normal", "normal", False, id="proliferation-normal"),
        pytest.param("neutrophil_oxidative_burst", "No oxidative burst", "absent", True, id="burst-absent"),
        pytest.param("neutrophil_oxidative_burst", "Reduced", "reduced", True, id="burst-reduced"),
        pytest.param("isohaemagglutinins", "Not detected", "absent", True, id="isohaemagglutinins-absent"),
        pytest.param("isohaemagglutinins", "present", "present", False, id="isohaemagglutinins-present"),
        pytest.param("chromosome_22q11_deletion", "Deletion detected", "detected", True, id="22q11-deleted"),
        pytest.param(
            "chromosome_22q11_deletion", "No deletion detected", "not_detected", False, id="22q11-normal"
        ),
    ],
)
def test_each_test_without_a_number_reads_its_outcomes(
    site_tests_kb: KnowledgeBase, test: str, text: str, outcome: str, abnormal: bool
) -> None:
    [found] = _outcomes(site_tests_kb, _text_result(SITE_TEST_CODES[test], text))
    assert (found.test_id, found.outcome, found.abnormal) == (test, outcome, abnormal)


@pytest.mark.parametrize(
    ("result", "text"),
    [
        pytest.param(
            _text_result(HIV_CODES[0], "indeterminate"), "indeterminate", id="indeterminate-not-guessed"
        ),
        pytest.param(
            _text_result(HIV_CODES[0], "negative for HIV-1"),
            "negative for HIV-1",
            id="longer-text-not-guessed",
        ),
        pytest.param(
            _text_result(HIV_CODES[0], None, value=Quantity(0.2, "1")), "0.2", id="a-number-without-words"
        ),
    ],
)
def test_a_text_that_matches_no_result_word_is_unrecognised(
    kb: KnowledgeBase, result: LabResult, text: str
) -> None:
    [found] = _outcomes(kb, result)
    assert (found.test_id, found.outcome, found.abnormal, found.recognised) == ("hiv_test", None, None, False)
    assert found.text == text


def test_results_after_the_day_and_results_of_other_tests_are_left_out(kb: KnowledgeBase) -> None:
    later = _text_result(HIV_CODES[0], "Positive", AS_OF + timedelta(days=1))
    igg = LabResult(
        loinc="2465-3", analyte="IgG", collected_at=datetime(2025, 3, 1, tzinfo=CET), value=Quantity(6, "g/L")
    )
    assert _outcomes(kb, later, igg) == []


@pytest.mark.parametrize(
    ("test", "code", "message"),
    [
        ("isohaemagglutinins", HIV_CODES[0], "LOINC 56888-1 also reports hiv_test"),
        ("isohaemagglutinins", "2465-3", "LOINC 2465-3 also reports igg"),
    ],
    ids=["code-of-another-test", "code-of-an-analyte"],
)
def test_one_loinc_code_for_two_things_is_a_knowledge_base_error(
    tmp_path: Path, test: str, code: str, message: str
) -> None:
    clash = raw_item("referral", test) | {"loinc": [code]}
    with pytest.raises(KnowledgeBaseError, match=message):
        load_overlay(tmp_path, "referral", clash)


@pytest.fixture(scope="module")
def site_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return load_site_kb(tmp_path_factory.mktemp("serotypes"))


@pytest.mark.parametrize(
    ("post", "birth", "outcome", "abnormal"),
    [
        pytest.param(split(2), None, "severely_reduced", True, id="severe-is-severely-reduced"),
        pytest.param(split(15), None, "reduced", True, id="moderate-is-reduced"),
        pytest.param(3.0, None, "normal", False, id="normal-is-normal"),
        pytest.param(split(15), PRESCHOOL_CHILD, "normal", False, id="65-percent-under-6-is-normal"),
    ],
)
def test_the_polysaccharide_grade_gives_the_derived_outcome(
    site_kb: KnowledgeBase, post: dict[str, float] | float, birth: date | None, outcome: str, abnormal: bool
) -> None:
    extra = {"birth": birth} if birth else {}
    record = record_of([*panel(PRE, 0.3), *panel(POST, post)], **extra)  # type: ignore[arg-type]
    [found] = qualitative_results(record, site_kb, AS_OF)
    assert (found.test_id, found.outcome, found.abnormal, found.day) == (
        "pneumococcal_polysaccharide_response",
        outcome,
        abnormal,
        POST,
    )
    assert found.items[0] == ppsv23() and len(found.items) == 1 + 46
    assert not found.verified and "orange2012" in found.citations


def test_a_challenge_sampled_outside_the_window_gives_no_derived_outcome(site_kb: KnowledgeBase) -> None:
    record = record_of([*panel(PRE, 0.3), *panel(PRE + timedelta(days=100), split(2))])
    assert qualitative_results(record, site_kb, AS_OF) == ()


@pytest.mark.parametrize(
    ("post", "outcome", "abnormal"),
    [
        pytest.param(0.5, "protective", False, id="tetanus-protective"),
        pytest.param(0.05, "not_protective", True, id="tetanus-not-protective"),
    ],
)
def test_a_post_vaccination_antitoxin_level_gives_the_vaccine_antibody_outcome(
    kb: KnowledgeBase, post: float, outcome: str, abnormal: bool
) -> None:
    labs = [antibody("53935-3", TD_DAY, 0.02), antibody("53935-3", TD_DAY + timedelta(days=30), post)]
    [found] = qualitative_results(record_of(labs, vaccination("139", TD_DAY, "Td")), kb, AS_OF)
    assert (found.test_id, found.outcome, found.abnormal) == ("vaccine_antibody_response", outcome, abnormal)
    assert [e.kind for e in found.evidence] == [ItemKind.VACCINATIONS, ItemKind.LABS, ItemKind.LABS]
    assert found.verified


@pytest.mark.parametrize(
    ("reported_on", "day"),
    [
        pytest.param(date(2024, 5, 2), date(2024, 5, 2), id="dated-report"),
        pytest.param(None, AS_OF, id="undated-finding-known-on-the-day"),
    ],
)
def test_a_genetic_finding_is_a_reported_variant(
    kb: KnowledgeBase, reported_on: date | None, day: date
) -> None:
    finding: GeneticFinding = make_genetic_finding(reported_on=reported_on)
    [found] = _outcomes(kb, genetic_findings=(finding,))
    assert (found.test_id, found.outcome, found.abnormal, found.day) == (
        "genetic_testing",
        "variant_reported",
        True,
        day,
    )
    assert found.items == (finding,) and found.evidence[0].kind is ItemKind.GENETIC_FINDINGS


def test_a_genetic_report_after_the_day_is_left_out(kb: KnowledgeBase) -> None:
    assert (
        _outcomes(kb, genetic_findings=(make_genetic_finding(reported_on=AS_OF + timedelta(days=1)),)) == []
    )


@pytest.mark.parametrize(
    ("term", "excluded", "test", "outcome"),
    [
        ("HP:0002723", False, "neutrophil_oxidative_burst", "absent"),
        ("HP:0003203", False, "neutrophil_oxidative_burst", "reduced"),
        ("HP:0002723", True, "neutrophil_oxidative_burst", "normal"),
        ("HP:0025834", False, "t_cell_proliferation", "reduced"),
        ("HP:0410293", False, "isohaemagglutinins", "absent"),
    ],
    ids=[
        "absent-burst-term",
        "decreased-burst-term",
        "absent-burst-excluded-means-normal",
        "pha-proliferation-decreased-is-below-the-mapped-term",
        "absent-isohaemagglutinins",
    ],
)
def test_outcomes_recorded_as_hpo_terms(
    kb: KnowledgeBase, term: str, excluded: bool, test: str, outcome: str
) -> None:
    phenotype = Phenotype(
        hpo_id=term, label=kb.hpo.term(term).name, excluded=excluded, onset=date(2025, 3, 1), id=5
    )
    rec = PatientRecord(patient=make_patient(), phenotypes=(phenotype,))

    (found,) = [o for o in qualitative_results(rec, kb, date(2026, 1, 1)) if o.test_id == test]

    assert found.outcome == outcome
    assert [e.item_id for e in found.evidence] == [5]

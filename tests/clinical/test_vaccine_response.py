"""The vaccine challenge: pre and post samples, protection, responder status and PPSV23 phenotypes.

The serotype analytes carry no verified LOINC code yet, so the pneumococcal cases load the knowledge
base with a site overlay that gives every serotype a synthetic, well-formed code (as a laboratory's
overlay would).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from immunocare.clinical.vaccine_response import (
    Challenge,
    Timing,
    VaccineResponse,
    vaccine_response,
)
from immunocare.domain import (
    Comparator,
    FindingStatus,
    ItemKind,
    LabResult,
    PatientRecord,
    Quantity,
    Vaccination,
)
from immunocare.domain.codes import loinc_problem
from immunocare.errors import KnowledgeBaseError
from immunocare.knowledge import KnowledgeBase, builtin_data
from immunocare.knowledge._files import read_yaml_items
from tests.factories import CET, make_patient
from tests.knowledge.test_analytes import PPSV23_SEROTYPES, load_overlay

PPSV23_DAY = date(2025, 1, 10)
PRE = PPSV23_DAY
POST = PPSV23_DAY + timedelta(weeks=5)
AS_OF = date(2025, 6, 1)
SCHOOL_CHILD = date(2016, 2, 11)
PRESCHOOL_CHILD = date(2021, 5, 1)
PCV13 = ("1", "3", "4", "5", "6B", "7F", "9V", "14", "18C", "19A", "19F", "23F")
"""The PCV13 serotypes that PPSV23 also covers (PCV13's 6A is not in PPSV23)."""
SEROTYPES = sorted(PPSV23_SEROTYPES)


def _code(number: int) -> str:
    return next(f"{number}-{d}" for d in range(10) if loinc_problem(f"{number}-{d}") is None)


SITE_CODES = {serotype: _code(990000 + index) for index, serotype in enumerate(SEROTYPES)}
"""Synthetic, well-formed LOINC codes a site overlay gives the serotype analytes (not real LOINC terms)."""


def load_site_kb(folder: Path) -> KnowledgeBase:
    """The knowledge base with a site overlay giving every serotype analyte its SITE_CODES code."""
    items = [
        raw | {"loinc": [SITE_CODES[raw["serotype"]]], "verified": True}
        for _, raw in read_yaml_items(builtin_data() / "analytes")
        if raw.get("serotype")
    ]
    return load_overlay(folder, "analytes", *items)


@pytest.fixture(scope="module")
def site_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return load_site_kb(tmp_path_factory.mktemp("site"))


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=CET)


def _serotype(serotype: str, day: date, value: float, unit: str = "ug/mL", **extra: object) -> LabResult:
    return LabResult(
        loinc=SITE_CODES[serotype],
        analyte=f"S. pneumoniae serotype {serotype} IgG",
        collected_at=_at(day),
        value=Quantity(value, unit),
        **extra,  # type: ignore[arg-type]
    )


def panel(day: date, values: dict[str, float] | float) -> list[LabResult]:
    """A 23-serotype panel: one value for every serotype, or a value per serotype."""
    return [_serotype(s, day, values if isinstance(values, float) else values[s]) for s in SEROTYPES]


def vaccination(cvx: str, day: date, name: str = "vaccine") -> Vaccination:
    return Vaccination(cvx=cvx, vaccine=name, given_on=day)


def ppsv23(day: date = PPSV23_DAY) -> Vaccination:
    return vaccination("33", day, "Pneumovax 23")


def record_of(
    labs: Iterable[LabResult], *vaccinations: Vaccination, birth: date = SCHOOL_CHILD
) -> PatientRecord:
    return PatientRecord(
        patient=make_patient(birth_date=birth),
        labs=tuple(labs),
        vaccinations=vaccinations or (ppsv23(),),
    )


def _only(report: VaccineResponse, target: str) -> Challenge:
    found = [c for c in report.challenges if c.target == target]
    assert len(found) == 1, [c.target for c in report.challenges]
    return found[0]


def split(protective: int, high: float = 3.0, low: float = 0.4) -> dict[str, float]:
    """``protective`` serotypes at ``high``, the rest at ``low``."""
    return {s: high if i < protective else low for i, s in enumerate(SEROTYPES)}


@pytest.mark.parametrize(
    ("birth", "pre", "post", "grade", "status"),
    [
        pytest.param(SCHOOL_CHILD, 0.3, 3.0, "normal", FindingStatus.NOT_MET, id="all-protective-normal"),
        pytest.param(SCHOOL_CHILD, 0.3, split(2), "severe", FindingStatus.MET, id="two-protective-severe"),
        pytest.param(
            SCHOOL_CHILD, 0.3, split(15), "moderate", FindingStatus.MET, id="65-percent-moderate-from-6"
        ),
        pytest.param(
            PRESCHOOL_CHILD, 0.3, split(15), "normal", FindingStatus.NOT_MET, id="65-percent-normal-under-6"
        ),
        pytest.param(
            PRESCHOOL_CHILD, 0.3, split(11), "moderate", FindingStatus.MET, id="48-percent-moderate-under-6"
        ),
        pytest.param(
            SCHOOL_CHILD, 2.0, 3.0, "mild", FindingStatus.MET, id="protective-without-2-fold-rise-mild"
        ),
    ],
)
def test_the_ppsv23_phenotype_depends_on_protection_rise_and_age_at_vaccination(
    site_kb: KnowledgeBase,
    birth: date,
    pre: float,
    post: dict[str, float] | float,
    grade: str,
    status: FindingStatus,
) -> None:
    record = record_of([*panel(PRE, pre), *panel(POST, post)], birth=birth)
    challenge = _only(vaccine_response(record, site_kb, AS_OF), "pneumococcal_polysaccharide")
    assert (challenge.grade, challenge.finding.status, challenge.problem) == (grade, status, None)
    assert challenge.finding.rule_id == "dv.ppsv23.response"
    assert all(row.timing is Timing.IN_WINDOW and row.days_after == 35 for row in challenge.rows)


def test_the_report_rows_hold_the_pair_the_rise_and_the_protection(site_kb: KnowledgeBase) -> None:
    record = record_of([*panel(PRE, 0.5), *panel(POST, split(20))])
    challenge = _only(vaccine_response(record, site_kb, AS_OF), "pneumococcal_polysaccharide")
    row = next(r for r in challenge.rows if r.antigen == "Serotype 1")
    assert (row.pre and row.pre.day, row.post and row.post.day) == (PRE, POST)
    assert (row.fold_rise, row.protective, row.unit) == (6.0, True, "ug/mL")
    assert len(challenge.rows) == 23 and challenge.age_group == "6 years and older"
    kinds = {e.kind for e in challenge.finding.evidence}
    assert kinds == {ItemKind.VACCINATIONS, ItemKind.LABS} and len(challenge.finding.evidence) == 1 + 46
    assert len(challenge.finding.parts) == 23


def test_an_impaired_response_advises_a_second_dose_a_year_later(site_kb: KnowledgeBase) -> None:
    record = record_of([*panel(PRE, 0.3), *panel(POST, split(2))])
    challenge = _only(vaccine_response(record, site_kb, AS_OF), "pneumococcal_polysaccharide")
    [advice] = challenge.recommendations
    assert advice.action == "repeat_vaccine_challenge" and "2026-01-10" in advice.text
    assert advice.based_on == ("dv.ppsv23.response",) and "uptodate_91154" in advice.citations
    assert "Prerequisite: A history of recurrent" in challenge.finding.explanation


def test_serotypes_of_a_conjugate_vaccine_given_first_are_left_out(site_kb: KnowledgeBase) -> None:
    post = {s: 3.0 if s in PCV13 else 0.4 for s in SEROTYPES}
    post |= {"2": 3.0, "8": 3.0}
    pcv13 = vaccination("133", date(2023, 6, 1), "Prevnar 13")
    record = record_of([*panel(PRE, 0.3), *panel(POST, post)], pcv13, ppsv23())
    challenge = _only(vaccine_response(record, site_kb, AS_OF), "pneumococcal_polysaccharide")
    left_out = {row.antigen.removeprefix("Serotype ") for row in challenge.rows if row.excluded}
    assert left_out == set(PCV13)
    assert (challenge.grade, challenge.finding.status) == ("severe", FindingStatus.MET)
    assert "2 of 11 serotypes protective (12 left out" in challenge.finding.explanation


def test_a_conjugate_vaccine_of_unknown_formulation_blocks_the_grading(site_kb: KnowledgeBase) -> None:
    unknown = vaccination("152", date(2023, 6, 1), "pneumococcal conjugate, unspecified")
    record = record_of([*panel(PRE, 0.3), *panel(POST, 3.0)], unknown, ppsv23())
    challenge = _only(vaccine_response(record, site_kb, AS_OF), "pneumococcal_polysaccharide")
    assert challenge.grade is None and challenge.finding.status is FindingStatus.UNDETERMINED
    assert challenge.problem and "unknown formulation" in challenge.problem


@pytest.mark.parametrize(
    ("post_day", "timing"),
    [
        pytest.param(PPSV23_DAY + timedelta(days=14), Timing.EARLY, id="two-weeks-early"),
        pytest.param(PPSV23_DAY + timedelta(days=100), Timing.LATE, id="fourteen-weeks-late"),
    ],
)
def test_a_post_sample_outside_the_window_is_flagged_and_leaves_the_grade_undetermined(
    site_kb: KnowledgeBase, post_day: date, timing: Timing
) -> None:
    record = record_of([*panel(PRE, 0.3), *panel(post_day, split(2))])
    challenge = _only(vaccine_response(record, site_kb, AS_OF), "pneumococcal_polysaccharide")
    assert {row.timing for row in challenge.rows} == {timing} and not challenge.timing_ok
    assert challenge.finding.status is FindingStatus.UNDETERMINED
    assert challenge.finding.missing == (
        "a post-vaccination sample drawn 4 weeks to 8 weeks after vaccination",
    )
    assert challenge.finding.orders == ("pneumococcal_polysaccharide_response",)
    assert challenge.recommendations == ()


def test_the_first_sample_in_the_window_is_the_post_sample(site_kb: KnowledgeBase) -> None:
    early = PPSV23_DAY + timedelta(days=10)
    record = record_of(
        [*panel(PRE, 0.3), *panel(early, 0.3), *panel(POST, 3.0), *panel(POST + timedelta(7), 2.5)]
    )
    challenge = _only(vaccine_response(record, site_kb, AS_OF), "pneumococcal_polysaccharide")
    assert {row.post.day for row in challenge.rows if row.post} == {POST}
    assert challenge.grade == "normal"


def test_a_titre_in_a_unit_that_does_not_convert_is_a_problem_not_an_answer(site_kb: KnowledgeBase) -> None:
    post = [*panel(POST, 3.0)[1:], _serotype(SEROTYPES[0], POST, 64, "{titer}")]
    record = record_of([*panel(PRE, 0.3), *post])
    challenge = _only(vaccine_response(record, site_kb, AS_OF), "pneumococcal_polysaccharide")
    row = next(r for r in challenge.rows if r.problem)
    assert "cannot convert" in row.problem and row.fold_rise is None and row.protective is None
    assert challenge.grade is None and challenge.finding.status is FindingStatus.UNDETERMINED
    assert challenge.problem and challenge.problem.startswith(f"Serotype {SEROTYPES[0]}: 64 titre")


def test_samples_dated_before_the_vaccination_are_not_taken_as_post_samples(site_kb: KnowledgeBase) -> None:
    late_entry = ppsv23(date(2025, 3, 1))
    record = record_of([*panel(PRE, 0.3), *panel(POST, 3.0)], late_entry)
    challenge = _only(vaccine_response(record, site_kb, AS_OF), "pneumococcal_polysaccharide")
    assert all(row.post is None and row.pre and row.pre.day == POST for row in challenge.rows)
    assert challenge.finding.status is FindingStatus.UNDETERMINED
    assert challenge.problem == (
        "no serotype-specific IgG result after the vaccination on 2025-03-01; "
        "the latest results, on 2025-02-14, are dated before it"
    )


def test_a_pre_sample_without_a_post_sample_yet_advises_when_to_draw_it(site_kb: KnowledgeBase) -> None:
    record = record_of(panel(PRE, 0.3))
    challenge = _only(
        vaccine_response(record, site_kb, PPSV23_DAY + timedelta(days=3)), "pneumococcal_polysaccharide"
    )
    [advice] = challenge.recommendations
    assert advice.action == "draw_post_vaccination_sample"
    assert (
        advice.text
        == "Draw the post-vaccination sample 4 weeks to 8 weeks after vaccination (2025-02-07, 2025-03-07)."
    )
    assert advice.based_on == ("dv.window.pneumococcal.4_to_8_weeks",)


@pytest.mark.parametrize(
    ("days", "grade"),
    [
        pytest.param(120, "memory", id="lost-at-four-months-memory"),
        pytest.param(300, "memory", id="lost-at-ten-months-memory-by-the-adaptation"),
        pytest.param(400, "normal", id="lost-after-a-year-not-memory"),
    ],
)
def test_a_response_lost_within_months_is_the_memory_phenotype(
    site_kb: KnowledgeBase, days: int, grade: str
) -> None:
    later = PPSV23_DAY + timedelta(days=days)
    record = record_of([*panel(PRE, 0.3), *panel(POST, 3.0), *panel(later, split(2, high=1.5))])
    challenge = _only(vaccine_response(record, site_kb, later), "pneumococcal_polysaccharide")
    assert challenge.grade == grade
    if grade == "memory":
        assert challenge.finding.status is FindingStatus.MET
        assert any("up to 12 months (the source's 6 months)" in note for note in challenge.notes)


def test_without_later_samples_the_memory_phenotype_is_not_assessed(site_kb: KnowledgeBase) -> None:
    record = record_of([*panel(PRE, 0.3), *panel(POST, 3.0)])
    challenge = _only(vaccine_response(record, site_kb, AS_OF), "pneumococcal_polysaccharide")
    assert challenge.grade == "normal"
    assert any(
        note.startswith("Memory phenotype (6 years and older) not assessed") for note in challenge.notes
    )


def test_samples_after_a_second_ppsv23_belong_to_the_second_challenge(site_kb: KnowledgeBase) -> None:
    second = PPSV23_DAY + timedelta(days=400)
    labs = [*panel(PRE, 0.3), *panel(POST, split(2)), *panel(second + timedelta(weeks=5), 3.0)]
    report = vaccine_response(record_of(labs, ppsv23(), ppsv23(second)), site_kb, date(2026, 6, 1))
    grades = [c.grade for c in report.challenges]
    assert grades == ["severe", "normal"]


def test_a_pneumococcal_analyte_without_a_serotype_is_a_knowledge_base_error(tmp_path: Path) -> None:
    raw = next(r for _, r in read_yaml_items(builtin_data() / "analytes") if r["id"] == "pneumo_igg_st14")
    site = {k: v for k, v in raw.items() if k != "serotype"} | {"loinc": [SITE_CODES["14"]], "verified": True}
    kb = load_overlay(tmp_path, "analytes", site)
    record = record_of(
        [
            LabResult(
                loinc=SITE_CODES["14"], analyte="S pn 14", collected_at=_at(POST), value=Quantity(2, "ug/mL")
            )
        ]
    )
    with pytest.raises(KnowledgeBaseError, match="pneumococcal analytes without a serotype: pneumo_igg_st14"):
        vaccine_response(record, kb, AS_OF)


TETANUS = "53935-3"
DIPHTHERIA = "48654-8"
HIB = "22755-3"
TD_DAY = date(2025, 2, 3)


def antibody(
    loinc: str, day: date, value: float, unit: str = "[IU]/mL", comparator: Comparator | None = None
) -> LabResult:
    return LabResult(
        loinc=loinc, analyte=loinc, collected_at=_at(day), value=Quantity(value, unit), comparator=comparator
    )


@pytest.mark.parametrize(
    ("pre", "post", "responder", "protective", "status"),
    [
        pytest.param(
            0.05, 0.5, "nonresponder", True, FindingStatus.MET, id="protective-but-post-below-1-nonresponder"
        ),
        pytest.param(0.2, 2.0, "good", True, FindingStatus.MET, id="tenfold-good"),
        pytest.param(0.5, 1.0, "weak", True, FindingStatus.MET, id="twofold-weak"),
        pytest.param(1.5, 3.0, "adequate", True, FindingStatus.MET, id="high-baseline-adequate"),
        pytest.param(0.02, 0.08, "nonresponder", False, FindingStatus.NOT_MET, id="not-protective"),
    ],
)
def test_tetanus_responder_status_and_protection_follow_the_paired_rule(
    kb: KnowledgeBase, pre: float, post: float, responder: str, protective: bool, status: FindingStatus
) -> None:
    labs = [antibody(TETANUS, TD_DAY, pre), antibody(TETANUS, TD_DAY + timedelta(days=30), post)]
    record = record_of(labs, vaccination("139", TD_DAY, "Td"))
    challenge = _only(vaccine_response(record, kb, AS_OF), "tetanus")
    [row] = challenge.rows
    assert (row.responder, row.protective, row.timing) == (responder, protective, Timing.TARGET_DAY)
    assert (challenge.finding.status, challenge.finding.rule_id) == (status, "dv.tetanus.protective_level")
    assert "arup_test_directory" in challenge.finding.citations and challenge.finding.verified


def test_a_combined_vaccine_is_a_challenge_for_each_antigen_measured(kb: KnowledgeBase) -> None:
    labs = [
        antibody(TETANUS, TD_DAY + timedelta(days=30), 1.2),
        antibody(DIPHTHERIA, TD_DAY + timedelta(days=30), 0.05),
    ]
    report = vaccine_response(record_of(labs, vaccination("20", TD_DAY, "DTaP")), kb, AS_OF)
    assert {c.target: c.finding.status for c in report.challenges} == {
        "tetanus": FindingStatus.MET,
        "diphtheria": FindingStatus.NOT_MET,
    }


@pytest.mark.parametrize(
    ("loinc", "value", "unit", "comparator", "protective"),
    [
        pytest.param(HIB, 1.0, "ug/mL", None, None, id="hib-exactly-1-is-in-neither-statement"),
        pytest.param(HIB, 0.5, "ug/mL", None, False, id="hib-below-1-not-protective"),
        pytest.param(TETANUS, 0.1, "[IU]/mL", Comparator.LT, False, id="below-detection-not-protective"),
        pytest.param(TETANUS, 0.05, "[IU]/mL", Comparator.GT, None, id="lower-bound-cannot-tell"),
        pytest.param(TETANUS, 150, "m[IU]/mL", None, True, id="milli-units-converted"),
    ],
)
def test_protection_is_only_stated_when_the_value_can_tell(
    kb: KnowledgeBase,
    loinc: str,
    value: float,
    unit: str,
    comparator: Comparator | None,
    protective: bool | None,
) -> None:
    vaccine = vaccination("48" if loinc == HIB else "139", TD_DAY)
    record = record_of([antibody(loinc, TD_DAY + timedelta(days=30), value, unit, comparator)], vaccine)
    [challenge] = vaccine_response(record, kb, AS_OF).challenges
    assert challenge.rows[0].protective is protective
    expected = {True: FindingStatus.MET, False: FindingStatus.NOT_MET, None: FindingStatus.UNDETERMINED}
    assert challenge.finding.status is expected[protective]


def test_routine_doses_without_samples_are_not_challenges(kb: KnowledgeBase) -> None:
    record = record_of([], vaccination("20", date(2016, 4, 11)), vaccination("20", date(2016, 6, 11)))
    assert vaccine_response(record, kb, AS_OF).challenges == ()


def test_a_sample_far_from_the_target_day_says_when_the_source_draws_it(kb: KnowledgeBase) -> None:
    labs = [antibody(TETANUS, TD_DAY, 0.05), antibody(TETANUS, TD_DAY + timedelta(days=400), 0.5)]
    [challenge] = vaccine_response(
        record_of(labs, vaccination("139", TD_DAY, "Td")), kb, date(2026, 6, 1)
    ).challenges
    assert challenge.rows[0].days_after == 400
    assert challenge.finding.explanation.endswith(
        "on day 400, 0.05 IU/mL before, 10.0-fold rise, protective, "
        "responder status nonresponder (the source draws it 30 days "
        "after vaccination)."
    )

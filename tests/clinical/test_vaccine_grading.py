"""PPSV23 grading across the switch at 6 years: the age on the day of vaccination picks the table.

The same response — 15 of 23 serotypes protective, each of them risen ten-fold — is normal for a
child vaccinated before the sixth birthday (more than 50 % protective) and moderate from it (fewer
than 70 %). The serotype analytes have no LOINC code in the built-in knowledge base, so these cases
load it with the site overlay of ``test_vaccine_response`` that gives every serotype a code.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from immunocare.clinical.criteria import Evaluation
from immunocare.clinical.test_results import qualitative_results
from immunocare.clinical.vaccine_response import vaccine_response
from immunocare.domain import FindingStatus, PatientRecord
from immunocare.knowledge import KnowledgeBase
from tests.factories import make_patient

from .builders import lab
from .esid_cases import find, phenotype
from .test_vaccine_response import load_site_kb, panel, ppsv23, split

VACCINATED = date(2025, 6, 1)
POST = VACCINATED + timedelta(weeks=5)
AS_OF = date(2025, 8, 1)
FIFTEEN_OF_23_PROTECTIVE = split(15, high=3.0, low=0.4)
"""After a pre-vaccination level of 0.3 µg/mL for every serotype: 15 ten-fold rises to 3.0 µg/mL."""

SWITCH = [
    pytest.param(
        date(2019, 6, 2),
        "Younger than 6 years",
        "normal",
        "normal",
        FindingStatus.NOT_MET,
        id="vaccinated-at-5-years-364-days-sampled-after-the-birthday",
    ),
    pytest.param(
        date(2019, 6, 1),
        "6 years and older",
        "moderate",
        "reduced",
        FindingStatus.MET,
        id="vaccinated-on-the-sixth-birthday",
    ),
]


@pytest.fixture(scope="module")
def site_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return load_site_kb(tmp_path_factory.mktemp("site"))


def _boy(born: date, kb: KnowledgeBase) -> PatientRecord:
    """A boy given PPSV23 on VACCINATED, with platelets 25 × 10⁹/L and small platelets."""
    return PatientRecord(
        patient=make_patient(birth_date=born),
        labs=(
            *panel(VACCINATED, 0.3),
            *panel(POST, FIFTEEN_OF_23_PROTECTIVE),
            lab(kb, "platelets", 25.0, VACCINATED),
        ),
        vaccinations=(ppsv23(VACCINATED),),
        phenotypes=(phenotype("HP:0005537", "Decreased mean platelet volume", onset=VACCINATED),),
    )


@pytest.mark.parametrize(("born", "age_group", "grade", "outcome", "was"), SWITCH)
def test_the_ppsv23_grade_follows_the_age_on_the_day_of_vaccination(
    site_kb: KnowledgeBase, born: date, age_group: str, grade: str, outcome: str, was: FindingStatus
) -> None:
    record = _boy(born, site_kb)

    [challenge] = vaccine_response(record, site_kb, AS_OF).challenges
    assert (challenge.age_group, challenge.grade, challenge.problem) == (age_group, grade, None)
    [result] = [
        o
        for o in qualitative_results(record, site_kb, AS_OF)
        if o.test_id == "pneumococcal_polysaccharide_response"
    ]
    assert (result.outcome, result.day) == (outcome, POST)


@pytest.mark.parametrize(("born", "age_group", "grade", "outcome", "was"), SWITCH)
def test_the_switch_decides_wiskott_aldrich_when_the_vaccine_response_is_the_only_associated_feature(
    site_kb: KnowledgeBase, born: date, age_group: str, grade: str, outcome: str, was: FindingStatus
) -> None:
    finding = Evaluation(_boy(born, site_kb), site_kb, AS_OF).rule("pagid_wiskott_aldrich")

    assert (find(finding, "polysaccharide_response").status, finding.status) == (was, was)
    assert any(e.summary.startswith("Pneumovax 23") for e in finding.evidence)  # met or not, it says why

"""The worklist use case: who is listed, in which order, who may see it, and what the audit log keeps."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from immunocare import services
from immunocare.domain import FindingStatus
from immunocare.errors import AuthenticationError, PermissionDeniedError
from immunocare.services import Actor, ServiceContext
from immunocare.services.assessments import recognize_patient
from immunocare.services.worklist import worklist

CLI = Actor.command_line("test")


def infection(onset: str, site: str, **extra: Any) -> dict[str, Any]:
    return {"onset": onset, "site": site, "severity": "moderate", "pathogen_class": "bacterial", **extra}


def pneumonia(onset: str) -> dict[str, Any]:
    return infection(onset, "lung", severity="severe", hospitalised=True, iv_antibiotics=True)


CASES: dict[str, dict[str, Any]] = {
    "child-four-otitis-two-pneumonias": {
        "patient": {"birth_date": "2022-05-01", "sex": "male"},
        "infections": [
            infection("2025-12-01", "ear"),
            infection("2026-02-01", "ear"),
            infection("2026-05-01", "ear"),
            infection("2026-09-01", "ear"),
            pneumonia("2026-03-10"),
            pneumonia("2026-08-10"),
        ],
    },
    "adult-two-sinusitis-two-iv-courses": {
        "patient": {"birth_date": "1980-01-15", "sex": "female"},
        "infections": [
            infection("2026-01-10", "sinus"),
            infection("2026-06-10", "sinus"),
            pneumonia("2025-03-01"),
            pneumonia("2026-04-01"),
        ],
    },
    "child-one-otitis": {
        "patient": {"birth_date": "2021-03-01", "sex": "female"},
        "infections": [infection("2026-09-01", "ear")],
    },
    "child-with-signs-and-diagnosed-cvid": {
        "patient": {"birth_date": "2015-03-01", "sex": "male"},
        "infections": [
            pneumonia("2026-03-10"),
            pneumonia("2026-08-10"),
        ],
        "diagnoses": [
            {
                "code": "D83.9",
                "system": "ICD-10-CM",
                "display": "Common variable immunodeficiency",
                "status": "confirmed",
                "diagnosed_on": "2026-10-01",
            }
        ],
    },
}


def add_case(ctx: ServiceContext, name: str) -> int:
    case = CASES[name]
    patient = {
        "mrn": name[:30],
        "family_name": name.split("-")[0].title(),
        "given_names": "Test",
        **case["patient"],
    }
    document = services.parse_record_document({**case, "patient": patient})
    return services.import_record(ctx, actor=CLI, document=document).id


@pytest.mark.parametrize(
    ("case", "listed", "signs"),
    [
        pytest.param(name, listed, signs, id=name)
        for name, listed, signs in [
            (
                "child-four-otitis-two-pneumonias",
                True,
                ["jmf_children_1", "jmf_children_4", "jmf_children_8"],
            ),
            ("adult-two-sinusitis-two-iv-courses", True, ["jmf_adults_2", "jmf_adults_3", "jmf_adults_6"]),
            ("child-one-otitis", False, []),
        ]
    ],
)
def test_patients_with_enough_signs_and_no_diagnosis_are_listed(
    ctx: ServiceContext, case: str, listed: bool, signs: list[str]
) -> None:
    patient_id = add_case(ctx, case)

    found = worklist(ctx, actor=CLI)

    assert found.screened == 1
    entries = {entry.patient.id: entry for entry in found.entries}
    assert (patient_id in entries) is listed
    if listed:
        assert [sign.finding.rule_id for sign in entries[patient_id].signs] == signs


def test_a_diagnosed_immunodeficiency_takes_a_patient_with_enough_signs_off_the_list(
    ctx: ServiceContext,
) -> None:
    patient_id = add_case(ctx, "child-with-signs-and-diagnosed-cvid")

    recognition = recognize_patient(ctx, actor=CLI, patient_id=patient_id).recognition

    assert recognition.warning_signs.status is FindingStatus.MET
    assert recognition.known_immunodeficiency.status is FindingStatus.MET
    assert worklist(ctx, actor=CLI).entries == ()


def test_most_signs_first_with_the_day_of_the_latest_evidence(ctx: ServiceContext) -> None:
    for name in CASES:
        add_case(ctx, name)

    found = worklist(ctx, actor=CLI)

    assert found.as_of == date(2026, 11, 20)
    assert found.screened == 4
    assert [(e.patient.mrn, len(e.signs), e.latest) for e in found.entries] == [
        ("child-four-otitis-two-pneumoni", 3, date(2026, 9, 1)),
        ("adult-two-sinusitis-two-iv-cou", 3, date(2026, 6, 10)),
    ]
    pneumonias = found.entries[0].signs[1]
    assert (pneumonias.finding.rule_id, pneumonias.latest) == ("jmf_children_4", date(2026, 8, 10))


def test_the_audit_log_names_each_patient_shown(ctx: ServiceContext, physician: Actor) -> None:
    listed, not_listed = add_case(ctx, "child-four-otitis-two-pneumonias"), add_case(ctx, "child-one-otitis")

    worklist(ctx, actor=physician)

    entries = services.list_audit_entries(ctx, actor=CLI, limit=50)
    mine = [e for e in entries if e.username == physician.username]
    assert {(e.action, e.patient_id) for e in mine} == {("list", None), ("list", listed)}
    summary = next(e for e in mine if e.patient_id is None)
    assert summary.detail == "worklist as of 2026-11-20: 2 records screened, 1 shown"
    assert not [e for e in mine if e.patient_id == not_listed]


@pytest.mark.parametrize(
    ("role", "error"),
    [("researcher", PermissionDeniedError), ("nobody", AuthenticationError)],
    ids=["researcher-sees-no-identifiable-data", "not-logged-in"],
)
def test_the_worklist_is_for_clinical_roles(
    ctx: ServiceContext, request: pytest.FixtureRequest, role: str, error: type[Exception]
) -> None:
    actor = request.getfixturevalue(role) if role != "nobody" else None

    with pytest.raises(error):
        worklist(ctx, actor=actor)

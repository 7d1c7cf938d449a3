"""Patients: identity, search, the unique MRN, and what a failed write leaves behind."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

from immunocare.domain import Sex
from immunocare.errors import ConflictError, NotFoundError, ValidationError
from immunocare.store import PatientRepository
from tests.factories import make_patient

PEOPLE = [
    make_patient(mrn="MRN-000101", family_name="Okafor", given_names="Samuel Chidi"),
    make_patient(mrn="MRN-000102", family_name="Ørsted", given_names="Ida", sex=Sex.FEMALE),
    make_patient(mrn="MRN-000103", family_name="Müller", given_names="Jonas Okan"),
    make_patient(mrn="MRN-000104", family_name="Lindqvist", given_names="Elin_Maja", sex=Sex.FEMALE),
    make_patient(mrn="XYZ-5%", family_name="Abara", given_names="Chioma", sex=Sex.FEMALE),
]


@pytest.fixture
def people(db_session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    with db_session_factory.begin() as session:
        repository = PatientRepository(session)
        for person in PEOPLE:
            repository.add(patient=person)
    return db_session_factory


def test_a_patient_round_trips_with_an_id(db_session_factory: sessionmaker[Session]) -> None:
    patient = make_patient()
    with db_session_factory.begin() as session:
        stored = PatientRepository(session).add(patient=patient)
    assert stored.id is not None
    assert stored == dataclasses.replace(patient, id=stored.id)
    with db_session_factory() as session:
        repository = PatientRepository(session)
        assert repository.get(patient_id=stored.id) == stored
        assert repository.get_by_mrn(mrn="MRN-100234") == stored
        assert repository.get_by_mrn(mrn="mrn-100234") is None


@pytest.mark.parametrize(
    ("text", "mrns"),
    [
        pytest.param(
            None, ["XYZ-5%", "MRN-000104", "MRN-000103", "MRN-000101", "MRN-000102"], id="everyone-by-name"
        ),
        pytest.param(
            "  ", ["XYZ-5%", "MRN-000104", "MRN-000103", "MRN-000101", "MRN-000102"], id="blank-is-everyone"
        ),
        pytest.param("oka", ["MRN-000103", "MRN-000101"], id="family-or-given-name-part"),
        pytest.param("OKAFOR samuel", ["MRN-000101"], id="every-word-any-case"),
        pytest.param("ørsted", ["MRN-000102"], id="non-ascii-lower-finds-upper"),
        pytest.param("MÜLLER", ["MRN-000103"], id="non-ascii-upper-finds-mixed"),
        pytest.param("mrn-000104", ["MRN-000104"], id="mrn"),
        pytest.param("5%", ["XYZ-5%"], id="percent-is-literal"),
        pytest.param("o_afor", [], id="underscore-is-literal"),
        pytest.param("elin_maja", ["MRN-000104"], id="underscore-matches-itself"),
        pytest.param("okafor ida", [], id="words-must-all-match-one-patient"),
    ],
)
def test_search_matches_mrn_and_names_in_any_case(
    people: sessionmaker[Session], text: str | None, mrns: list[str]
) -> None:
    with people() as session:
        repository = PatientRepository(session)
        found = repository.search(text=text)
        assert [p.mrn for p in found] == mrns
        assert repository.count(text=text) == len(mrns)


def test_search_pages_through_the_ordered_list(people: sessionmaker[Session]) -> None:
    with people() as session:
        repository = PatientRepository(session)
        pages = [[p.family_name for p in repository.search(limit=2, offset=offset)] for offset in (0, 2, 4)]
    assert pages == [["Abara", "Lindqvist"], ["Müller", "Okafor"], ["Ørsted"]]


@pytest.mark.parametrize(
    ("limit", "offset", "field"),
    [pytest.param(0, 0, "limit", id="no-limit"), pytest.param(10, -1, "offset", id="negative-offset")],
)
def test_search_refuses_a_bad_page(
    db_session_factory: sessionmaker[Session], limit: int, offset: int, field: str
) -> None:
    with db_session_factory() as session, pytest.raises(ValidationError) as raised:
        PatientRepository(session).search(limit=limit, offset=offset)
    assert raised.value.issues[0].field == field


def test_a_duplicate_mrn_is_a_conflict_that_writes_nothing(db_session_factory: sessionmaker[Session]) -> None:
    with db_session_factory.begin() as session:
        PatientRepository(session).add(patient=make_patient(mrn="MRN-1"))
    twin = make_patient(mrn="MRN-1", family_name="Twin", given_names="Second")
    with db_session_factory.begin() as session:
        repository = PatientRepository(session)
        with pytest.raises(ConflictError, match="'MRN-1'"):
            repository.add(patient=twin)
        # the caller's transaction is still usable after the conflict
        repository.add(patient=make_patient(mrn="MRN-2"))
    with db_session_factory() as session:
        repository = PatientRepository(session)
        assert [p.mrn for p in repository.search()] == ["MRN-1", "MRN-2"]
        assert repository.search(text="twin") == []


def test_update_changes_demographics_and_refuses_a_taken_mrn(
    db_session_factory: sessionmaker[Session],
) -> None:
    with db_session_factory.begin() as session:
        repository = PatientRepository(session)
        first = repository.add(patient=make_patient(mrn="MRN-1"))
        second = repository.add(patient=make_patient(mrn="MRN-2"))
    corrected = dataclasses.replace(first, family_name="Okafor-Eze", birth_date=date(2016, 2, 12))
    with db_session_factory.begin() as session:
        repository = PatientRepository(session)
        assert repository.update(patient=corrected) == corrected
        with pytest.raises(ConflictError, match="'MRN-1'"):
            repository.update(patient=dataclasses.replace(second, mrn="MRN-1", family_name="Stolen"))
    with db_session_factory() as session:
        repository = PatientRepository(session)
        assert repository.get(patient_id=first.id or 0) == corrected
        assert repository.get(patient_id=second.id or 0) == second


@pytest.mark.parametrize(
    ("operation", "error"),
    [
        pytest.param(lambda r: r.get(patient_id=404), NotFoundError, id="get-missing"),
        pytest.param(lambda r: r.delete(patient_id=404), NotFoundError, id="delete-missing"),
        pytest.param(lambda r: r.update(patient=make_patient(id=404)), NotFoundError, id="update-missing"),
        pytest.param(lambda r: r.update(patient=make_patient()), ValidationError, id="update-without-id"),
        pytest.param(lambda r: r.add(patient=make_patient(id=3)), ValidationError, id="add-with-id"),
    ],
)
def test_patient_errors(db_session_factory: sessionmaker[Session], operation, error: type[Exception]) -> None:
    with db_session_factory() as session, pytest.raises(error):
        operation(PatientRepository(session))


def test_a_stored_row_is_checked_again_when_loaded(db_session_factory: sessionmaker[Session]) -> None:
    with db_session_factory.begin() as session:
        stored = PatientRepository(session).add(patient=make_patient())
        session.connection().exec_driver_sql("UPDATE patients SET family_name = '  '")
    with db_session_factory() as session, pytest.raises(ValidationError, match="family_name"):
        PatientRepository(session).get(patient_id=stored.id or 0)

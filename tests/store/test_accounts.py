"""Users, browser sessions and API tokens: only hashes of secrets, unique names, expiry."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from immunocare.errors import ConflictError, NotFoundError, ValidationError
from immunocare.store import (
    ApiTokenRepository,
    PatientRepository,
    Role,
    SessionRepository,
    User,
    UserRepository,
    hash_token,
)
from tests.factories import CET, make_api_token, make_patient, make_user, make_web_session

NOON = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def _add_user(factory: sessionmaker[Session], **overrides: object) -> User:
    with factory.begin() as session:
        return UserRepository(session).add(user=make_user(**overrides))


def test_a_user_round_trips_and_is_found_by_username(db_session_factory: sessionmaker[Session]) -> None:
    user = make_user(created_at=datetime(2026, 1, 5, 13, 0, tzinfo=CET))
    with db_session_factory.begin() as session:
        stored = UserRepository(session).add(user=user)
    assert stored == dataclasses.replace(user, id=stored.id)
    with db_session_factory() as session:
        users = UserRepository(session)
        assert users.get(user_id=stored.id or 0) == stored
        assert users.get_by_username(username="a.eze") == stored
        assert users.get_by_username(username="nobody") is None
        assert users.get(user_id=stored.id or 0).created_at.tzinfo is UTC


def test_users_are_listed_by_username(db_session_factory: sessionmaker[Session]) -> None:
    for name in ("nurse.b", "admin", "dr.c"):
        _add_user(db_session_factory, username=name)
    with db_session_factory() as session:
        assert [u.username for u in UserRepository(session).list()] == ["admin", "dr.c", "nurse.b"]


def test_a_taken_username_is_a_conflict_that_writes_nothing(
    db_session_factory: sessionmaker[Session],
) -> None:
    _add_user(db_session_factory)
    with db_session_factory.begin() as session, pytest.raises(ConflictError, match=r"'a\.eze' is taken"):
        UserRepository(session).add(user=make_user(display_name="Impostor"))
    with db_session_factory() as session:
        assert [u.display_name for u in UserRepository(session).list()] == ["Dr Amara Eze"]


def test_update_changes_role_name_activity_password_and_patient_link(
    db_session_factory: sessionmaker[Session],
) -> None:
    user = _add_user(db_session_factory, username="sam.parent")
    with db_session_factory.begin() as session:
        patient = PatientRepository(session).add(patient=make_patient())
        changed = dataclasses.replace(
            user,
            role=Role.PATIENT,
            display_name="Sam's parent",
            active=False,
            password_hash="$argon2id$v=19$m=8,t=1,p=1$bmV3c2FsdA$bmV3aGFzaA",
            patient_id=patient.id,
        )
        assert UserRepository(session).update(user=changed) == changed
    with db_session_factory() as session:
        assert UserRepository(session).get(user_id=user.id or 0) == changed


def test_deleting_the_linked_patient_unlinks_the_user(db_session_factory: sessionmaker[Session]) -> None:
    with db_session_factory.begin() as session:
        patient = PatientRepository(session).add(patient=make_patient())
        user = UserRepository(session).add(user=make_user(role=Role.PATIENT, patient_id=patient.id))
    with db_session_factory.begin() as session:
        PatientRepository(session).delete(patient_id=patient.id or 0)
    with db_session_factory() as session:
        assert UserRepository(session).get(user_id=user.id or 0).patient_id is None


@pytest.mark.parametrize(
    ("operation", "error", "message"),
    [
        pytest.param(lambda r: r.get(user_id=404), NotFoundError, "no user", id="get-missing"),
        pytest.param(
            lambda r: r.update(user=make_user(id=404)), NotFoundError, "no user", id="update-missing"
        ),
        pytest.param(
            lambda r: r.update(user=make_user()), ValidationError, "required", id="update-without-id"
        ),
        pytest.param(lambda r: r.add(user=make_user(id=9)), ValidationError, "assigned", id="add-with-id"),
        pytest.param(
            lambda r: r.add(user=make_user(role=Role.PATIENT, patient_id=404)),
            NotFoundError,
            "linked patient",
            id="link-to-missing-patient",
        ),
    ],
)
def test_user_errors(
    db_session_factory: sessionmaker[Session], operation, error: type[Exception], message: str
) -> None:
    with db_session_factory.begin() as session, pytest.raises(error, match=message):
        operation(UserRepository(session))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"patient_id": 1}, "patient_id", id="physician-linked-to-a-record"),
        pytest.param({"created_at": datetime(2026, 1, 5, 12, 0)}, "created_at", id="naive-creation-time"),
        pytest.param({"username": " "}, "username", id="blank-username"),
    ],
)
def test_a_user_checks_its_invariants(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        make_user(**overrides)
    assert raised.value.issues[0].field == field


def test_a_session_is_found_by_its_token_hash_and_ends(db_session_factory: sessionmaker[Session]) -> None:
    user = _add_user(db_session_factory)
    with db_session_factory.begin() as session:
        stored = SessionRepository(session).add(web_session=make_web_session(user_id=user.id))
    with db_session_factory.begin() as session:
        sessions = SessionRepository(session)
        found = sessions.get_by_token_hash(token_hash=hash_token("session-token"))
        assert found == stored
        assert found is not None
        assert not found.expired(now=NOON + timedelta(hours=11))
        assert found.expired(now=NOON + timedelta(hours=12))
        assert sessions.get_by_token_hash(token_hash=hash_token("another-token")) is None
        sessions.delete(session_id=stored.id or 0)
        sessions.delete(session_id=stored.id or 0)
    with db_session_factory() as session:
        assert SessionRepository(session).get_by_token_hash(token_hash=hash_token("session-token")) is None


def test_expired_sessions_and_a_users_sessions_are_deleted_in_bulk(
    db_session_factory: sessionmaker[Session],
) -> None:
    first, second = (
        _add_user(db_session_factory, username="one"),
        _add_user(db_session_factory, username="two"),
    )
    with db_session_factory.begin() as session:
        sessions = SessionRepository(session)
        for user, token, hours in ((first, "a", 1), (first, "b", 24), (second, "c", 1), (second, "d", 24)):
            sessions.add(
                web_session=make_web_session(
                    user_id=user.id, token_hash=hash_token(token), expires_at=NOON + timedelta(hours=hours)
                )
            )
    with db_session_factory.begin() as session:
        sessions = SessionRepository(session)
        assert sessions.delete_expired(now=NOON + timedelta(hours=2)) == 2
        assert sessions.delete_for_user(user_id=first.id or 0) == 1
    with db_session_factory() as session:
        left = [t for t in "abcd" if SessionRepository(session).get_by_token_hash(token_hash=hash_token(t))]
    assert left == ["d"]


@pytest.mark.parametrize(
    ("build", "field"),
    [
        pytest.param(lambda: make_web_session(token_hash="raw-token"), "token_hash", id="session-raw-token"),
        pytest.param(lambda: make_api_token(token_hash="x" * 64), "token_hash", id="token-not-hex"),
        pytest.param(
            lambda: make_web_session(expires_at=NOON), "expires_at", id="session-ends-when-it-starts"
        ),
    ],
)
def test_only_hashes_of_tokens_are_accepted(build, field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        build()
    assert raised.value.issues[0].field == field


def test_a_session_of_a_missing_user_is_not_found(db_session_factory: sessionmaker[Session]) -> None:
    with db_session_factory.begin() as session, pytest.raises(NotFoundError, match="user"):
        SessionRepository(session).add(web_session=make_web_session(user_id=404))


def test_api_tokens_are_listed_revoked_and_touched(db_session_factory: sessionmaker[Session]) -> None:
    user = _add_user(db_session_factory)
    with db_session_factory.begin() as session:
        tokens = ApiTokenRepository(session)
        first = tokens.add(token=make_api_token(user_id=user.id, name="lab", token_hash=hash_token("t1")))
        second = tokens.add(token=make_api_token(user_id=user.id, name="fhir", token_hash=hash_token("t2")))
    used, revoked = NOON + timedelta(days=1), NOON + timedelta(days=2)
    with db_session_factory.begin() as session:
        tokens = ApiTokenRepository(session)
        assert tokens.touch(token_id=first.id or 0, at=used).last_used_at == used
        assert tokens.revoke(token_id=first.id or 0, at=revoked).revoked_at == revoked
        assert tokens.revoke(token_id=first.id or 0, at=revoked + timedelta(days=1)).revoked_at == revoked
    with db_session_factory() as session:
        tokens = ApiTokenRepository(session)
        listed = tokens.list_for_user(user_id=user.id or 0)
        assert listed == (dataclasses.replace(first, last_used_at=used, revoked_at=revoked), second)
        assert tokens.get_by_token_hash(token_hash=hash_token("t2")) == second
        assert tokens.get_by_token_hash(token_hash=hash_token("t3")) is None
    assert not listed[0].usable(now=revoked)
    assert listed[1].usable(now=revoked)
    assert not listed[1].usable(now=NOON + timedelta(days=365))


def test_a_reused_token_hash_is_a_conflict(db_session_factory: sessionmaker[Session]) -> None:
    user = _add_user(db_session_factory)
    with db_session_factory.begin() as session:
        tokens = ApiTokenRepository(session)
        tokens.add(token=make_api_token(user_id=user.id))
        with pytest.raises(ConflictError):
            tokens.add(token=make_api_token(user_id=user.id, name="copy"))
        assert [t.name for t in tokens.list_for_user(user_id=user.id or 0)] == ["laboratory interface"]


@pytest.mark.parametrize(
    "operation",
    [
        pytest.param(lambda r: r.revoke(token_id=404, at=NOON), id="revoke"),
        pytest.param(lambda r: r.touch(token_id=404, at=NOON), id="touch"),
    ],
)
def test_a_missing_token_is_not_found(db_session_factory: sessionmaker[Session], operation) -> None:
    with db_session_factory.begin() as session, pytest.raises(NotFoundError, match="no API token"):
        operation(ApiTokenRepository(session))


def test_hash_token_is_sha256_hex() -> None:
    assert hash_token("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

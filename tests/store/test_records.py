"""Record items: every kind survives the store unchanged, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from immunocare.domain import (
    ITEM_TYPES,
    ItemKind,
    LabResult,
    PatientRecord,
    Quantity,
    RecordItem,
)
from immunocare.errors import NotFoundError, ValidationError
from immunocare.store import PatientRepository, RecordRepository
from immunocare.store.tables import ITEM_ROWS
from tests.factories import CET, ITEM_MAKERS, make_diagnosis, make_growth, make_lab, make_patient

KINDS = [pytest.param(kind, id=kind.value) for kind in ItemKind]

# A lab result needs a value or a value text; every other optional field can be left out.
_KEEP_WHEN_MINIMAL = {ItemKind.LABS: {"value"}}


def _minimal(kind: ItemKind) -> RecordItem:
    """The builder's item with every optional field back at its default (empty)."""
    full = ITEM_MAKERS[kind]()
    defaults = {
        field.name: field.default
        for field in dataclasses.fields(full)
        if field.default is not dataclasses.MISSING and field.name not in _KEEP_WHEN_MINIMAL.get(kind, set())
    }
    return dataclasses.replace(full, **defaults)


def _add_patient(session: Session, mrn: str = "MRN-100234") -> int:
    patient_id = PatientRepository(session).add(patient=make_patient(mrn=mrn)).id
    assert patient_id is not None
    return patient_id


@pytest.mark.parametrize("kind", KINDS)
def test_the_builders_fill_every_field(kind: ItemKind) -> None:
    item = ITEM_MAKERS[kind]()
    empty = [
        f.name for f in dataclasses.fields(item) if f.name != "id" and getattr(item, f.name) in (None, ())
    ]
    assert empty == [], f"tests/factories.py leaves {empty} empty: a round trip would not test them"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "build", [pytest.param(lambda k: ITEM_MAKERS[k](), id="full"), pytest.param(_minimal, id="minimal")]
)
def test_every_kind_round_trips_unchanged(
    db_session_factory: sessionmaker[Session], kind: ItemKind, build
) -> None:
    item = build(kind)
    with db_session_factory.begin() as session:
        patient_id = _add_patient(session)
        stored = RecordRepository(session).add(patient_id=patient_id, kind=kind, item=item)
    assert stored.id is not None
    assert stored == dataclasses.replace(item, id=stored.id)
    with db_session_factory() as session:
        loaded = RecordRepository(session).get(patient_id=patient_id, kind=kind, item_id=stored.id)
    assert loaded == stored
    assert type(loaded) is ITEM_TYPES[kind]


def test_an_instant_comes_back_aware_in_utc_and_units_are_kept(
    db_session_factory: sessionmaker[Session],
) -> None:
    lab = make_lab(
        loinc="2465-3",
        analyte="IgG",
        collected_at=datetime(2019, 3, 4, 23, 59, 59, 999999, tzinfo=CET),
        value=Quantity(120, "mg/dL"),
        comparator=None,
        reference_interval=None,
    )
    with db_session_factory.begin() as session:
        patient_id = _add_patient(session)
        stored = RecordRepository(session).add(patient_id=patient_id, kind=ItemKind.LABS, item=lab)
    with db_session_factory() as session:
        loaded = RecordRepository(session).get(
            patient_id=patient_id, kind=ItemKind.LABS, item_id=stored.id or 0
        )
    assert isinstance(loaded, LabResult)
    assert loaded.collected_at == datetime(2019, 3, 4, 22, 59, 59, 999999, tzinfo=UTC)
    assert loaded.collected_at.utcoffset() == timedelta(0)
    assert loaded.value == Quantity(120, "mg/dL")


def test_items_are_listed_in_date_order_undated_last(db_session_factory: sessionmaker[Session]) -> None:
    days = [date(2020, 5, 1), None, date(2019, 1, 1), date(2021, 7, 9), None]
    with db_session_factory.begin() as session:
        patient_id = _add_patient(session)
        records = RecordRepository(session)
        for day in days:
            records.add(patient_id=patient_id, kind=ItemKind.DIAGNOSES, item=make_diagnosis(diagnosed_on=day))
    with db_session_factory() as session:
        listed = RecordRepository(session).list(patient_id=patient_id, kind=ItemKind.DIAGNOSES)
    assert [d.diagnosed_on for d in listed] == [
        date(2019, 1, 1),
        date(2020, 5, 1),
        date(2021, 7, 9),
        None,
        None,
    ]
    assert [d.id for d in listed][-2:] == sorted(d.id or 0 for d in listed[-2:])


def test_lab_results_are_ordered_by_instant_across_time_zones(
    db_session_factory: sessionmaker[Session],
) -> None:
    late_utc = datetime(2019, 3, 4, 8, 0, tzinfo=UTC)  # 09:00 CET
    early_cet = datetime(2019, 3, 4, 8, 30, tzinfo=CET)  # 07:30 UTC
    with db_session_factory.begin() as session:
        patient_id = _add_patient(session)
        records = RecordRepository(session)
        for instant in (late_utc, early_cet):
            records.add(patient_id=patient_id, kind=ItemKind.LABS, item=make_lab(collected_at=instant))
    with db_session_factory() as session:
        listed = RecordRepository(session).list(patient_id=patient_id, kind=ItemKind.LABS)
    assert [lab.collected_at for lab in listed] == [early_cet, late_utc]


def test_load_gathers_every_kind_of_the_patient_only(db_session_factory: sessionmaker[Session]) -> None:
    with db_session_factory.begin() as session:
        patient_id = _add_patient(session)
        other_id = _add_patient(session, mrn="MRN-999999")
        records = RecordRepository(session)
        stored = {
            kind: records.add(patient_id=patient_id, kind=kind, item=ITEM_MAKERS[kind]()) for kind in ItemKind
        }
        records.add(patient_id=other_id, kind=ItemKind.GROWTH, item=make_growth())
        patient = PatientRepository(session).get(patient_id=patient_id)
    with db_session_factory() as session:
        record = RecordRepository(session).load(patient_id=patient_id)
    expected = PatientRecord(patient=patient, **{kind.value: (item,) for kind, item in stored.items()})
    assert record == expected


def test_replace_overwrites_and_delete_returns_the_item(db_session_factory: sessionmaker[Session]) -> None:
    with db_session_factory.begin() as session:
        patient_id = _add_patient(session)
        records = RecordRepository(session)
        stored = records.add(patient_id=patient_id, kind=ItemKind.GROWTH, item=make_growth())
        item_id = stored.id or 0
        changed = make_growth(value=Quantity(15.9, "kg"))
        replaced = records.replace(patient_id=patient_id, kind=ItemKind.GROWTH, item_id=item_id, item=changed)
    assert replaced == dataclasses.replace(changed, id=item_id)
    with db_session_factory.begin() as session:
        records = RecordRepository(session)
        assert records.get(patient_id=patient_id, kind=ItemKind.GROWTH, item_id=item_id) == replaced
        assert records.delete(patient_id=patient_id, kind=ItemKind.GROWTH, item_id=item_id) == replaced
    with db_session_factory() as session, pytest.raises(NotFoundError):
        RecordRepository(session).get(patient_id=patient_id, kind=ItemKind.GROWTH, item_id=item_id)


@pytest.mark.parametrize(
    "operation",
    [
        pytest.param(lambda r, p, i: r.get(patient_id=p, kind=ItemKind.LABS, item_id=i), id="get"),
        pytest.param(
            lambda r, p, i: r.replace(patient_id=p, kind=ItemKind.LABS, item_id=i, item=make_lab()),
            id="replace",
        ),
        pytest.param(lambda r, p, i: r.delete(patient_id=p, kind=ItemKind.LABS, item_id=i), id="delete"),
    ],
)
def test_another_patients_item_is_not_found(db_session_factory: sessionmaker[Session], operation) -> None:
    with db_session_factory.begin() as session:
        owner = _add_patient(session)
        intruder = _add_patient(session, mrn="MRN-999999")
        lab = RecordRepository(session).add(patient_id=owner, kind=ItemKind.LABS, item=make_lab())
    with db_session_factory.begin() as session, pytest.raises(NotFoundError, match="has no lab result"):
        operation(RecordRepository(session), intruder, lab.id)
    with db_session_factory() as session:
        assert RecordRepository(session).get(patient_id=owner, kind=ItemKind.LABS, item_id=lab.id or 0) == lab


@pytest.mark.parametrize(
    ("kind", "item", "message"),
    [
        pytest.param(
            ItemKind.GROWTH, make_lab(), "growth holds GrowthMeasurement items", id="item-of-another-kind"
        ),
        pytest.param(ItemKind.GROWTH, make_growth(id=7), "assigned by the store", id="item-with-an-id"),
    ],
)
def test_add_refuses_a_wrong_item(
    db_session_factory: sessionmaker[Session], kind: ItemKind, item: RecordItem, message: str
) -> None:
    with db_session_factory.begin() as session:
        patient_id = _add_patient(session)
        with pytest.raises(ValidationError, match=message):
            RecordRepository(session).add(patient_id=patient_id, kind=kind, item=item)


@pytest.mark.parametrize(
    "operation",
    [
        pytest.param(lambda r: r.add(patient_id=404, kind=ItemKind.GROWTH, item=make_growth()), id="add"),
        pytest.param(lambda r: r.list(patient_id=404, kind=ItemKind.GROWTH), id="list"),
        pytest.param(lambda r: r.load(patient_id=404), id="load"),
    ],
)
def test_a_missing_patient_is_not_found(db_session_factory: sessionmaker[Session], operation) -> None:
    with db_session_factory() as session, pytest.raises(NotFoundError, match="no patient with id 404"):
        operation(RecordRepository(session))


def test_deleting_a_patient_deletes_their_whole_record(db_session_factory: sessionmaker[Session]) -> None:
    with db_session_factory.begin() as session:
        patient_id = _add_patient(session)
        kept_id = _add_patient(session, mrn="MRN-999999")
        records = RecordRepository(session)
        for kind in ItemKind:
            records.add(patient_id=patient_id, kind=kind, item=ITEM_MAKERS[kind]())
            records.add(patient_id=kept_id, kind=kind, item=ITEM_MAKERS[kind]())
    with db_session_factory.begin() as session:
        deleted = PatientRepository(session).delete(patient_id=patient_id)
    assert deleted.id == patient_id
    with db_session_factory() as session:
        for row_type in ITEM_ROWS.values():
            query = select(row_type.patient_id, func.count()).group_by(row_type.patient_id)
            assert dict(session.execute(query).all()) == {kept_id: 1}, row_type.__tablename__
        assert len(RecordRepository(session).load(patient_id=kept_id).labs) == 1


def test_a_rolled_back_transaction_leaves_nothing(db_session_factory: sessionmaker[Session]) -> None:
    class AbandonedError(Exception):
        pass

    with pytest.raises(AbandonedError), db_session_factory.begin() as session:
        patient_id = _add_patient(session)
        RecordRepository(session).add(patient_id=patient_id, kind=ItemKind.LABS, item=make_lab())
        raise AbandonedError
    with db_session_factory() as session:
        assert PatientRepository(session).count() == 0
        assert session.execute(text("SELECT count(*) FROM lab_results")).scalar() == 0

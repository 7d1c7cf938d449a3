"""Every field of every stored shape has its column, and every column belongs to a field."""

from __future__ import annotations

import pytest

from immunocare.domain import ITEM_TYPES
from immunocare.store._mapping import column_values
from immunocare.store.tables import ITEM_ROWS, ApiTokenRow, AuditRow, PatientRow, UserRow, WebSessionRow
from tests.factories import (
    ITEM_MAKERS,
    make_api_token,
    make_audit_entry,
    make_patient,
    make_user,
    make_web_session,
)

SHAPES = [
    pytest.param(make_patient(), PatientRow, id="patients"),
    pytest.param(make_user(), UserRow, id="users"),
    pytest.param(make_api_token(), ApiTokenRow, id="api_tokens"),
    pytest.param(make_web_session(), WebSessionRow, id="web_sessions"),
    pytest.param(make_audit_entry(), AuditRow, id="audit_log"),
    *(pytest.param(ITEM_MAKERS[kind](), row, id=row.__tablename__) for kind, row in ITEM_ROWS.items()),
]


@pytest.mark.parametrize(("shape", "row_type"), SHAPES)
def test_the_columns_are_exactly_the_fields(shape: object, row_type: type) -> None:
    columns = {column.name for column in row_type.__table__.columns}
    links = {"patient_id"} if row_type in ITEM_ROWS.values() else set()
    assert columns == {"id", *links, *column_values(shape)}


def test_every_kind_has_a_table_and_a_builder() -> None:
    assert set(ITEM_ROWS) == set(ITEM_TYPES) == set(ITEM_MAKERS)

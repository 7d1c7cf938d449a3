from __future__ import annotations

from datetime import date

import pytest

from immunocare import services
from immunocare.domain import Sex
from immunocare.errors import ConflictError, ValidationError
from immunocare.services import Actor, ServiceContext
from immunocare.services.schemas import PatientIn, PatientUpdate


def patient_in(**overrides: object) -> PatientIn:
    values: dict[str, object] = {
        "mrn": "MRN-100",
        "family_name": "Novak",
        "given_names": "Tomas",
        "birth_date": date(2019, 6, 1),
        "sex": Sex.MALE,
    }
    return PatientIn.model_validate({**values, **overrides})


def test_register_read_and_audit(ctx: ServiceContext, physician: Actor, admin: Actor) -> None:
    created = services.create_patient(ctx, actor=physician, data=patient_in())
    read = services.get_patient(ctx, actor=physician, patient_id=created.id)

    assert read == created
    entries = services.list_audit_entries(ctx, actor=admin, patient_id=created.id)
    assert [(e.action, e.outcome, e.username) for e in entries] == [
        ("read", "ok", "dr.jenner"),
        ("create", "ok", "dr.jenner"),
    ]


def test_duplicate_mrn_is_a_conflict_and_writes_nothing(ctx: ServiceContext, physician: Actor) -> None:
    services.create_patient(ctx, actor=physician, data=patient_in())

    with pytest.raises(ConflictError, match="MRN-100"):
        services.create_patient(ctx, actor=physician, data=patient_in(family_name="Other"))

    assert services.search_patients(ctx, actor=physician).total == 1


def test_birth_date_in_the_future_is_refused(ctx: ServiceContext, physician: Actor) -> None:
    with pytest.raises(ValidationError) as raised:
        services.create_patient(ctx, actor=physician, data=patient_in(birth_date=date(2027, 1, 1)))

    assert [issue.field for issue in raised.value.issues] == ["birth_date"]
    assert services.search_patients(ctx, actor=physician).total == 0


def test_update_changes_only_the_given_fields(ctx: ServiceContext, physician: Actor) -> None:
    created = services.create_patient(ctx, actor=physician, data=patient_in())

    updated = services.update_patient(
        ctx, actor=physician, patient_id=created.id, changes=PatientUpdate(given_names="Tomáš Jan")
    )

    assert updated.given_names == "Tomáš Jan"
    assert (updated.mrn, updated.family_name, updated.birth_date) == (
        created.mrn,
        created.family_name,
        created.birth_date,
    )


def test_update_to_a_taken_mrn_is_a_conflict(ctx: ServiceContext, physician: Actor) -> None:
    services.create_patient(ctx, actor=physician, data=patient_in())
    other = services.create_patient(ctx, actor=physician, data=patient_in(mrn="MRN-200"))

    with pytest.raises(ConflictError):
        services.update_patient(
            ctx, actor=physician, patient_id=other.id, changes=PatientUpdate(mrn="MRN-100")
        )

    assert services.get_patient(ctx, actor=physician, patient_id=other.id).mrn == "MRN-200"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nov", ["MRN-100"]),
        ("MRN-2", ["MRN-200"]),
        ("ada", ["MRN-200"]),
        (None, ["MRN-100", "MRN-200"]),
        ("nobody", []),
    ],
    ids=["family-name-part", "mrn-prefix", "given-name-any-case", "everyone", "no-match"],
)
def test_search(ctx: ServiceContext, physician: Actor, text: str | None, expected: list[str]) -> None:
    services.create_patient(ctx, actor=physician, data=patient_in())
    services.create_patient(
        ctx,
        actor=physician,
        data=patient_in(mrn="MRN-200", family_name="Okoro", given_names="Ada", sex=Sex.FEMALE),
    )

    page = services.search_patients(ctx, actor=physician, text=text)

    assert sorted(p.mrn for p in page.patients) == expected
    assert page.total == len(expected)

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from typing import Any

import pytest

from immunocare import services
from immunocare.domain import ItemKind, Sex
from immunocare.errors import NotFoundError, ValidationError
from immunocare.services import Actor, ServiceContext
from immunocare.services.schemas import ITEM_SCHEMAS, PatientIn, PatientOut

BIRTH = date(2019, 6, 1)


@pytest.fixture
def patient(ctx: ServiceContext, physician: Actor) -> PatientOut:
    data = PatientIn(mrn="MRN-1", family_name="Novak", given_names="Tomas", birth_date=BIRTH, sex=Sex.MALE)
    return services.create_patient(ctx, actor=physician, data=data)


def add(ctx: ServiceContext, actor: Actor, patient: PatientOut, kind: ItemKind, raw: dict[str, Any]) -> Any:
    data = ITEM_SCHEMAS[kind].schema_in.model_validate(raw)
    return services.add_item(ctx, actor=actor, patient_id=patient.id, kind=kind, data=data)


def igg(**overrides: Any) -> dict[str, Any]:
    return {
        "loinc": "2465-3",
        "analyte": "IgG",
        "collected_at": "2026-03-02T08:30:00",
        "value": {"value": 6.5, "unit": "g/L"},
        **overrides,
    }


def infection(**overrides: Any) -> dict[str, Any]:
    return {"onset": "2026-01-10", "site": "ear", **overrides}


# (kind, raw input, field named in the error, words in the message)
BAD_INPUT: list[tuple[ItemKind, dict[str, Any], str, str]] = [
    (ItemKind.INFECTIONS, infection(end="2026-01-01"), "end", "before onset"),
    (ItemKind.INFECTIONS, infection(onset="2026-12-01"), "onset", "future"),
    (ItemKind.INFECTIONS, infection(onset="2019-05-01"), "onset", "birth date"),
    (
        ItemKind.INFECTIONS,
        infection(antibiotic_courses=[{"drug": "amoxicillin", "start": "2026-01-12", "stop": "2026-01-11"}]),
        "antibiotic_courses.0.stop",
        "before start",
    ),
    (ItemKind.LABS, igg(value={"value": 5000, "unit": "g/L"}), "value", "impossible"),
    (ItemKind.LABS, igg(value={"value": -2, "unit": "g/L"}), "value", "negative"),
    (ItemKind.LABS, igg(value={"value": 6.5, "unit": "furlongs"}), "value.unit", "unknown unit"),
    (ItemKind.LABS, igg(value={"value": 650, "unit": "/uL"}), "value.unit", "not measured in"),
    (ItemKind.LABS, igg(loinc="2465-4"), "loinc", "check digit"),
    (ItemKind.LABS, igg(value=None), "value", "value or a value_text"),
    (
        ItemKind.VACCINATIONS,
        {"cvx": "999", "vaccine": "Imaginary", "given_on": "2025-01-01"},
        "cvx",
        "not a vaccine",
    ),
    (ItemKind.PHENOTYPES, {"hpo_id": "HP:9999999"}, "hpo_id", "not a term"),
    (
        ItemKind.MEDICATIONS,
        {"name": "rituximab", "start": "2026-02-01", "stop": "2026-01-01"},
        "stop",
        "before start",
    ),
    (
        ItemKind.MEDICATIONS,
        {"name": "rituximab", "start": "2026-02-01", "code": "L01FA01"},
        "code_system",
        "code system",
    ),
    (
        ItemKind.GENETIC_FINDINGS,
        {"gene": "BTK", "hgvs": "G to A somewhere", "zygosity": "hemizygous", "acmg_class": "pathogenic"},
        "hgvs",
        "HGVS",
    ),
    (
        ItemKind.INFUSIONS,
        {"product": "Privigen", "route": "iv", "given_on": "2026-01-01", "dose": {"value": 10, "unit": "mL"}},
        "dose",
        "mass",
    ),
    (ItemKind.DIAGNOSES, {"code": "D8O.0", "system": "ICD-10-CM", "display": "XLA"}, "code", "ICD-10-CM"),
    (
        ItemKind.GROWTH,
        {"kind": "weight", "measured_on": "2026-01-01", "value": {"value": 110, "unit": "cm"}},
        "value",
        "mass",
    ),
    (
        ItemKind.IMAGING,
        {
            "modality": "ct",
            "body_site": "chest",
            "performed_on": "2025-01-01",
            "findings": [{"kind": "chronic_sinusitis"}],
        },
        "findings.0.kind",
        "cannot be seen on imaging of the chest",
    ),
    (
        ItemKind.IMAGING,
        {"modality": "mri", "body_site": "abdomen", "performed_on": "2099-01-01"},
        "performed_on",
        "in the future",
    ),
]


@pytest.mark.parametrize(
    ("kind", "raw", "field", "words"),
    BAD_INPUT,
    ids=[
        "infection-ends-before-onset",
        "infection-in-the-future",
        "infection-before-birth",
        "course-stops-before-start",
        "igg-5000-g-per-l",
        "negative-igg",
        "unknown-unit",
        "igg-in-cells-per-ul",
        "loinc-check-digit",
        "lab-without-value",
        "unknown-cvx",
        "unknown-hpo-term",
        "medication-stops-before-start",
        "code-without-system",
        "hgvs-not-hgvs",
        "ig-dose-in-ml",
        "icd10-typo",
        "weight-in-cm",
        "sinusitis-on-a-chest-ct",
        "imaging-in-the-future",
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    ctx: ServiceContext,
    physician: Actor,
    patient: PatientOut,
    kind: ItemKind,
    raw: dict[str, Any],
    field: str,
    words: str,
) -> None:
    with pytest.raises(ValidationError) as raised:
        add(ctx, physician, patient, kind, raw)

    assert [issue.field for issue in raised.value.issues] == [field]
    assert words in raised.value.issues[0].message
    assert services.list_items(ctx, actor=physician, patient_id=patient.id, kind=kind) == []


def test_obsolete_hpo_term_is_refused_with_its_replacement(
    ctx: ServiceContext, physician: Actor, patient: PatientOut
) -> None:
    with pytest.raises(ValidationError, match=r"HP:0000057 .* is obsolete .* use HP:0008665"):
        add(ctx, physician, patient, ItemKind.PHENOTYPES, {"hpo_id": "HP:0000057"})


def test_phenotype_label_defaults_to_hpo(ctx: ServiceContext, physician: Actor, patient: PatientOut) -> None:
    stored = add(ctx, physician, patient, ItemKind.PHENOTYPES, {"hpo_id": "HP:0004432"})

    assert stored.label == "Agammaglobulinemia"


def test_common_unit_spellings_become_ucum(
    ctx: ServiceContext, physician: Actor, patient: PatientOut
) -> None:
    stored = add(ctx, physician, patient, ItemKind.LABS, igg(value={"value": 650, "unit": "mg/dl"}))

    assert (stored.value.value, stored.value.unit) == (650, "mg/dL")


def test_a_time_without_offset_is_read_in_the_center_time_zone(
    ctx: ServiceContext, physician: Actor, patient: PatientOut
) -> None:
    stored = add(ctx, physician, patient, ItemKind.LABS, igg(collected_at="2026-03-02T08:30:00"))

    assert stored.collected_at == datetime(2026, 3, 2, 7, 30, tzinfo=UTC)  # Amsterdam is UTC+1 in March


def test_add_read_replace_delete(
    ctx: ServiceContext, physician: Actor, admin: Actor, patient: PatientOut
) -> None:
    courses = [{"drug": "amoxicillin", "start": "2026-01-11", "stop": "2026-01-18", "effect": "none"}]
    added = add(ctx, physician, patient, ItemKind.INFECTIONS, infection(antibiotic_courses=courses))
    read = services.get_item(
        ctx, actor=physician, patient_id=patient.id, kind=ItemKind.INFECTIONS, item_id=added.id
    )
    assert read == added

    corrected = ITEM_SCHEMAS[ItemKind.INFECTIONS].schema_in.model_validate(infection(site="sinus"))
    replaced = services.replace_item(
        ctx,
        actor=physician,
        patient_id=patient.id,
        kind=ItemKind.INFECTIONS,
        item_id=added.id,
        data=corrected,
    )
    assert (replaced.id, replaced.site.value, replaced.antibiotic_courses) == (added.id, "sinus", ())

    services.delete_item(
        ctx, actor=physician, patient_id=patient.id, kind=ItemKind.INFECTIONS, item_id=added.id
    )
    with pytest.raises(NotFoundError):
        services.get_item(
            ctx, actor=physician, patient_id=patient.id, kind=ItemKind.INFECTIONS, item_id=added.id
        )
    deletion = services.list_audit_entries(ctx, actor=admin, patient_id=patient.id, action="delete")[0]
    assert '"site":"sinus"' in (deletion.detail or "")


def test_an_item_of_another_patient_is_not_found(
    ctx: ServiceContext, physician: Actor, patient: PatientOut
) -> None:
    other = services.create_patient(
        ctx,
        actor=physician,
        data=PatientIn(mrn="MRN-2", family_name="Okoro", given_names="Ada", birth_date=BIRTH, sex=Sex.FEMALE),
    )
    added = add(ctx, physician, patient, ItemKind.INFECTIONS, infection())

    with pytest.raises(NotFoundError):
        services.get_item(
            ctx, actor=physician, patient_id=other.id, kind=ItemKind.INFECTIONS, item_id=added.id
        )


def test_record_holds_every_kind_in_date_order(
    ctx: ServiceContext, physician: Actor, patient: PatientOut
) -> None:
    for onset in ("2026-03-01", "2025-01-01", "2026-01-01"):
        add(ctx, physician, patient, ItemKind.INFECTIONS, infection(onset=onset))
    add(ctx, physician, patient, ItemKind.LABS, igg())

    record = services.get_record(ctx, actor=physician, patient_id=patient.id)

    assert [i.onset.isoformat() for i in record.infections] == ["2025-01-01", "2026-01-01", "2026-03-01"]
    assert len(record.labs) == 1


def test_concurrent_writes_on_sqlite_wait_for_each_other(
    sqlite_ctx: ServiceContext, physician: Actor
) -> None:
    data = PatientIn(mrn="MRN-9", family_name="Lund", given_names="Eva", birth_date=BIRTH, sex=Sex.FEMALE)
    patient = services.create_patient(sqlite_ctx, actor=physician, data=data)

    def one(day: int) -> Any:
        return add(sqlite_ctx, physician, patient, ItemKind.INFECTIONS, infection(onset=f"2026-01-{day:02d}"))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, range(1, 29)))

    assert (
        len(services.list_items(sqlite_ctx, actor=physician, patient_id=patient.id, kind=ItemKind.INFECTIONS))
        == 28
    )

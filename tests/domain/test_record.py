from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from immunocare.domain import (
    BodySite,
    ImagingFinding,
    ImagingFindingKind,
    ItemKind,
    LabResult,
    Medication,
    PatientRecord,
    Quantity,
    Relation,
    timeline,
)
from immunocare.domain.codes import CodeSystem, code_problem, hgnc_symbol_problem, loinc_problem
from immunocare.errors import ValidationError
from tests.factories import (
    make_diagnosis,
    make_genetic_finding,
    make_growth,
    make_imaging,
    make_infection,
    make_infusion,
    make_lab,
    make_patient,
    make_vaccination,
)


@pytest.mark.parametrize(
    ("build", "overrides", "field"),
    [
        (make_infection, {"onset": date(2026, 2, 1), "end": date(2026, 1, 1)}, "end"),
        (make_lab, {"loinc": "2465-4"}, "loinc"),
        (make_lab, {"collected_at": datetime(2026, 1, 1, 9, 0)}, "collected_at"),
        (make_lab, {"value": Quantity(-5, "g/L")}, "value"),
        (make_growth, {"value": Quantity(0, "kg")}, "value"),
        (make_vaccination, {"cvx": "CVX3"}, "cvx"),
        (make_diagnosis, {"iuis_category": "11.2"}, "iuis_category"),
        (make_genetic_finding, {"gene": "btk"}, "gene"),
        (make_infusion, {"dose": Quantity(50, "mL")}, "dose"),
        (make_patient, {"mrn": "  "}, "mrn"),
        (make_imaging, {"body_site": BodySite.SINUSES}, "findings.0.kind"),
        (
            make_imaging,
            {"findings": (ImagingFinding(kind=ImagingFindingKind.CONSOLIDATION),) * 2},
            "findings.1.kind",
        ),
    ],
    ids=[
        "infection-end-before-onset",
        "loinc-check-digit",
        "naive-collection-time",
        "negative-igg",
        "zero-weight",
        "cvx-not-digits",
        "iuis-table-11",
        "gene-lower-case",
        "ig-dose-as-volume",
        "blank-mrn",
        "bronchiectasis-on-a-sinus-ct",
        "the-same-imaging-finding-twice",
    ],
)
def test_shapes_refuse_broken_invariants(build: Any, overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        build(**overrides)
    assert raised.value.issues[0].field == field


@pytest.mark.parametrize(
    ("code", "problem"),
    [("2465-3", False), ("26474-7", False), ("8122-4", False), ("2465-30", True), ("24653", True)],
    ids=["igg", "lymphocytes", "cd3", "wrong-check-digit", "no-dash"],
)
def test_loinc_check_digit(code: str, problem: bool) -> None:
    assert (loinc_problem(code) is not None) is problem


@pytest.mark.parametrize(
    ("system", "code", "problem"),
    [
        (CodeSystem.ICD10CM, "D80.0", False),
        (CodeSystem.ICD10CM, "D71", False),
        (CodeSystem.ICD10CM, "80.0", True),
        (CodeSystem.ORPHA, "ORPHA:47", False),
        (CodeSystem.OMIM, "300755", False),
        (CodeSystem.ATC, "L01FA01", False),
        (CodeSystem.ATC, "L1FA01", True),
    ],
    ids=["icd-d80", "icd-three-characters", "icd-no-letter", "orpha", "omim", "atc", "atc-malformed"],
)
def test_code_syntax(system: CodeSystem, code: str, problem: bool) -> None:
    assert (code_problem(system, code) is not None) is problem


def test_hgnc_symbols() -> None:
    assert hgnc_symbol_problem("IL2RG") is None
    assert hgnc_symbol_problem("C1orf112") is None
    assert hgnc_symbol_problem("il2rg") is not None


def test_daily_dose() -> None:
    steroid = Medication(
        name="prednisolone", start=date(2026, 1, 1), dose=Quantity(10, "mg"), dose_interval=Quantity(12, "h")
    )
    assert steroid.daily_dose() == Quantity(20, "mg")


def test_relations() -> None:
    assert Relation.MATERNAL_UNCLE.maternal and not Relation.MATERNAL_UNCLE.first_degree
    assert Relation.BROTHER.first_degree and not Relation.FATHER.maternal


def test_timeline_is_newest_first_and_filterable() -> None:
    record = PatientRecord(
        patient=make_patient(),
        infections=(
            make_infection(onset=date(2025, 1, 5), end=None, antibiotic_courses=()),
            make_infection(onset=date(2026, 3, 1), end=None, antibiotic_courses=()),
        ),
        labs=(make_lab(collected_at=datetime(2025, 6, 1, 8, 0, tzinfo=UTC)),),
    )

    entries = timeline(record)
    only_labs = timeline(record, kinds=frozenset({ItemKind.LABS}))

    assert [e.day for e in entries] == [date(2026, 3, 1), date(2025, 6, 1), date(2025, 1, 5)]
    assert [e.kind for e in only_labs] == [ItemKind.LABS]
    assert isinstance(only_labs[0].item, LabResult)

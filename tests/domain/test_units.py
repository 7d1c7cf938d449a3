from __future__ import annotations

import pytest

from immunocare.domain.units import Quantity, absolute_from_percent, normalize_unit, physical_problem
from immunocare.errors import ValidationError


@pytest.mark.parametrize(
    ("value", "unit", "target", "expected"),
    [
        (650, "mg/dL", "g/L", 6.5),
        (6.5, "g/L", "mg/dL", 650),
        (1200, "/uL", "10*9/L", 1.2),
        (0.3, "10*9/L", "/uL", 300),
        (2.5, "10*3/uL", "10*9/L", 2.5),
        (1.3, "ug/mL", "mg/L", 1.3),
        (0.1, "[IU]/mL", "m[IU]/mL", 100),
        (110, "[lb_av]", "kg", 49.89516),
        (60, "[in_i]", "cm", 152.4),
    ],
    ids=[
        "igg-mg-dl-to-g-l",
        "igg-g-l-to-mg-dl",
        "cells-per-ul-to-10e9",
        "10e9-to-cells-per-ul",
        "k-per-ul",
        "ug-ml-is-mg-l",
        "iu-to-miu",
        "pounds",
        "inches",
    ],
)
def test_conversion(value: float, unit: str, target: str, expected: float) -> None:
    assert Quantity(value, unit).to(target).value == pytest.approx(expected)


def test_units_of_different_dimensions_do_not_convert() -> None:
    with pytest.raises(ValidationError, match="cannot convert"):
        Quantity(6.5, "g/L").to("/uL")


@pytest.mark.parametrize(
    ("written", "ucum"),
    [
        ("mg/dl", "mg/dL"),
        ("cells/µL", "/uL"),
        ("x10^9/L", "10*9/L"),
        ("×10⁹/L", "10*9/L"),
        ("IU/mL", "[IU]/mL"),
        ("mcg/mL", "ug/mL"),
        ("kU/L", "k[IU]/L"),
        ("ml/kg/hr", "mL/kg/h"),
        ("g/L", "g/L"),
    ],
    ids=[
        "mg-dl",
        "cells-micro",
        "x10-9",
        "times-superscript",
        "iu",
        "mcg",
        "ku-per-l",
        "ml-kg-hr",
        "already-ucum",
    ],
)
def test_common_spellings_normalise_to_ucum(written: str, ucum: str) -> None:
    assert normalize_unit(written) == ucum


def test_an_unknown_unit_names_the_field() -> None:
    with pytest.raises(ValidationError) as raised:
        normalize_unit("furlongs", field="value.unit")
    assert raised.value.issues[0].field == "value.unit"


def test_percent_of_lymphocytes_to_absolute() -> None:
    absolute = absolute_from_percent(Quantity(0.2, "%"), lymphocytes=Quantity(4100, "/uL"))
    assert absolute.unit == "10*9/L"
    assert absolute.value == pytest.approx(0.0082)


@pytest.mark.parametrize(
    ("quantity", "possible"),
    [
        (Quantity(5000, "g/L"), False),
        (Quantity(-1, "/uL"), False),
        (Quantity(101, "%"), False),
        (Quantity(65, "g/L"), True),
        (Quantity(0, "/uL"), True),
    ],
    ids=["igg-5000-g-l", "negative-count", "percent-over-100", "myeloma-level-igg", "zero-count"],
)
def test_physical_possibility(quantity: Quantity, possible: bool) -> None:
    assert (physical_problem(quantity) is None) is possible

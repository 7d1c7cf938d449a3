"""Quantities with UCUM units, converted in one place.

Every measured value in immunocare is a :class:`Quantity`: a number with a UCUM unit code
(https://ucum.org). Units typed by people or sent by laboratories in common non-UCUM spellings
(``mg/dl``, ``cells/µL``, ``x10^9/L``, ``IU/mL``) are normalised to their UCUM code by
:func:`normalize_unit`; anything else is refused with a clear error.

Conversions are the physics of the units, not clinical knowledge:

>>> Quantity(650, "mg/dL").to("g/L")
Quantity(value=6.5, unit='g/L')
>>> Quantity(1200, "/uL").to("10*9/L")
Quantity(value=1.2, unit='10*9/L')
>>> absolute_from_percent(Quantity(12, "%"), lymphocytes=Quantity(2.5, "10*9/L"))
Quantity(value=0.3, unit='10*9/L')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType

from immunocare.errors import ValidationError

__all__ = [
    "UNITS",
    "Quantity",
    "UnitDef",
    "absolute_from_percent",
    "dimension_of",
    "normalize_unit",
    "physical_problem",
]

_ROUND_DIGITS = 12


@dataclass(frozen=True, slots=True)
class UnitDef:
    """A UCUM unit immunocare understands.

    Attributes:
        code: the UCUM case-sensitive code.
        dimension: what it measures; only units of one dimension convert into each other.
        factor: multiply a value in this unit by ``factor`` to get the dimension's base unit.
        display: how the unit is shown to people.
    """

    code: str
    dimension: str
    factor: float
    display: str


def _defs(dimension: str, *rows: tuple[str, float, str]) -> list[UnitDef]:
    return [UnitDef(code, dimension, factor, display) for code, factor, display in rows]


_ALL: list[UnitDef] = [
    # mass concentration, base g/L
    *_defs(
        "mass concentration",
        ("g/L", 1.0, "g/L"),
        ("g/dL", 10.0, "g/dL"),
        ("mg/dL", 0.01, "mg/dL"),
        ("mg/mL", 1.0, "mg/mL"),
        ("mg/L", 1e-3, "mg/L"),
        ("ug/mL", 1e-3, "µg/mL"),
        ("ug/dL", 1e-5, "µg/dL"),
        ("ug/L", 1e-6, "µg/L"),
        ("ng/mL", 1e-6, "ng/mL"),
    ),
    # number concentration, base 10*9/L
    *_defs(
        "number concentration",
        ("10*9/L", 1.0, "×10⁹/L"),
        ("10*12/L", 1e3, "×10¹²/L"),
        ("10*6/L", 1e-3, "×10⁶/L"),
        ("10*3/uL", 1.0, "×10³/µL"),
        ("/uL", 1e-3, "cells/µL"),
        ("/mm3", 1e-3, "cells/mm³"),
        ("/nL", 1.0, "/nL"),
    ),
    # arbitrary (international) units per volume, base [IU]/mL
    *_defs(
        "international units concentration",
        ("[IU]/mL", 1.0, "IU/mL"),
        ("[IU]/L", 1e-3, "IU/L"),
        ("m[IU]/mL", 1e-3, "mIU/mL"),
        ("k[IU]/L", 1.0, "kIU/L"),
    ),
    *_defs("catalytic concentration", ("U/L", 1.0, "U/L"), ("U/mL", 1e3, "U/mL")),
    *_defs(
        "substance concentration",
        ("mmol/L", 1.0, "mmol/L"),
        ("umol/L", 1e-3, "µmol/L"),
        ("nmol/L", 1e-6, "nmol/L"),
    ),
    *_defs("fraction", ("%", 1.0, "%")),
    *_defs("ratio", ("1", 1.0, ""), ("{ratio}", 1.0, "")),
    *_defs("titer", ("{titer}", 1.0, "titre")),
    *_defs(
        "mass",
        ("kg", 1.0, "kg"),
        ("g", 1e-3, "g"),
        ("mg", 1e-6, "mg"),
        ("ug", 1e-9, "µg"),
        ("[lb_av]", 0.45359237, "lb"),
    ),
    *_defs("length", ("cm", 1.0, "cm"), ("m", 100.0, "m"), ("mm", 0.1, "mm"), ("[in_i]", 2.54, "in")),
    *_defs("volume", ("mL", 1.0, "mL"), ("L", 1e3, "L")),
    *_defs(
        "time",
        ("d", 1.0, "days"),
        ("h", 1 / 24, "h"),
        ("min", 1 / 1440, "min"),
        ("wk", 7.0, "weeks"),
        ("mo", 30.4375, "months"),
        ("a", 365.25, "years"),
    ),
    *_defs("volume rate", ("mL/h", 1.0, "mL/h"), ("mL/min", 60.0, "mL/min")),
    *_defs("volume rate per mass", ("mL/kg/h", 1.0, "mL/kg/h"), ("mL/kg/min", 60.0, "mL/kg/min")),
    *_defs("mass rate per mass", ("mg/kg/min", 1.0, "mg/kg/min")),
    *_defs("mass per mass", ("g/kg", 1.0, "g/kg"), ("mg/kg", 1e-3, "mg/kg")),
    *_defs("mass rate", ("mg/d", 1.0, "mg/day"), ("g/d", 1e3, "g/day")),
    *_defs("body mass index", ("kg/m2", 1.0, "kg/m²")),
]

UNITS: MappingProxyType[str, UnitDef] = MappingProxyType({u.code: u for u in _ALL})
"""Every UCUM unit code immunocare accepts, by code."""

_ALIASES = {
    "mg/dl": "mg/dL",
    "g/dl": "g/dL",
    "g/l": "g/L",
    "mg/l": "mg/L",
    "mg/ml": "mg/mL",
    "ug/ml": "ug/mL",
    "ug/l": "ug/L",
    "ng/ml": "ng/mL",
    "cells/ul": "/uL",
    "{cells}/ul": "/uL",
    "/ul": "/uL",
    "cells/mm3": "/mm3",
    "/mm^3": "/mm3",
    "10^9/l": "10*9/L",
    "x10^9/l": "10*9/L",
    "x10e9/l": "10*9/L",
    "10e9/l": "10*9/L",
    "g/l(10^9)": "10*9/L",
    "10^6/l": "10*6/L",
    "x10^6/l": "10*6/L",
    "10^3/ul": "10*3/uL",
    "x10^3/ul": "10*3/uL",
    "k/ul": "10*3/uL",
    "iu/ml": "[IU]/mL",
    "[iu]/ml": "[IU]/mL",
    "iu/l": "[IU]/L",
    "miu/ml": "m[IU]/mL",
    "kiu/l": "k[IU]/L",
    "ku/l": "k[IU]/L",
    "u/l": "U/L",
    "percent": "%",
    "ml": "mL",
    "l": "L",
    "lb": "[lb_av]",
    "lbs": "[lb_av]",
    "in": "[in_i]",
    "inch": "[in_i]",
    "ml/h": "mL/h",
    "ml/hr": "mL/h",
    "ml/min": "mL/min",
    "ml/kg/h": "mL/kg/h",
    "ml/kg/hr": "mL/kg/h",
    "ml/kg/min": "mL/kg/min",
    "titer": "{titer}",
    "titre": "{titer}",
    "mg/day": "mg/d",
    "g/day": "g/d",
    "days": "d",
    "day": "d",
    "weeks": "wk",
    "week": "wk",
    "months": "mo",
    "month": "mo",
    "years": "a",
    "year": "a",
    "kg/m^2": "kg/m2",
}
_BY_LOWER = {code.lower(): code for code in UNITS}


def normalize_unit(text: str, *, field: str = "unit") -> str:
    """The UCUM code for a unit as written, or a :class:`ValidationError` naming ``field``.

    >>> normalize_unit("cells/µL")
    '/uL'
    >>> normalize_unit("mg/dl")
    'mg/dL'
    """
    cleaned = text.strip().replace(" ", "").replace("µ", "u").replace("μ", "u")
    cleaned = cleaned.replace("mcg", "ug").replace("×", "x").replace("⁹", "^9")
    if cleaned in UNITS:
        return cleaned
    lower = cleaned.lower()
    code = _ALIASES.get(lower) or _BY_LOWER.get(lower)
    if code is None:
        raise ValidationError.single(field, f"unknown unit {text!r}; use a UCUM code such as g/L or /uL")
    return code


def dimension_of(unit: str) -> str:
    """What a UCUM unit code measures (``'mass concentration'`` for ``'g/L'``)."""
    try:
        return UNITS[unit].dimension
    except KeyError:
        raise ValidationError.single("unit", f"unknown unit {unit!r}") from None


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number with a UCUM unit. Build it with a known unit code; see :func:`normalize_unit`."""

    value: float
    unit: str

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValidationError.single("unit", f"unknown unit {self.unit!r}")
        if not math.isfinite(self.value):
            raise ValidationError.single("value", "must be a finite number")

    @property
    def dimension(self) -> str:
        """What the quantity measures."""
        return UNITS[self.unit].dimension

    def to(self, unit: str) -> Quantity:
        """The same quantity in another unit of the same dimension.

        >>> Quantity(2.54, "cm").to("[in_i]")
        Quantity(value=1.0, unit='[in_i]')
        """
        if unit not in UNITS:
            raise ValidationError.single("unit", f"unknown unit {unit!r}")
        source, target = UNITS[self.unit], UNITS[unit]
        if source.dimension != target.dimension:
            raise ValidationError.single(
                "unit",
                f"cannot convert {source.display or source.code} ({source.dimension}) "
                f"to {target.display or target.code} ({target.dimension})",
            )
        return Quantity(round(self.value * source.factor / target.factor, _ROUND_DIGITS), unit)

    def value_in(self, unit: str) -> float:
        """The number this quantity has in ``unit``."""
        return self.to(unit).value

    def __str__(self) -> str:
        display = UNITS[self.unit].display
        return f"{self.value:g} {display}".rstrip()


def absolute_from_percent(percent: Quantity, *, lymphocytes: Quantity) -> Quantity:
    """An absolute subset count from its percentage of lymphocytes and the lymphocyte count.

    >>> absolute_from_percent(Quantity(40, "%"), lymphocytes=Quantity(3000, "/uL"))
    Quantity(value=1.2, unit='10*9/L')
    """
    if percent.dimension != "fraction":
        raise ValidationError.single("percent", "must be a percentage")
    total = lymphocytes.value_in("10*9/L")
    return Quantity(round(percent.value / 100 * total, _ROUND_DIGITS), "10*9/L")


_MAX_MASS_CONCENTRATION_G_L = 1000.0  # a solute cannot outweigh the litre of fluid it is in


def physical_problem(quantity: Quantity) -> str | None:
    """Why a measured quantity is physically impossible, or ``None`` if it is possible.

    These are bounds of physics (no negative amount, no percentage above 100), not clinical
    plausibility, which belongs to the knowledge base.

    >>> physical_problem(Quantity(5000, "g/L"))
    'a concentration of 5000 g/L is impossible (more than the fluid weighs)'
    >>> physical_problem(Quantity(-3, "/uL")) is not None
    True
    """
    if quantity.value < 0:
        return f"cannot be negative ({quantity})"
    if quantity.dimension == "fraction" and quantity.value > 100:
        return f"a percentage cannot exceed 100 ({quantity})"
    if quantity.dimension == "mass concentration" and quantity.value_in("g/L") > _MAX_MASS_CONCENTRATION_G_L:
        return f"a concentration of {quantity} is impossible (more than the fluid weighs)"
    return None

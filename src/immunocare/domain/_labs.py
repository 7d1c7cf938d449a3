"""Laboratory results: LOINC-coded analytes with UCUM quantities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from immunocare.errors import ValidationError

from ._checks import require_text
from .codes import loinc_problem
from .units import UNITS, Quantity, physical_problem

__all__ = ["Comparator", "LabResult", "ReferenceInterval"]


class Comparator(StrEnum):
    """A result reported as a bound rather than a value (e.g. IgA < 0.07 g/L)."""

    LT = "<"
    LE = "<="
    GE = ">="
    GT = ">"


@dataclass(frozen=True, slots=True, kw_only=True)
class ReferenceInterval:
    """The reporting laboratory's own reference interval for a result, as it was sent."""

    unit: str
    low: float | None = None
    high: float | None = None
    text: str | None = None

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValidationError.single("reference_interval.unit", f"unknown unit {self.unit!r}")
        if self.low is None and self.high is None:
            raise ValidationError.single("reference_interval", "needs a low or a high limit")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValidationError.single("reference_interval.high", "is below the low limit")

    def in_unit(self, unit: str) -> ReferenceInterval:
        """The interval with its limits converted to ``unit``."""

        def convert(limit: float | None) -> float | None:
            return None if limit is None else Quantity(limit, self.unit).value_in(unit)

        return ReferenceInterval(unit=unit, low=convert(self.low), high=convert(self.high), text=self.text)

    def __str__(self) -> str:
        unit = UNITS[self.unit].display
        if self.low is not None and self.high is not None:
            return f"{self.low:g}–{self.high:g} {unit}"
        if self.low is not None:
            return f"≥ {self.low:g} {unit}"
        return f"≤ {self.high:g} {unit}"


@dataclass(frozen=True, slots=True, kw_only=True)
class LabResult:
    """One laboratory result.

    Attributes:
        loinc: the LOINC code of the test.
        analyte: what was measured, as the laboratory names it.
        collected_at: when the specimen was collected (timezone-aware).
        value: the numeric result with its unit; ``None`` for a purely textual result.
        comparator: set when the value is a bound, e.g. "<" for "below the detection limit".
        value_text: a textual result ("not detected"), or the text beside a number.
        reference_interval: the laboratory's own reference interval, when sent.
        method: the measuring method (nephelometry, flow cytometry …).
        specimen: the specimen or accession id; results of one sample share it.
        laboratory: the reporting laboratory.
    """

    loinc: str
    analyte: str
    collected_at: datetime
    value: Quantity | None = None
    comparator: Comparator | None = None
    value_text: str | None = None
    reference_interval: ReferenceInterval | None = None
    method: str | None = None
    specimen: str | None = None
    laboratory: str | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        problem = loinc_problem(self.loinc)
        if problem:
            raise ValidationError.single("loinc", problem)
        require_text("analyte", self.analyte)
        if self.collected_at.tzinfo is None:
            raise ValidationError.single("collected_at", "needs a time zone")
        if self.value is None and not (self.value_text and self.value_text.strip()):
            raise ValidationError.single("value", "a result needs a value or a value_text")
        if self.comparator is not None and self.value is None:
            raise ValidationError.single("comparator", "needs a numeric value")
        if self.value is not None:
            physical = physical_problem(self.value)
            if physical:
                raise ValidationError.single("value", physical)
            if (
                self.reference_interval is not None
                and UNITS[self.reference_interval.unit].dimension != self.value.dimension
            ):
                raise ValidationError.single(
                    "reference_interval.unit", f"does not match the result's unit {self.value.unit!r}"
                )

    @property
    def display_value(self) -> str:
        """The result as a chart shows it: ``< 0.07 g/L``, ``6.5 g/L`` or its text."""
        if self.value is None:
            return self.value_text or ""
        prefix = f"{self.comparator.value} " if self.comparator else ""
        return f"{prefix}{self.value}"

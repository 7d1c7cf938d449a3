"""The patient: who they are and how they grow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ._checks import require_dimension, require_positive, require_text
from .units import Quantity

__all__ = ["GrowthKind", "GrowthMeasurement", "Patient", "Sex", "age_in_years"]


class Sex(StrEnum):
    """Administrative sex, as FHIR's AdministrativeGender."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True, kw_only=True)
class Patient:
    """The person the record is about.

    Attributes:
        mrn: the medical record number, unique within the center.
        family_name: surname.
        given_names: first and middle names.
        birth_date: date of birth.
        sex: administrative sex.
        id: the store's identifier, ``None`` until stored.
    """

    mrn: str
    family_name: str
    given_names: str
    birth_date: date
    sex: Sex
    id: int | None = None

    def __post_init__(self) -> None:
        require_text("mrn", self.mrn)
        require_text("family_name", self.family_name)
        require_text("given_names", self.given_names)

    @property
    def display_name(self) -> str:
        """``FAMILY, Given`` as charts show it."""
        return f"{self.family_name.upper()}, {self.given_names}"


def age_in_years(birth_date: date, on: date) -> float:
    """Age in (fractional) years on a date.

    >>> round(age_in_years(date(2020, 1, 1), date(2022, 7, 2)), 2)
    2.5
    """
    return (on - birth_date).days / 365.25


class GrowthKind(StrEnum):
    """What a growth measurement measures."""

    WEIGHT = "weight"
    HEIGHT = "height"
    HEAD_CIRCUMFERENCE = "head_circumference"


_GROWTH_DIMENSION = {
    GrowthKind.WEIGHT: "mass",
    GrowthKind.HEIGHT: "length",
    GrowthKind.HEAD_CIRCUMFERENCE: "length",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class GrowthMeasurement:
    """A weight, height (or length) or head circumference measured on a day."""

    kind: GrowthKind
    measured_on: date
    value: Quantity
    id: int | None = None

    def __post_init__(self) -> None:
        require_dimension("value", self.value, _GROWTH_DIMENSION[self.kind])
        require_positive("value", self.value.value)

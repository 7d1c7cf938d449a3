"""Vaccinations, medications and immunoglobulin infusions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from immunocare.errors import ValidationError

from ._checks import require_dimension, require_order, require_positive, require_text
from ._infection import Route, Severity
from .codes import CodeSystem, code_problem
from .units import Quantity

__all__ = [
    "IgRoute",
    "ImmunoglobulinInfusion",
    "InfusionAdverseEvent",
    "InfusionSetting",
    "Medication",
    "Vaccination",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Vaccination:
    """A vaccine dose given.

    Attributes:
        cvx: the CDC CVX code of the vaccine.
        vaccine: the vaccine's name as recorded.
        given_on: the day it was given.
        dose_number: the dose's place in its series, when known.
        lot_number: the manufacturer's lot.
    """

    cvx: str
    vaccine: str
    given_on: date
    dose_number: int | None = None
    lot_number: str | None = None
    notes: str | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        if not (self.cvx.isdigit() and 1 <= len(self.cvx) <= 3):
            raise ValidationError.single("cvx", "a CVX code is 1 to 3 digits, e.g. 33")
        require_text("vaccine", self.vaccine)
        require_positive("dose_number", self.dose_number)


@dataclass(frozen=True, slots=True, kw_only=True)
class Medication:
    """A medication the patient takes or took (immunosuppressants and antimicrobials included).

    Attributes:
        name: the drug as prescribed, e.g. "rituximab".
        code: its ATC or RxNorm code, when known.
        code_system: the system of ``code``.
        start: first day.
        stop: last day; ``None`` while ongoing.
        dose: the amount per administration, e.g. 20 mg or 375 mg.
        dose_interval: time between administrations, e.g. 1 d or 4 wk.
        route: how it is given.
        indication: why it is given.
        prophylaxis: whether it is given to prevent infection rather than treat it.
    """

    name: str
    start: date
    code: str | None = None
    code_system: CodeSystem | None = None
    stop: date | None = None
    dose: Quantity | None = None
    dose_interval: Quantity | None = None
    route: Route = Route.ORAL
    indication: str | None = None
    prophylaxis: bool = False
    id: int | None = None

    def __post_init__(self) -> None:
        require_text("name", self.name)
        require_order("start", self.start, "stop", self.stop)
        if (self.code is None) != (self.code_system is None):
            raise ValidationError.single("code_system", "a code needs its code system, and the reverse")
        if self.code is not None and self.code_system is not None:
            problem = code_problem(self.code_system, self.code)
            if problem:
                raise ValidationError.single("code", problem)
        require_dimension("dose", self.dose, "mass", "volume", "mass per mass")
        require_positive("dose", self.dose.value if self.dose else None)
        require_dimension("dose_interval", self.dose_interval, "time")
        require_positive("dose_interval", self.dose_interval.value if self.dose_interval else None)

    def daily_dose(self) -> Quantity | None:
        """The dose per day, when both the dose and its interval are known.

        >>> Medication(name="prednisolone", start=date(2026, 1, 1), dose=Quantity(10, "mg"),
        ...            dose_interval=Quantity(12, "h")).daily_dose()
        Quantity(value=20.0, unit='mg')
        """
        if self.dose is None or self.dose_interval is None:
            return None
        per_day = 1 / self.dose_interval.value_in("d")
        return Quantity(round(self.dose.value * per_day, 9), self.dose.unit)


class IgRoute(StrEnum):
    """How immunoglobulin is given."""

    IV = "iv"
    SC = "sc"
    FSC = "fsc"

    @property
    def label(self) -> str:
        """How the route reads in a chart."""
        return {"iv": "Intravenous (IVIG)", "sc": "Subcutaneous (SCIG)", "fsc": "Facilitated SC (fSCIG)"}[
            self.value
        ]


class InfusionSetting(StrEnum):
    """Where an infusion was given."""

    CLINIC = "clinic"
    HOME = "home"


@dataclass(frozen=True, slots=True, kw_only=True)
class InfusionAdverseEvent:
    """A reaction during or after an infusion."""

    description: str
    severity: Severity = Severity.MILD
    action_taken: str | None = None

    def __post_init__(self) -> None:
        require_text("description", self.description)


@dataclass(frozen=True, slots=True, kw_only=True)
class ImmunoglobulinInfusion:
    """One immunoglobulin infusion.

    Attributes:
        product: the product's name, e.g. "Privigen".
        route: IV, SC or facilitated SC.
        given_on: the day of the infusion.
        dose: the IgG given (a mass, in g).
        volume: the volume infused.
        max_rate: the fastest rate reached (volume per hour, per site for SC).
        sites: the number of infusion sites (SC).
        site_locations: where the sites were.
        lot_number: the product lot.
        setting: clinic or home.
        adverse_events: reactions, if any.
    """

    product: str
    route: IgRoute
    given_on: date
    dose: Quantity
    volume: Quantity | None = None
    max_rate: Quantity | None = None
    sites: int | None = None
    site_locations: tuple[str, ...] = ()
    lot_number: str | None = None
    setting: InfusionSetting = InfusionSetting.CLINIC
    adverse_events: tuple[InfusionAdverseEvent, ...] = ()
    notes: str | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        require_text("product", self.product)
        require_dimension("dose", self.dose, "mass")
        require_positive("dose", self.dose.value)
        require_dimension("volume", self.volume, "volume")
        require_positive("volume", self.volume.value if self.volume else None)
        require_dimension("max_rate", self.max_rate, "volume rate", "volume rate per mass")
        require_positive("sites", self.sites)
        if self.route is IgRoute.IV and self.sites not in (None, 1):
            raise ValidationError.single("sites", "an intravenous infusion uses one site")

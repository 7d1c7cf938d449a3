"""Immunoglobulin products as their labels describe them: route, strength, vials and infusion rates.

One item is one product under one label (a US prescribing information or an EU SmPC), so a
calculator can size a dose to the product's vials, convert an IVIG dose to the product's SC dose
with the label's factor, and lay out the infusion schedule from the label's rate steps. Quantities
are written as ``"<number> <UCUM unit>"`` (``"0.5 mg/kg/min"``) and checked against
:data:`immunocare.domain.units.UNITS`; the shared quantity and condition types here are reused by
the other treatment topics.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Annotated, Literal

from pydantic import Field, PlainSerializer, PlainValidator, model_validator

from immunocare.domain import IgRoute
from immunocare.domain.units import UNITS, Quantity
from immunocare.errors import ValidationError
from immunocare.knowledge._base import KBItem, KBModel, Topic

__all__ = [
    "ORDER",
    "TOPIC",
    "Amount",
    "Concentration",
    "Dose",
    "DoseRange",
    "Duration",
    "IgProduct",
    "InfusionRate",
    "Length",
    "Mass",
    "MassPerMass",
    "Presentation",
    "RateSchedule",
    "RateStep",
    "RouteDose",
    "ScConversion",
    "SiteLimit",
    "Titre",
    "Volume",
    "VolumeRate",
    "When",
    "ordered",
]

ORDER = 60

_CONTENT_TOLERANCE = 0.02  # a vial's stated grams may differ from strength × volume by label rounding


def _parser(*dimensions: str) -> PlainValidator:
    """A pydantic validator reading ``"400 mg/kg"`` (or a Quantity) of one of ``dimensions`` (any if none)."""

    def parse(raw: object) -> Quantity:
        if isinstance(raw, Quantity):
            quantity = raw
        else:
            value, _, unit = str(raw).strip().rpartition(" ")
            if unit not in UNITS:
                raise ValueError(f"{unit!r} is not a UCUM unit immunocare knows (write e.g. '0.5 mL/kg/h')")
            try:
                quantity = Quantity(float(value), unit)
            except (ValueError, ValidationError) as exc:
                raise ValueError(f"{raw!r} is not '<number> <unit>'") from exc
        if dimensions and quantity.dimension not in dimensions:
            raise ValueError(f"{quantity} is a {quantity.dimension}, expected a {' or '.join(dimensions)}")
        if quantity.value < 0:
            raise ValueError(f"{quantity} cannot be negative")
        return quantity

    return PlainValidator(parse)


_AS_TEXT = PlainSerializer(lambda q: f"{q.value:g} {q.unit}", return_type=str)

Amount = Annotated[Quantity, _parser(), _AS_TEXT]
Mass = Annotated[Quantity, _parser("mass"), _AS_TEXT]
Volume = Annotated[Quantity, _parser("volume"), _AS_TEXT]
Length = Annotated[Quantity, _parser("length"), _AS_TEXT]
Duration = Annotated[Quantity, _parser("time"), _AS_TEXT]
Concentration = Annotated[Quantity, _parser("mass concentration"), _AS_TEXT]
Titre = Annotated[Quantity, _parser("international units concentration"), _AS_TEXT]
MassPerMass = Annotated[Quantity, _parser("mass per mass"), _AS_TEXT]
VolumeRate = Annotated[Quantity, _parser("volume rate"), _AS_TEXT]
InfusionRate = Annotated[
    Quantity, _parser("volume rate per mass", "mass rate per mass", "volume rate"), _AS_TEXT
]
Dose = Annotated[Quantity, _parser("mass", "mass per mass"), _AS_TEXT]


def ordered(low: Quantity | None, high: Quantity | None, what: str) -> None:
    """Refuse a range whose low end is above its high end."""
    if low is not None and high is not None and low.value_in(high.unit) > high.value:
        raise ValueError(f"{what}: {low} is above {high}")


class When(KBModel):
    """Who a rule applies to: age and weight bands (lower bound inclusive, upper exclusive).

    ``group`` keeps a label's own words ("adults", "children") when it gives no age.
    """

    age_from: Duration | None = None
    age_below: Duration | None = None
    weight_from: Mass | None = None
    weight_below: Mass | None = None
    group: Literal["adults", "children"] | None = None

    @model_validator(mode="after")
    def _bands(self) -> When:
        ordered(self.age_from, self.age_below, "age")
        ordered(self.weight_from, self.weight_below, "weight")
        return self

    def matches(self, *, age: Quantity | None = None, weight: Quantity | None = None) -> bool | None:
        """Whether a patient of this age and weight is in the band; ``None`` when a needed value is missing.

        A band described only by ``group`` is never decided here (the label gives no age).
        """
        checks = [(age, self.age_from, self.age_below), (weight, self.weight_from, self.weight_below)]
        if self.group is not None:
            return None
        for value, low, below in checks:
            if low is None and below is None:
                continue
            if value is None:
                return None
            if low is not None and value.value_in(low.unit) < low.value:
                return False
            if below is not None and value.value_in(below.unit) >= below.value:
                return False
        return True


class Presentation(KBModel):
    """One container size: how much IgG in how much liquid."""

    content: Mass
    volume: Volume
    container: Literal["vial", "bottle", "prefilled syringe", "dual vial unit"] = "vial"


class DoseRange(KBModel):
    """``low``–``high`` per dose, every ``interval_from``–``interval_to`` (one dose when no interval).

    ``high`` is absent when the source says "at least ``low``".
    """

    low: MassPerMass
    high: MassPerMass | None = None
    interval_from: Duration | None = None
    interval_to: Duration | None = None

    @model_validator(mode="after")
    def _ranges(self) -> DoseRange:
        ordered(self.low, self.high, "dose")
        ordered(self.interval_from, self.interval_to, "interval")
        if self.interval_to is not None and self.interval_from is None:
            raise ValueError("interval_to needs interval_from")
        return self


class RouteDose(DoseRange):
    """The label's dose range for primary immunodeficiency by one route."""

    route: IgRoute


class ScConversion(KBModel):
    """Initial weekly SC dose = previous dose (g) ÷ weeks between doses × ``factor``."""

    from_routes: tuple[IgRoute, ...] = Field(min_length=1, description="The route of the previous therapy.")
    factor: float = Field(gt=0)
    condition: str | None = Field(None, description="The label's own qualifier, e.g. 'adults'.")


class RateStep(KBModel):
    """A rate held for ``duration`` (or, without one, the rate to increase to as tolerated)."""

    rate: InfusionRate
    duration: Duration | None = None


class RateSchedule(KBModel):
    """Rate steps for one route, for some infusions and some patients.

    IV rates are per kg of body weight (mL/kg/h, mL/kg/min, mg/kg/min); SC rates are per site
    (mL/h). Steps rise strictly; ``step_every`` is the label's "increase every 30 minutes".
    """

    route: IgRoute
    infusions_from: int = Field(1, ge=1)
    infusions_to: int | None = Field(None, ge=1)
    when: When = When()
    steps: tuple[RateStep, ...] = Field(min_length=1)
    step_every: Duration | None = None
    volume_per_site_max: Volume | None = None
    total_rate_max: VolumeRate | None = Field(None, description="All sites together.")

    @model_validator(mode="after")
    def _consistent(self) -> RateSchedule:
        if self.infusions_to is not None and self.infusions_to < self.infusions_from:
            raise ValueError("infusions_to is before infusions_from")
        per_site = self.route is not IgRoute.IV
        for step in self.steps:
            if (step.rate.dimension == "volume rate") != per_site:
                kind = "per site (mL/h)" if per_site else "per kg (mL/kg/h, mL/kg/min or mg/kg/min)"
                raise ValueError(f"{self.route.label} rates must be {kind}, not {step.rate.unit}")
        if not per_site and (self.volume_per_site_max or self.total_rate_max):
            raise ValueError("site volume and total rate limits apply to SC infusions only")
        first = self.steps[0].rate
        if any(step.rate.dimension != first.dimension for step in self.steps):
            raise ValueError("all steps of a schedule must be in units of one kind")
        values = [step.rate.value_in(first.unit) for step in self.steps]
        if any(later <= earlier for earlier, later in pairwise(values)):
            raise ValueError(f"rate steps must increase: {[str(step.rate) for step in self.steps]}")
        return self


class SiteLimit(KBModel):
    """How many SC sites may be used at once, and how far apart."""

    when: When = When()
    sites_max: int = Field(ge=1)
    spacing_min: Length | None = None


class IgProduct(KBItem):
    """An immunoglobulin product under one label.

    Attributes:
        brand: the trade name.
        jurisdiction: whose label (US prescribing information, EU or UK SmPC).
        label: the label version read, e.g. "US PI revised 03/2020".
        routes: the routes the label allows for replacement therapy.
        concentration: IgG (protein) per volume.
        presentations: the container sizes the label lists (empty when none were read).
        pi_doses: the label's own dose range for primary immunodeficiency, by route.
        sc_conversions: IV (or other) to SC dose conversion factors from the label.
        sc_interval_shortest, sc_interval_longest: the SC dosing intervals the label allows.
        rate_schedules: infusion rate steps from the label.
        site_limits: SC sites allowed at once.
        pi_age_from: the youngest age the label's PI indication covers.
    """

    brand: str = Field(min_length=1)
    manufacturer: str = Field(min_length=1)
    jurisdiction: Literal["US", "EU", "UK"]
    label: str = Field(min_length=1)
    routes: tuple[IgRoute, ...] = Field(min_length=1)
    concentration: Concentration
    presentations: tuple[Presentation, ...] = ()
    pi_doses: tuple[RouteDose, ...] = ()
    sc_conversions: tuple[ScConversion, ...] = ()
    sc_interval_shortest: Duration | None = None
    sc_interval_longest: Duration | None = None
    rate_schedules: tuple[RateSchedule, ...] = ()
    site_limits: tuple[SiteLimit, ...] = ()
    pi_age_from: Duration | None = None

    @model_validator(mode="after")
    def _coherent(self) -> IgProduct:
        used = {dose.route for dose in self.pi_doses} | {s.route for s in self.rate_schedules}
        if used - set(self.routes):
            raise ValueError(
                f"doses or rates for a route the product lacks: {sorted(used - set(self.routes))}"
            )
        subcutaneous = {IgRoute.SC, IgRoute.FSC} & set(self.routes)
        sc_only = (
            self.sc_conversions or self.site_limits or self.sc_interval_shortest or self.sc_interval_longest
        )
        if sc_only and not subcutaneous:
            raise ValueError("SC conversion factors, site limits and SC intervals need an SC route")
        ordered(self.sc_interval_shortest, self.sc_interval_longest, "SC interval")
        for p in self.presentations:
            expected = self.concentration.value_in("g/L") * p.volume.value_in("L")
            if abs(p.content.value_in("g") - expected) > _CONTENT_TOLERANCE * expected:
                raise ValueError(f"{p.content} in {p.volume} does not match {self.concentration}")
        return self


TOPIC = Topic(name="ig_products", title="Immunoglobulin products (label data)", item_type=IgProduct)

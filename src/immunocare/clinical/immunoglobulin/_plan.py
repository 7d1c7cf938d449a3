"""One patient's immunoglobulin plan for one product and route: what ``immunocare ig plan`` shows.

>>> from immunocare.knowledge import load_knowledge_base
>>> plan = ig_plan(load_knowledge_base(), PlanRequest(weight=Quantity(70, "kg"), product="hizentra_us",
...     route=IgRoute.SC, from_ivig_dose=Quantity(40, "g"), from_ivig_interval=Quantity(4, "wk")))
>>> plan.doses[-2].shown(), plan.rounding[0].up.describe()
('13.7 g every 1 wk', '14 g: 1 × 10 g, 1 × 4 g')
"""

from __future__ import annotations

from dataclasses import dataclass

from immunocare.domain import IgRoute, Quantity, Sex
from immunocare.errors import ValidationError
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.ig_products import IgProduct

from ._dosing import (
    DoseWeights,
    dose_weights,
    fscig_ramp_up,
    label_doses,
    measles_exposure_dose,
    scig_from_ivig,
)
from ._schedule import InfusionSchedule, infusion_schedules
from ._sources import Cited, check_weight, find_product, grams
from ._vials import VialRounding, round_to_presentations

__all__ = ["IgPlan", "PlanRequest", "ig_plan"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanRequest:
    """What the clinician gives: the patient's measurements, the product, the route, a previous IVIG dose.

    ``use_adjusted_weight`` doses by the obesity-adjusted weight instead of the actual one.
    """

    weight: Quantity | None
    product: str
    route: IgRoute
    height: Quantity | None = None
    sex: Sex | None = None
    age: Quantity | None = None
    from_ivig_dose: Quantity | None = None
    from_ivig_interval: Quantity | None = None
    use_adjusted_weight: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class IgPlan:
    """The numbers of one plan, each with its source; a recommendation for the clinician, not an order.

    Attributes:
        product: the product's label.
        route: the route planned.
        weights: the actual weight and the adjusted one(s).
        dosing_weight: the weight the doses below use.
        doses: label and regimen doses, the converted SC dose or the ramp-up.
        rounding: the concrete doses in whole containers.
        schedules: the label's infusion schedules for the first concrete dose.
        measles_exposure: the extra dose after measles exposure, when a label gives one.
        notes: what could not be computed and why.
    """

    product: IgProduct
    route: IgRoute
    weights: DoseWeights
    dosing_weight: Quantity
    doses: tuple[Cited, ...]
    rounding: tuple[VialRounding, ...]
    schedules: tuple[InfusionSchedule, ...]
    measles_exposure: tuple[Cited, ...]
    notes: tuple[str, ...] = ()


def _dosing_weight(request: PlanRequest, weights: DoseWeights) -> Quantity:
    if not request.use_adjusted_weight:
        return weights.actual
    if not weights.adjusted:
        raise ValidationError.single(
            "height", "the adjusted weight needs the height and the sex (male or female)"
        )
    return weights.adjusted[0].value


def _previous(request: PlanRequest) -> tuple[Quantity, Quantity] | None:
    dose, interval = request.from_ivig_dose, request.from_ivig_interval
    if (dose is None) != (interval is None):
        missing = "from_ivig_interval_weeks" if interval is None else "from_ivig_dose"
        raise ValidationError.single(missing, "give the previous IVIG dose and its interval together")
    return (dose, interval) if dose is not None and interval is not None else None


def _doses(
    kb: KnowledgeBase, product: IgProduct, request: PlanRequest, weight: Quantity
) -> tuple[list[Cited], list[Cited], list[str]]:
    """(all doses, the concrete ones to round and schedule, notes)."""
    doses = list(label_doses(kb, product, request.route, weight))
    previous = _previous(request)
    notes: list[str] = []
    if previous is None:
        if request.route is not IgRoute.IV:
            notes.append(
                "Give --from-ivig-dose and --from-ivig-interval-weeks for a converted or ramped-up dose."
            )
        return doses, [], notes
    dose, interval = previous
    if request.route is IgRoute.SC:
        concrete = list(scig_from_ivig(kb, product, dose=dose, interval=interval))
    elif request.route is IgRoute.FSC:
        concrete = list(fscig_ramp_up(kb, product, dose=dose, interval=interval))
        if not concrete:
            notes.append(f"The knowledge base has no ramp-up for {product.id}.")
    else:
        per_kg = dose.value_in("g") / weight.value_in("kg")
        concrete = [
            Cited(
                label="IVIG dose (as given)",
                value=grams(dose.value_in("g")),
                every=interval.to("wk"),
                sources=(),
                how=f"{per_kg:.3f} g/kg at {weight}; compare with the label doses above",
            )
        ]
    return doses + concrete, concrete, notes


def ig_plan(kb: KnowledgeBase, request: PlanRequest) -> IgPlan:
    """The plan for one request.

    Bad input raises :class:`~immunocare.errors.ValidationError` naming the field.
    """
    actual = check_weight(kb, request.weight)
    product = find_product(kb, request.product, route=request.route)
    weights = dose_weights(kb, actual=actual, height=request.height, sex=request.sex)
    weight = _dosing_weight(request, weights)
    doses, concrete, notes = _doses(kb, product, request, weight)
    measles = measles_exposure_dose(kb, product, weight) if request.route is IgRoute.IV else ()
    to_round = [c.value for c in (*concrete, *measles)]
    rounding = tuple(r for r in (round_to_presentations(product, d) for d in to_round) if r is not None)
    if to_round and not rounding:
        notes.append(f"No container sizes of {product.id} were read; doses are not rounded.")
    first = concrete[0].value if concrete else None
    schedules = infusion_schedules(
        kb, product, dose=first, weight=weight, route=request.route, age=request.age
    )
    if not schedules:
        notes.append(f"The knowledge base has no {request.route.value} rate schedule for {product.id}.")
    return IgPlan(
        product=product,
        route=request.route,
        weights=weights,
        dosing_weight=weight,
        doses=tuple(doses),
        rounding=rounding,
        schedules=schedules,
        measles_exposure=measles,
        notes=tuple(notes),
    )

"""The infusion schedule from the label's rate steps: IV in mL/kg/h, SC in mL/h per site.

>>> from immunocare.knowledge import load_knowledge_base
>>> kb = load_knowledge_base()
>>> first, later = infusion_schedules(kb, kb.get("hizentra_us"), dose=Quantity(13.7, "g"),
...                                   weight=Quantity(70, "kg"))
>>> [line.shown() for line in later.lines]
['25 mL/h', '25 mL', '68.5 mL', '3', '0.9 h']
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from immunocare.domain import IgRoute, Quantity
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.ig_products import IgProduct, RateSchedule, RateStep, When

from ._sources import Cited, Source, source_of

__all__ = ["InfusionSchedule", "infusion_schedules"]


@dataclass(frozen=True, slots=True, kw_only=True)
class InfusionSchedule:
    """One of the label's schedules: which infusions and patients it is for, and its numbers.

    Attributes:
        title: e.g. "SC, infusion 1, weight from 40 kg".
        decided: ``False`` when the patient's age or group is needed to tell whether it applies.
        lines: rate steps, then (SC) the volume, volume per site, sites and time at the top rate.
        warnings: e.g. more sites than the label allows.
    """

    title: str
    decided: bool
    lines: tuple[Cited, ...]
    warnings: tuple[str, ...] = ()


def _iv_rate(step: RateStep, product: IgProduct) -> Quantity:
    """A per-kg IV rate in mL/kg/h (a mg/kg/min rate through the product's concentration)."""
    rate = step.rate
    if rate.dimension == "mass rate per mass":
        ml_per_kg_min = rate.value_in("mg/kg/min") / product.concentration.value_in("mg/mL")
        rate = Quantity(ml_per_kg_min, "mL/kg/min")
    return Quantity(round(rate.value_in("mL/kg/h"), 3), "mL/kg/h")


def _band(when: When) -> str:
    parts: list[str] = []
    if when.group:
        parts.append(when.group)
    for name, low, below in (
        ("age", when.age_from, when.age_below),
        ("weight", when.weight_from, when.weight_below),
    ):
        if low is not None:
            parts.append(f"{name} from {low}")
        if below is not None:
            parts.append(f"{name} below {below}")
    return ", ".join(parts)


def _title(schedule: RateSchedule) -> str:
    infusions = f"infusion {schedule.infusions_from}"
    if schedule.infusions_to != schedule.infusions_from:
        infusions = f"infusions {schedule.infusions_from}–{schedule.infusions_to or ''}".rstrip("–")
        if schedule.infusions_to is None:
            infusions = f"infusions from {schedule.infusions_from}"
    band = _band(schedule.when)
    return f"{schedule.route.value.upper()}, {infusions}" + (f", {band}" if band else "")


def _iv_lines(schedule: RateSchedule, product: IgProduct, weight: Quantity, source: Source) -> list[Cited]:
    kg = weight.value_in("kg")
    lines = []
    for number, step in enumerate(schedule.steps, start=1):
        per_kg = _iv_rate(step, product)
        held = f", for {step.duration}" if step.duration else ""
        rising = schedule.step_every is not None and number < len(schedule.steps)
        every = f", raised every {schedule.step_every} as tolerated" if rising else ""
        lines.append(
            Cited(
                label=f"Rate step {number} ({per_kg}{held}{every})",
                value=Quantity(round(per_kg.value * kg, 1), "mL/h"),
                sources=(source,),
                how=f"label {step.rate} = {per_kg} × {kg:g} kg",
            )
        )
    return lines


def _sc_lines(
    schedule: RateSchedule, product: IgProduct, volume: Quantity | None, source: Source
) -> tuple[list[Cited], list[str], int | None]:
    lines = [
        Cited(label=f"Rate per site, step {n}", value=step.rate, sources=(source,))
        for n, step in enumerate(schedule.steps, start=1)
    ]
    per_site_max = schedule.volume_per_site_max
    if per_site_max is not None:
        lines.append(Cited(label="Largest volume per site", value=per_site_max, sources=(source,)))
    if volume is None:
        return lines, [], None
    lines.append(
        Cited(
            label="Volume to infuse", value=volume, sources=(source,), how=f"dose ÷ {product.concentration}"
        )
    )
    if per_site_max is None:
        return lines, [], None
    sites = math.ceil(volume.value_in("mL") / per_site_max.value_in("mL"))
    per_site = Quantity(round(volume.value_in("mL") / sites, 1), "mL")
    top = schedule.steps[-1].rate
    lines += [
        Cited(
            label="Sites needed",
            value=Quantity(sites, "1"),
            sources=(source,),
            how=f"{volume} ÷ {per_site_max}, rounded up",
        ),
        Cited(
            label=f"Time at the top rate ({per_site} per site)",
            value=Quantity(round(per_site.value_in("mL") / top.value_in("mL/h"), 1), "h"),
            sources=(source,),
            how=f"{per_site} ÷ {top}",
        ),
    ]
    warnings = []
    if schedule.total_rate_max is not None and top.value_in(
        "mL/h"
    ) * sites > schedule.total_rate_max.value_in("mL/h"):
        warnings.append(f"{sites} sites at {top} exceed the label's total of {schedule.total_rate_max}")
    return lines, warnings, sites


def _site_warnings(product: IgProduct, sites: int, *, weight: Quantity, age: Quantity | None) -> list[str]:
    return [
        f"{sites} sites exceed the label's {limit.sites_max}"
        + (f" for {_band(limit.when)}" if _band(limit.when) else "")
        for limit in product.site_limits
        if limit.when.matches(age=age, weight=weight) is not False and sites > limit.sites_max
    ]


def infusion_schedules(
    kb: KnowledgeBase,
    product: IgProduct,
    *,
    dose: Quantity | None,
    weight: Quantity,
    route: IgRoute | None = None,
    age: Quantity | None = None,
) -> tuple[InfusionSchedule, ...]:
    """The label's schedules that may apply to this patient and dose (undecided ones included, flagged).

    Without a dose, SC schedules give the rates and the volume per site only.
    """
    source = source_of(kb, product)
    volume = None
    if dose is not None:
        volume = Quantity(round(dose.value_in("mg") / product.concentration.value_in("mg/mL"), 1), "mL")
    found = []
    for schedule in product.rate_schedules:
        applies = schedule.when.matches(age=age, weight=weight)
        if applies is False or (route is not None and schedule.route is not route):
            continue
        warnings: list[str] = []
        if schedule.route is IgRoute.IV:
            lines = _iv_lines(schedule, product, weight, source)
        else:
            lines, warnings, sites = _sc_lines(schedule, product, volume, source)
            if sites is not None:
                warnings += _site_warnings(product, sites, weight=weight, age=age)
        found.append(
            InfusionSchedule(
                title=_title(schedule), decided=applies is True, lines=tuple(lines), warnings=tuple(warnings)
            )
        )
    return tuple(found)

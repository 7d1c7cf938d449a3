"""Dose calculators: the dose-determining weight, IVIG and SCIG doses, ramp-up, measles exposure.

Each returns :class:`Cited` numbers that name the knowledge items they come from. The worked
example of the Hizentra US label: IVIG 40 g every 4 weeks gives 13.7 g of Hizentra weekly.

>>> from immunocare.knowledge import load_knowledge_base
>>> kb = load_knowledge_base()
>>> hizentra = kb.get("hizentra_us")
>>> [d.shown() for d in scig_from_ivig(kb, hizentra, dose=Quantity(40, "g"), interval=Quantity(4, "wk"))]
['13.7 g every 1 wk', '27.4 g every 2 wk']
"""

from __future__ import annotations

from dataclasses import dataclass

from immunocare.domain import IgRoute, Quantity, Sex
from immunocare.errors import ValidationError
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.ig_dosing import DoseWeightFormula, IgRegimen, MeaslesExposureDose, RampUp
from immunocare.knowledge.topics.ig_products import DoseRange, IgProduct

from ._sources import Cited, Source, grams, source_of

__all__ = [
    "DoseWeights",
    "dose_weights",
    "fscig_ramp_up",
    "label_doses",
    "measles_exposure_dose",
    "scig_from_ivig",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class DoseWeights:
    """The actual weight, and the weight adjusted for obesity when height and sex are known.

    The clinician chooses which one doses the patient; both are shown.
    """

    actual: Quantity
    adjusted: tuple[Cited, ...] = ()


def dose_weights(
    kb: KnowledgeBase, *, actual: Quantity, height: Quantity | None = None, sex: Sex | None = None
) -> DoseWeights:
    """The actual weight and, with height and sex, each adjusted weight formula of the knowledge base.

    >>> from immunocare.knowledge import load_knowledge_base
    >>> w = dose_weights(load_knowledge_base(), actual=Quantity(120, "kg"), height=Quantity(170, "cm"),
    ...                  sex=Sex.MALE)
    >>> w.adjusted[0].shown()
    '87.56 kg'
    """
    if height is None or sex is None:
        return DoseWeights(actual=actual)
    if height.dimension != "length" or height.value <= 0:
        raise ValidationError.single("height", f"must be a positive length (cm), not {height}")
    adjusted = []
    for formula in kb.of(DoseWeightFormula):
        ideal = formula.ideal_weight(sex=sex, height=height)
        weight = formula.dose_weight(sex=sex, height=height, actual=actual)
        adjusted.append(
            Cited(
                label="Adjusted dose weight",
                value=Quantity(round(weight.value, 2), "kg"),
                sources=(source_of(kb, formula),),
                how=(
                    f"ideal body weight {ideal.value:.2f} kg + {formula.adjustment_factor:g} × "
                    f"({actual.value:g} kg − {ideal.value:.2f} kg); {formula.use}"
                ),
            )
        )
    return DoseWeights(actual=actual, adjusted=tuple(adjusted))


def _range(label: str, dose: DoseRange, weight: Quantity, source: Source) -> Cited:
    kg = weight.value_in("kg")
    high = grams(dose.high.value_in("g/kg") * kg) if dose.high else None
    per_kg = f"{dose.low}" + (f"–{dose.high}" if dose.high else "")
    return Cited(
        label=label,
        value=grams(dose.low.value_in("g/kg") * kg),
        high=high,
        every=dose.interval_from,
        every_to=dose.interval_to,
        sources=(source,),
        how=f"{per_kg} × {kg:g} kg",
    )


def _regimens(kb: KnowledgeBase, product: IgProduct, route: IgRoute) -> list[IgRegimen]:
    """The regimens for the product's route: those naming the product, else any for the route in PID."""
    regimens = [r for r in kb.of(IgRegimen) if r.indication == "pid" and route in r.routes]
    named = [r for r in regimens if product.id in r.products]
    return named or regimens


_REGIMEN_DOSES = (
    ("loading", "Loading dose"),
    ("maintenance", "Maintenance dose"),
    ("monthly_total", "Monthly total"),
)


def label_doses(kb: KnowledgeBase, product: IgProduct, route: IgRoute, weight: Quantity) -> tuple[Cited, ...]:
    """Loading and maintenance doses in grams for this weight: the product label's, then the regimen's.

    >>> from immunocare.knowledge import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> [d.shown() for d in label_doses(kb, kb.get("kiovig_eu"), IgRoute.IV, Quantity(50, "kg"))]
    ['20–40 g', '10 g every 3–4 wk', '10–40 g every 1 mo']
    """
    found = [
        _range(f"{product.brand} label dose in PID", dose, weight, source_of(kb, product))
        for dose in product.pi_doses
        if dose.route is route
    ]
    for regimen in _regimens(kb, product, route):
        for attribute, label in _REGIMEN_DOSES:
            dose = getattr(regimen, attribute)
            if dose is not None:
                found.append(_range(f"{label} ({regimen.title})", dose, weight, source_of(kb, regimen)))
    return tuple(found)


def _positive(field: str, quantity: Quantity, dimension: str, unit: str) -> float:
    if quantity.dimension != dimension:
        raise ValidationError.single(field, f"must be a {dimension} ({unit}), not {quantity}")
    if quantity.value <= 0:
        raise ValidationError.single(field, f"must be above 0 {unit} (got {quantity})")
    return quantity.value_in(unit)


def scig_from_ivig(
    kb: KnowledgeBase, product: IgProduct, *, dose: Quantity, interval: Quantity
) -> tuple[Cited, ...]:
    """The SC dose from a previous IVIG dose with the label's conversion factor.

    Weekly first, then for the label's longest SC interval.

    Weekly dose = IVIG dose ÷ weeks between IVIG doses × the label's factor; a longer SC interval
    gives that many weeks' dose at once.
    """
    grams_given = _positive("from_ivig_dose", dose, "mass", "g")
    weeks = _positive("from_ivig_interval_weeks", interval, "time", "wk")
    conversions = [c for c in product.sc_conversions if IgRoute.IV in c.from_routes]
    if not conversions:
        raise ValidationError.single(
            "product",
            f"the {product.brand} label ({product.id}) in the knowledge base gives no IV-to-SC factor",
        )
    conversion = conversions[0]
    source = source_of(kb, product)
    weekly = grams_given / weeks * conversion.factor
    condition = f" ({conversion.condition})" if conversion.condition else ""
    doses = [
        Cited(
            label=f"Weekly {product.brand} dose{condition}",
            value=grams(weekly),
            every=Quantity(1, "wk"),
            sources=(source,),
            how=f"{grams_given:g} g ÷ {weeks:g} wk × {conversion.factor:g} (label conversion factor)",
        )
    ]
    longest = product.sc_interval_longest
    if longest is not None and longest.value_in("wk") > 1:
        multiple = longest.value_in("wk")
        doses.append(
            Cited(
                label=f"{product.brand} dose every {longest}",
                value=grams(weekly * multiple),
                every=longest,
                sources=(source,),
                how=f"{multiple:g} × the weekly dose (the label's longest interval)",
            )
        )
    return tuple(doses)


def fscig_ramp_up(
    kb: KnowledgeBase, product: IgProduct, *, dose: Quantity, interval: Quantity
) -> tuple[Cited, ...]:
    """The facilitated SCIG ramp-up from a 1-week dose to the full dose and interval.

    >>> from immunocare.knowledge import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> [d.label + ": " + d.shown() for d in fscig_ramp_up(kb, kb.get("hyqvia_us"), dose=Quantity(30, "g"),
    ...                                                    interval=Quantity(4, "wk"))]
    ['Week 1: 7.5 g', 'Week 2: 15 g', 'Week 4: 22.5 g', 'Week 7 (if required): 30 g']
    """
    grams_full = _positive("from_ivig_dose", dose, "mass", "g")
    weeks = _positive("from_ivig_interval_weeks", interval, "time", "wk")
    steps = []
    for ramp in (r for r in kb.of(RampUp) if r.product == product.id):
        source = source_of(kb, ramp)
        for step in (s for s in ramp.steps if s.weeks_of_dose <= weeks):
            optional = " (if required)" if step.optional else ""
            steps.append(
                Cited(
                    label=f"Week {step.week}{optional}",
                    value=grams(grams_full / weeks * step.weeks_of_dose),
                    sources=(source,),
                    how=f"{step.weeks_of_dose} week(s) of {grams_full:g} g per {weeks:g} wk",
                )
            )
    return tuple(steps)


def measles_exposure_dose(kb: KnowledgeBase, product: IgProduct, weight: Quantity) -> tuple[Cited, ...]:
    """The extra dose after measles exposure, where a label in the knowledge base gives one for the product.

    >>> from immunocare.knowledge import load_knowledge_base
    >>> kb = load_knowledge_base()
    >>> [d.shown() for d in measles_exposure_dose(kb, kb.get("privigen_us"), Quantity(70, "kg"))]
    ['28 g']
    """
    kg = weight.value_in("kg")
    return tuple(
        Cited(
            label=f"Measles exposure: one extra dose within {item.within}",
            value=grams(item.dose.value_in("g/kg") * kg),
            sources=(source_of(kb, item),),
            how=(
                f"{item.dose} × {kg:g} kg; serum measles antibody above {item.titre_above} for {item.lasting}"
            ),
        )
        for item in kb.of(MeaslesExposureDose)
        if product.id in item.products
    )

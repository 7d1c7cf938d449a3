"""Immunoglobulin replacement rules: who qualifies, how much, how fast, and how to follow up.

Every rule is data a calculator evaluates: dose ranges and intervals, trough targets, the
adjusted-weight formula's coefficients, ramp-up steps, exposure doses, monitoring intervals and
the dose–response facts titration advice cites. Rules that name products are checked against the
``ig_products`` topic.
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, model_validator

from immunocare.domain import IgRoute, Sex
from immunocare.domain.units import Quantity
from immunocare.errors import NotFoundError, ValidationError
from immunocare.knowledge._base import ID_PATTERN, KBItem, KBModel, Topic

from .ig_products import (
    Amount,
    Concentration,
    DoseRange,
    Duration,
    IgProduct,
    Length,
    Mass,
    MassPerMass,
    Titre,
    ordered,
)

if TYPE_CHECKING:
    from immunocare.knowledge import KnowledgeBase

__all__ = [
    "ORDER",
    "TOPIC",
    "AntibodyFailureDefinition",
    "Criterion",
    "DiagnosisCodes",
    "DoseResponse",
    "DoseWeightFormula",
    "Eligibility",
    "IgDosingItem",
    "IgIndication",
    "IgRegimen",
    "LabThreshold",
    "MeaslesExposureDose",
    "MonitoredTest",
    "MonitoringPlan",
    "RampStep",
    "RampUp",
    "TroughTarget",
    "WeightBounds",
]

ORDER = 61


class IgIndication(KBItem):
    """Diagnoses for which a source indicates Ig replacement (readable diagnosis ids)."""

    kind: Literal["indication"]
    diagnoses: tuple[str, ...] = ()
    description: str = Field(min_length=1, description="The source's own wording of the indication.")


class LabThreshold(KBModel):
    """A laboratory value compared with a threshold, e.g. serum IgG < 4 g/L."""

    analyte: str = Field(pattern=ID_PATTERN)
    comparator: Literal["<", "<=", ">", ">="]
    value: Concentration


class Criterion(KBModel):
    """One criterion; met when its lab threshold holds, or when any of ``any_of`` is met.

    A criterion with neither is judged by a clinician (or a rule elsewhere, ``defined_by``).
    """

    id: str = Field(pattern=ID_PATTERN)
    text: str = Field(min_length=1)
    lab: LabThreshold | None = None
    defined_by: str | None = Field(None, pattern=ID_PATTERN, description="A knowledge item defining it.")
    any_of: tuple[Criterion, ...] = ()

    @model_validator(mode="after")
    def _one_kind(self) -> Criterion:
        if self.any_of and (self.lab or self.defined_by):
            raise ValueError("a criterion with alternatives cannot also have its own test")
        return self


class Eligibility(KBItem):
    """Criteria that must all be met for Ig replacement in one indication."""

    kind: Literal["eligibility"]
    indication: Literal["pid", "sid"]
    criteria: tuple[Criterion, ...] = Field(min_length=1)

    def definitions(self) -> set[str]:
        """Ids of the knowledge items the criteria rely on."""
        pending, found = list(self.criteria), set()
        while pending:
            criterion = pending.pop()
            pending.extend(criterion.any_of)
            if criterion.defined_by:
                found.add(criterion.defined_by)
        return found


class AntibodyFailureDefinition(KBItem):
    """Proven specific antibody failure: less than ``fold_rise`` rise in IgG titre to the antigens."""

    kind: Literal["definition"]
    term: str = Field(min_length=1)
    fold_rise: float = Field(gt=1)
    antigens: tuple[str, ...] = Field(min_length=1)


class IgRegimen(KBItem):
    """Loading and maintenance dosing for an indication, with time to steady state."""

    kind: Literal["regimen"]
    indication: Literal["pid", "sid"]
    routes: tuple[IgRoute, ...] = Field(min_length=1)
    loading: DoseRange | None = None
    maintenance: DoseRange | None = None
    monthly_total: DoseRange | None = None
    daily_max: DoseRange | None = None
    steady_state_from: Duration | None = None
    steady_state_to: Duration | None = None
    trough_target: str | None = Field(None, pattern=ID_PATTERN)
    products: tuple[str, ...] = Field((), description="Product labels that carry this regimen.")


class TroughTarget(KBItem):
    """The lowest trough IgG to aim for: absolute, or above the patient's untreated IgG.

    "At least 5 to 6 g/L" is ``minimum`` 5 g/L with ``minimum_upper`` 6 g/L.
    """

    kind: Literal["trough_target"]
    applies_to: tuple[str, ...] = Field(min_length=1, description="Diagnosis ids or 'pid' / 'sid'.")
    routes: tuple[IgRoute, ...] = Field((), description="Empty: any route.")
    bronchiectasis: bool | None = Field(None, description="True: only with bronchiectasis.")
    comparator: Literal[">", ">="]
    minimum: Concentration | None = None
    minimum_upper: Concentration | None = None
    above_baseline: Concentration | None = None
    status: Literal["current", "older wording"] = "current"

    @model_validator(mode="after")
    def _one_target(self) -> TroughTarget:
        if (self.minimum is None) == (self.above_baseline is None):
            raise ValueError("give exactly one of minimum and above_baseline")
        if self.minimum_upper is not None and self.minimum is None:
            raise ValueError("minimum_upper needs minimum")
        ordered(self.minimum, self.minimum_upper, "trough")
        return self


class DoseWeightFormula(KBItem):
    """Adjusted dose weight: IBW + factor × (actual − IBW), IBW from sex and height (Devine).

    IBW = base(sex) + ``ibw_per_step`` × (height − ``height_reference``) / ``height_step``.
    """

    kind: Literal["dose_weight"]
    ibw_male: Mass
    ibw_female: Mass
    ibw_per_step: Mass
    height_step: Length
    height_reference: Length
    adjustment_factor: float = Field(gt=0, lt=1)
    use: str = Field(min_length=1, description="When the source says to use it.")

    def ideal_weight(self, *, sex: Sex, height: Quantity) -> Quantity:
        """The ideal body weight (kg) of a male or female patient of this height."""
        bases = {Sex.MALE: self.ibw_male, Sex.FEMALE: self.ibw_female}
        if sex not in bases:
            raise ValidationError.single("sex", f"the formula is defined for male and female, not {sex}")
        steps = (height.value_in("cm") - self.height_reference.value_in("cm")) / self.height_step.value_in(
            "cm"
        )
        kg = bases[sex].value_in("kg") + steps * self.ibw_per_step.value_in("kg")
        return Quantity(round(kg, 6), "kg")

    def dose_weight(self, *, sex: Sex, height: Quantity, actual: Quantity) -> Quantity:
        """The dose-determining weight (kg) from the formula as the source prints it."""
        ideal = self.ideal_weight(sex=sex, height=height).value
        kg = ideal + self.adjustment_factor * (actual.value_in("kg") - ideal)
        return Quantity(round(kg, 6), "kg")


class WeightBounds(KBItem):
    """The body weights a dose calculator accepts; outside them the weight is taken as a typing error."""

    kind: Literal["weight_bounds"]
    above: Mass
    below: Mass

    @model_validator(mode="after")
    def _ordered(self) -> WeightBounds:
        ordered(self.above, self.below, "weight bounds")
        return self


class DiagnosisCodes(KBItem):
    """The record codes (ICD-10-CM prefixes) that name one readable diagnosis id.

    Attributes:
        secondary: the diagnosis is a cause of secondary immunodeficiency (HIV, asplenia), not a
            primary immunodeficiency, so it does not make the patient's group 'pid'.
    """

    kind: Literal["diagnosis_codes"]
    diagnosis: str = Field(pattern=ID_PATTERN)
    icd10_prefixes: tuple[str, ...] = Field(min_length=1)
    secondary: bool = False


class RampStep(KBModel):
    """In ``week``, infuse the dose for ``weeks_of_dose`` weeks."""

    week: int = Field(ge=1)
    weeks_of_dose: int = Field(ge=1)
    optional: bool = False


class RampUp(KBItem):
    """A product's ramp-up from a 1-week dose to its full interval."""

    kind: Literal["ramp_up"]
    product: str = Field(pattern=ID_PATTERN)
    applies_to: str = Field(min_length=1)
    steps: tuple[RampStep, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _rising(self) -> RampUp:
        for before, after in pairwise(self.steps):
            if after.week <= before.week or after.weeks_of_dose <= before.weeks_of_dose:
                raise ValueError("ramp-up weeks and doses must rise step by step")
        return self


class MeaslesExposureDose(KBItem):
    """An extra dose after measles exposure, and the antibody level it gives."""

    kind: Literal["measles_exposure"]
    products: tuple[str, ...] = Field(min_length=1)
    dose: MassPerMass
    within: Duration
    titre_above: Titre
    lasting: Duration


class MonitoredTest(KBModel):
    """A test first done ``first_from``–``first_to`` after a start, then every ``every_from``–``every_to``."""

    test: str = Field(min_length=1)
    first_from: Duration | None = None
    first_to: Duration | None = None
    every_from: Duration | None = None
    every_to: Duration | None = None
    trigger: str | None = Field(None, description="An event that also calls for the test.")

    @model_validator(mode="after")
    def _ranges(self) -> MonitoredTest:
        ordered(self.first_from, self.first_to, "first test")
        ordered(self.every_from, self.every_to, "interval")
        return self


class MonitoringPlan(KBItem):
    """What to check in patients on Ig replacement, and how often."""

    kind: Literal["monitoring"]
    applies_to: str = Field(min_length=1)
    products: tuple[str, ...] = ()
    no_published_consensus: bool = Field(
        False, description="The source says there is no published consensus."
    )
    tests: tuple[MonitoredTest, ...] = Field(min_length=1)


class DoseResponse(KBItem):
    """A published dose–response fact: the effect of each ``per`` increment of the exposure."""

    kind: Literal["dose_response"]
    exposure: str = Field(min_length=1)
    per: Amount
    outcome: str = Field(min_length=1)
    rate_ratio: float | None = Field(None, gt=0)
    rate_ratio_ci: tuple[float, float] | None = None
    change: Amount | None = None
    relative_change: float | None = Field(None, gt=-1, lt=1)
    up_to: Concentration | None = None
    studies: int = Field(ge=1)
    patients: int = Field(ge=1)

    @model_validator(mode="after")
    def _one_effect(self) -> DoseResponse:
        if sum(x is not None for x in (self.rate_ratio, self.change, self.relative_change)) != 1:
            raise ValueError("give exactly one of rate_ratio, change and relative_change")
        return self


IgDosingItem = Annotated[
    IgIndication
    | Eligibility
    | AntibodyFailureDefinition
    | IgRegimen
    | TroughTarget
    | DoseWeightFormula
    | WeightBounds
    | DiagnosisCodes
    | RampUp
    | MeaslesExposureDose
    | MonitoringPlan
    | DoseResponse,
    Field(discriminator="kind"),
]


def _references(item: KBItem) -> list[tuple[str, str, type[KBItem]]]:
    """(what, id, expected type) for every knowledge item this rule names."""
    refs: list[tuple[str, str, type[KBItem]]] = []
    for product in getattr(item, "products", ()):
        refs.append(("product", product, IgProduct))
    if isinstance(item, RampUp):
        refs.append(("product", item.product, IgProduct))
    if isinstance(item, IgRegimen) and item.trough_target:
        refs.append(("trough target", item.trough_target, TroughTarget))
    if isinstance(item, Eligibility):
        refs.extend(("definition", ref, AntibodyFailureDefinition) for ref in sorted(item.definitions()))
    return refs


def _names(kb: KnowledgeBase, ref: str, expected: type[KBItem]) -> bool:
    try:
        return isinstance(kb.get(ref), expected)
    except NotFoundError:
        return False


def _cross_check(kb: KnowledgeBase) -> list[str]:
    return [
        f"{item.id}: names {what} {ref!r}, which is not in the knowledge base"
        for item in kb.topics.get("ig_dosing", ())
        for what, ref, expected in _references(item)
        if not _names(kb, ref, expected)
    ]


TOPIC = Topic(
    name="ig_dosing",
    title="Immunoglobulin replacement: eligibility, dosing, titration and monitoring",
    item_type=IgDosingItem,
    cross_check=_cross_check,
)

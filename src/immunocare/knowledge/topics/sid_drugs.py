"""Drugs that cause secondary immunodeficiency: classes, members, dose thresholds, monitoring.

Three item kinds live in ``data/sid_drugs/``:

- :class:`DrugClass`: a class of drugs (anti-CD20 antibodies, CAR-T cells, high-dose systemic
  corticosteroids, antiepileptics …) with its members by name and ATC code, or whole ATC groups,
  the expected effect on immunity and, for corticosteroids, the dose that counts as high.
- :class:`MonitoringRule`: what a source says to measure or do for patients on a class, and when
  (baseline IgG before rituximab, IgG monthly after CAR-T, IgG replacement below a threshold …).
- :class:`DoseEquivalence`: doses of one drug that equal a reference dose of another (prednisone
  equivalents), so a threshold stated for one drug applies to its class.

Every number (dose, duration, interval, laboratory threshold) is data; the code only compares.
Quantities are written ``<number> <UCUM unit>`` (``20 mg``, ``400 mg/dL``), intervals as ISO 8601
durations (``P6M``).
:func:`classify_medication` tells which classes a recorded medication belongs to.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, field_validator, model_validator

from immunocare.domain import Comparator, Quantity
from immunocare.domain.codes import CodeSystem, code_problem
from immunocare.knowledge._base import KBItem, KBModel, Topic

from .ig_products import Amount, Mass
from .reference_intervals import AgeDuration

if TYPE_CHECKING:
    from immunocare.knowledge._kb import KnowledgeBase

__all__ = [
    "ORDER",
    "TOPIC",
    "Bound",
    "DoseCriterion",
    "DoseEquivalence",
    "DoseThreshold",
    "DrugClass",
    "DrugMember",
    "EquivalentDose",
    "LabThreshold",
    "MonitoringRule",
    "SidDrugItem",
    "classify_medication",
]

ORDER = 45

Effect = Literal[
    "b_cell_aplasia",
    "plasma_cell_depletion",
    "hypogammaglobulinaemia",
    "low_iga",
    "t_cell_depletion",
    "severe_immunosuppression",
    "altered_immunocompetence",
    "complement_inhibition",
    "passive_antibody",
]
Trigger = Literal[
    "before_first_dose",
    "before_each_course",
    "on_treatment",
    "after_treatment",
    "recurrent_infections",
]
Action = Literal["measure_immunoglobulins", "consider_igrt"]
Immunoglobulin = Literal["IgG", "IgA", "IgM"]

_COMPARE: dict[Comparator, Callable[[float, float], bool]] = {
    Comparator.LT: operator.lt,
    Comparator.LE: operator.le,
    Comparator.GE: operator.ge,
    Comparator.GT: operator.gt,
}


class Bound(KBModel):
    """A comparison with a quantity, e.g. ``>= 20 mg`` (written ``{comparator: '>=', amount: 20 mg}``).

    >>> Bound(comparator=">=", amount="3 d").holds(Quantity(1, "wk"))
    True
    """

    comparator: Comparator
    amount: Amount

    def holds(self, quantity: Quantity) -> bool:
        """Whether ``quantity`` (in any unit of the same dimension) satisfies the bound."""
        return _COMPARE[self.comparator](quantity.value_in(self.amount.unit), self.amount.value)


class LabThreshold(Bound):
    """A laboratory result condition, e.g. IgG ``<= 400 mg/dL``."""

    analyte: str = Field(min_length=1, description="The analyte as a clinician names it (IgG, CD4).")


class DoseCriterion(KBModel):
    """One way a daily dose counts as high: an absolute dose, or a dose per kilogram of weight."""

    daily_dose: Bound = Field(description="Per day; a mass (mg) or a mass per body mass (mg/kg).")
    weight: Bound | None = Field(None, description="The criterion applies only to this body weight.")

    @model_validator(mode="after")
    def _dimensions(self) -> DoseCriterion:
        if self.daily_dose.amount.dimension not in ("mass", "mass per mass"):
            raise ValueError("daily_dose must be a mass or a mass per body mass")
        if self.weight is not None and self.weight.amount.dimension != "mass":
            raise ValueError("weight must be a mass")
        return self

    def met_by(self, daily_dose: Quantity, weight: Quantity | None) -> bool | None:
        """Whether the dose meets this criterion; ``None`` when the weight is needed but unknown."""
        per_weight = self.daily_dose.amount.dimension == "mass per mass"
        if weight is None and (per_weight or self.weight is not None):
            return None
        if weight is not None and self.weight is not None and not self.weight.holds(weight):
            return False
        if per_weight and weight is not None:
            daily_dose = Quantity(daily_dose.value_in("g") / weight.value_in("kg"), "g/kg")
        return self.daily_dose.holds(daily_dose)


class DoseThreshold(KBModel):
    """The daily dose and duration from which a drug class counts as high-dose.

    >>> rule = DoseThreshold(
    ...     reference_drug="example",
    ...     any_of=(DoseCriterion(daily_dose=Bound(comparator=">=", amount="1 mg")),),
    ...     duration=Bound(comparator=">=", amount="1 wk"),
    ... )
    >>> rule.met_by(daily_dose=Quantity(2, "mg"), duration=Quantity(10, "d"))
    True
    """

    reference_drug: str = Field(min_length=1, description="Doses are in this drug or its equivalent.")
    any_of: tuple[DoseCriterion, ...] = Field(min_length=1)
    duration: Bound

    @field_validator("duration")
    @classmethod
    def _duration_is_time(cls, duration: Bound) -> Bound:
        if duration.amount.dimension != "time":
            raise ValueError("duration must be a time")
        return duration

    def met_by(
        self, *, daily_dose: Quantity, duration: Quantity, weight: Quantity | None = None
    ) -> bool | None:
        """Whether a course meets the threshold; ``None`` when the weight needed to decide is unknown."""
        if not self.duration.holds(duration):
            return False
        results = [criterion.met_by(daily_dose, weight) for criterion in self.any_of]
        if True in results:
            return True
        return None if None in results else False


class DrugMember(KBModel):
    """One drug of a class, by international non-proprietary name and ATC codes."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9 ,()/-]*$", description="INN, lowercase.")
    atc: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = Field((), description="Other names a record may use, lowercase.")

    @field_validator("atc")
    @classmethod
    def _atc_codes(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        return _check_atc(codes)


def _check_atc(codes: tuple[str, ...]) -> tuple[str, ...]:
    for code in codes:
        problem = code_problem(CodeSystem.ATC, code)
        if problem:
            raise ValueError(f"{code}: {problem}")
    return codes


class DrugClass(KBItem):
    """A class of drugs that can cause secondary immunodeficiency.

    Attributes:
        members: named drugs with their ATC codes.
        atc_groups: ATC groups whose every drug belongs to the class (e.g. L01A, alkylating agents).
        mechanism: how the class impairs immunity, in words.
        effects: the expected effects on immunity.
        high_dose: for classes that are immunosuppressive only at high doses, the threshold.
    """

    kind: Literal["drug_class"]
    members: tuple[DrugMember, ...] = ()
    atc_groups: tuple[str, ...] = ()
    mechanism: str = Field(min_length=1)
    effects: tuple[Effect, ...] = Field(min_length=1)
    high_dose: DoseThreshold | None = None

    @field_validator("atc_groups")
    @classmethod
    def _atc_groups(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        return _check_atc(codes)

    @model_validator(mode="after")
    def _not_empty(self) -> DrugClass:
        if not self.members and not self.atc_groups:
            raise ValueError("a drug class needs members or ATC groups")
        return self

    def matches(self, *, name: str | None = None, atc: str | None = None) -> bool:
        """Whether a medication recorded by name and/or ATC code belongs to the class."""
        wanted = name.strip().lower() if name else None
        for member in self.members:
            if wanted is not None and (wanted == member.name or wanted in member.synonyms):
                return True
            if atc is not None and atc in member.atc:
                return True
        return atc is not None and any(atc.startswith(group) for group in self.atc_groups)


class MonitoringRule(KBItem):
    """What to measure or do for patients on a drug class, and when.

    Attributes:
        drug_classes: the classes the advice is for.
        trigger: the moment or situation the advice applies to.
        action: measure immunoglobulins, or consider immunoglobulin replacement.
        measure: the immunoglobulins to measure.
        interval: how often, when the advice is periodic (ISO 8601, e.g. P6M).
        for_at_least: how long the periodic measurements go on (ISO 8601).
        when: laboratory conditions under which the advice applies (e.g. IgG <= 400 mg/dL).
        with_infections: the advice applies only with serious or recurrent infections.
        not_encoded: conditions of the source immunocare cannot check yet, in words; a rule with
            any never fires (a recommendation resting on unchecked conditions would overstate it).
        advice: the advice in words, as the source gives it.
    """

    kind: Literal["monitoring"]
    drug_classes: tuple[str, ...] = Field(min_length=1)
    trigger: Trigger
    action: Action
    measure: tuple[Immunoglobulin, ...] = ()
    interval: AgeDuration | None = None
    for_at_least: AgeDuration | None = None
    when: tuple[LabThreshold, ...] = ()
    with_infections: bool = False
    not_encoded: tuple[str, ...] = Field(
        (),
        description="Conditions of the source not checked yet; the rule does not fire while any is listed.",
    )
    advice: str = Field(min_length=1)

    @model_validator(mode="after")
    def _measure_what(self) -> MonitoringRule:
        if self.action == "measure_immunoglobulins" and not self.measure:
            raise ValueError("say which immunoglobulins to measure")
        if any(bound.analyte != "IgG" for bound in self.when):
            raise ValueError("only IgG conditions are checked; write others in not_encoded")
        if self.for_at_least is not None and self.interval is None:
            raise ValueError("for_at_least needs an interval")
        return self


class EquivalentDose(KBModel):
    """A dose of one drug."""

    drug: str = Field(min_length=1)
    dose: Mass


class DoseEquivalence(KBItem):
    """Doses of a class's drugs that equal a reference dose of its reference drug.

    >>> table = DoseEquivalence(
    ...     kind="dose_equivalence", id="example", title="Example", verified=True,
    ...     citations=({"source": "x", "where": "y"},), drug_class="c",
    ...     reference=EquivalentDose(drug="a", dose="1 mg"),
    ...     equivalents=(EquivalentDose(drug="b", dose="4 mg"),),
    ... )
    >>> table.to_reference("b", Quantity(8, "mg"))
    Quantity(value=2.0, unit='mg')
    """

    kind: Literal["dose_equivalence"]
    drug_class: str = Field(min_length=1)
    reference: EquivalentDose
    equivalents: tuple[EquivalentDose, ...] = Field(min_length=1)

    def to_reference(self, drug: str, dose: Quantity) -> Quantity | None:
        """The dose of the reference drug equal to ``dose`` of ``drug``; ``None`` if not listed."""
        if drug.lower() == self.reference.drug:
            return dose.to(self.reference.dose.unit)
        for equivalent in self.equivalents:
            if equivalent.drug == drug.lower():
                ratio = dose.value_in(equivalent.dose.unit) / equivalent.dose.value
                return Quantity(round(ratio * self.reference.dose.value, 9), self.reference.dose.unit)
        return None


SidDrugItem = Annotated[DrugClass | MonitoringRule | DoseEquivalence, Field(discriminator="kind")]


def classify_medication(
    kb: KnowledgeBase, *, name: str | None = None, atc: str | None = None
) -> tuple[DrugClass, ...]:
    """The drug classes a medication recorded by name and/or ATC code belongs to."""
    return tuple(drug_class for drug_class in kb.of(DrugClass) if drug_class.matches(name=name, atc=atc))


def _cross_check(kb: KnowledgeBase) -> list[str]:
    classes = {drug_class.id: drug_class for drug_class in kb.of(DrugClass)}
    problems = [
        f"{rule.id}: unknown drug class {name!r}"
        for rule in kb.of(MonitoringRule)
        for name in rule.drug_classes
        if name not in classes
    ]
    for table in kb.of(DoseEquivalence):
        drug_class = classes.get(table.drug_class)
        if drug_class is None:
            problems.append(f"{table.id}: unknown drug class {table.drug_class!r}")
            continue
        names = {member.name for member in drug_class.members}
        problems += [
            f"{table.id}: {dose.drug!r} is not a member of {drug_class.id}"
            for dose in (table.reference, *table.equivalents)
            if dose.drug not in names
        ]
    return problems


TOPIC = Topic(
    name="sid_drugs",
    title="Drugs that cause secondary immunodeficiency",
    item_type=SidDrugItem,
    cross_check=_cross_check,
)

"""Vaccination of immunodeficient patients: which vaccines, when, and for whom, as data.

Item kinds in ``data/vaccination_rules/``:

- :class:`ImmunodeficiencyCategory`: a row of the ACIP table (severe antibody deficiency, complete
  T-cell defect, CGD …) with the IUIS (sub)tables, ESID definition ids and genes that map a
  patient's diagnoses to it.
- :class:`Treatment`: an immunosuppressive treatment (high-dose corticosteroids, B-cell depletion,
  CAR-T, chemotherapy, HSCT, immunoglobulin replacement) and the drug classes of ``sid_drugs``
  that show it in a record.
- :class:`VaccineRule`: for categories or treatments, a status (contraindicated, not recommended,
  recommended, likely ineffective …) for the vaccines a
  :class:`~immunocare.knowledge.topics.vaccines.VaccineSelector` picks, with the
  reason, and optionally the time window, ages and laboratory conditions it holds for.
- :class:`TimingRule`: how long before immunosuppression (or transplant conditioning) to vaccinate.
- :class:`AntibodyInterval`: how long after an immunoglobulin dose measles- or varicella-containing
  vaccines work.
- :class:`HouseholdRule`: which vaccines household contacts may receive, with exceptions.
- :class:`RevaccinationStep`: one step of a re-vaccination plan after HSCT, chemotherapy or
  B-cell depletion.

When several rules apply to a patient, an evaluator reports each with its reason and source. The
statuses of ``Status`` are listed most restrictive first (contraindicated, not recommended,
consider, recommended …); ``clinical.vaccination`` shows the first status among the rules that
hold without a condition to confirm as a vaccine's decision.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, model_validator

from immunocare.domain.ages import age_at_least
from immunocare.knowledge._base import KBItem, KBModel, Topic

from ._groups import PatientGroup, gene_table_problems
from .ig_products import MassPerMass, ordered
from .reference_intervals import AgeDuration
from .sid_drugs import DrugClass, LabThreshold
from .vaccines import Vaccine, VaccineSelector

if TYPE_CHECKING:
    from immunocare.knowledge._kb import KnowledgeBase

__all__ = [
    "ORDER",
    "TOPIC",
    "AgeRange",
    "AntibodyInterval",
    "HouseholdException",
    "HouseholdRule",
    "ImmunodeficiencyCategory",
    "RevaccinationStep",
    "TimingRule",
    "Treatment",
    "VaccinationItem",
    "VaccineRule",
    "Window",
]

ORDER = 50

Status = Literal[
    "contraindicated",
    "not_recommended",
    "consider",
    "recommended",
    "routine",
    "appears_safe",
    "likely_effective",
    "effectiveness_uncertain",
    "likely_ineffective",
]
HouseholdStatus = Literal["recommended", "may_receive", "not_to_be_given"]
Anchor = Literal["last_dose", "treatment_stop", "transplant"]


class Window(KBModel):
    """When, relative to an event, a rule holds; durations are ISO 8601 (``P3M``, ``P24M``).

    The rule holds from ``start`` after the anchor (or from the beginning of the treatment) until
    ``end`` after it (or indefinitely). For ``treatment_stop`` and ``last_dose`` anchors the rule
    also holds while the treatment goes on. ``end_upper`` is the far end of a range the source
    gives ("3–6 months"), when it gives one.
    """

    anchor: Anchor
    start: AgeDuration | None = None
    end: AgeDuration | None = None
    end_upper: AgeDuration | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.start is None and self.end is None:
            raise ValueError("a window needs a start or an end")
        if self.start is not None and self.end is not None and not self.start.always_shorter_than(self.end):
            raise ValueError("a window must end after it starts")
        if self.end_upper is not None and (self.end is None or self.end_upper.always_shorter_than(self.end)):
            raise ValueError("end_upper needs an end and may not precede it")
        return self


class AgeRange(KBModel):
    """Ages a rule applies to: from ``from_age`` (inclusive) to below ``below_age`` (ISO 8601)."""

    from_age: AgeDuration | None = None
    below_age: AgeDuration | None = None

    @model_validator(mode="after")
    def _ordered(self) -> AgeRange:
        if self.from_age is None and self.below_age is None:
            raise ValueError("an age range needs from_age or below_age")
        if (
            self.from_age is not None
            and self.below_age is not None
            and not self.from_age.always_shorter_than(self.below_age)
        ):
            raise ValueError("below_age must be above from_age")
        return self

    def contains(self, *, birth_date: date, on: date) -> bool:
        """Whether someone born on ``birth_date`` is in the range on the day ``on``, calendar-exact.

        >>> AgeRange(below_age="P5Y").contains(birth_date=date(2020, 3, 1), on=date(2025, 2, 28))
        True
        """
        above = self.from_age is None or age_at_least(birth_date, on, self.from_age)
        return above and (self.below_age is None or not age_at_least(birth_date, on, self.below_age))


class ImmunodeficiencyCategory(KBItem, PatientGroup):
    """A category of immunodeficiency with shared vaccination rules, and how a patient maps to it.

    Attributes:
        examples: the disorders the source names for the category.
        secondary: an acquired (secondary) immunodeficiency.

    The record codes, IUIS (sub)tables, ESID definitions and genes that place a patient in the
    category are those of :class:`~immunocare.knowledge.topics._groups.PatientGroup`.
    """

    kind: Literal["category"]
    examples: tuple[str, ...] = Field(min_length=1)
    secondary: bool = False


class Treatment(KBItem):
    """An immunosuppressive (or antibody-containing) treatment and how a record shows it.

    Attributes:
        evidence: the record items that show the treatment.
        drug_classes: for medications, the ``sid_drugs`` classes.
        high_dose_only: the medication counts only above its class's high-dose threshold.
        icd10_prefixes: for a transplant, the ICD-10-CM status codes of the diagnosis that records
            it; the diagnosis's date is taken as the day of the transplant.
    """

    kind: Literal["treatment"]
    evidence: Literal["medication", "immunoglobulin_infusion", "hsct", "solid_organ_transplant"]
    drug_classes: tuple[str, ...] = ()
    high_dose_only: bool = False
    icd10_prefixes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _classes_for_medication(self) -> Treatment:
        if self.evidence == "medication" and not self.drug_classes:
            raise ValueError("a medication treatment needs drug classes")
        if self.evidence in ("hsct", "solid_organ_transplant") and not self.icd10_prefixes:
            raise ValueError("a transplant needs the ICD-10-CM status codes that record it")
        if self.high_dose_only and self.evidence != "medication":
            raise ValueError("high_dose_only is for medications")
        return self


class VaccineRule(KBItem):
    """The status of some vaccines for patients in categories or on treatments.

    Attributes:
        applies_to: category or treatment ids.
        vaccines: the vaccines.
        status: contraindicated, not recommended, recommended, likely ineffective …
        reason: why, in words a clinician reads.
        window: when, relative to the treatment, the status holds. Without a window, a rule for a
            category always holds, one for a medication while it is taken, one for a transplant
            from the transplant on.
        age: the patient ages the rule applies to.
        requires: laboratory conditions under which the rule applies.
        conditions: conditions a clinician must confirm for the rule to apply (e.g. "active GVHD").
    """

    kind: Literal["rule"]
    applies_to: tuple[str, ...] = Field(min_length=1)
    vaccines: VaccineSelector
    status: Status
    reason: str = Field(min_length=1)
    window: Window | None = None
    age: AgeRange | None = None
    requires: tuple[LabThreshold, ...] = ()
    conditions: tuple[str, ...] = ()


class TimingRule(KBItem):
    """How long before an event to vaccinate.

    Attributes:
        applies_to: treatment ids; empty means any planned immunosuppression.
        anchor: the event: the start of immunosuppression, or transplant conditioning.
        at_least_before: the minimum interval between the vaccine and the event (ISO 8601).
    """

    kind: Literal["timing"]
    applies_to: tuple[str, ...] = ()
    vaccines: VaccineSelector
    anchor: Literal["treatment_start", "conditioning"]
    at_least_before: AgeDuration
    reason: str = Field(min_length=1)


class AntibodyInterval(KBItem):
    """The interval after an antibody-containing product before some live vaccines work.

    An evaluator takes the row whose dose range contains the dose given, or else the row with
    the next higher dose.
    """

    kind: Literal["antibody_interval"]
    indication: str = Field(min_length=1)
    dose_from: MassPerMass
    dose_to: MassPerMass
    vaccines: VaccineSelector
    interval: AgeDuration

    @model_validator(mode="after")
    def _dose_range(self) -> AntibodyInterval:
        ordered(self.dose_from, self.dose_to, "dose")
        return self


class HouseholdException(KBModel):
    """When a household rule changes, because of the patient's condition."""

    when: str = Field(min_length=1, description="The patient's situation, in words.")
    categories: tuple[str, ...] = ()
    esid: tuple[str, ...] = ()
    treatments: tuple[str, ...] = ()
    within: Window | None = None
    conditions: tuple[str, ...] = ()
    status: HouseholdStatus
    precaution: str | None = None
    precaution_period: AgeDuration | None = None


class HouseholdRule(KBItem):
    """What healthy household contacts of an immunocompromised patient may receive.

    Attributes:
        status: for the household contact: recommended, may receive, or not to be given.
        contact_age: the contact's ages the rule applies to.
        contact_conditions: conditions the contact must meet (e.g. "not pregnant").
        precaution: what the patient or household should do after the contact's vaccination.
        exceptions: patients for whom the rule changes.
    """

    kind: Literal["household"]
    vaccines: VaccineSelector
    status: HouseholdStatus
    contact_age: AgeRange | None = None
    contact_conditions: tuple[str, ...] = ()
    reason: str = Field(min_length=1)
    precaution: str | None = None
    precaution_period: AgeDuration | None = None
    exceptions: tuple[HouseholdException, ...] = ()


class RevaccinationStep(KBItem):
    """One step of a re-vaccination plan for a secondary immunodeficiency.

    Attributes:
        applies_to: the treatment id (HSCT, chemotherapy, B-cell depletion …).
        window: when, relative to the anchor, the step is due.
        doses: how many doses, when the source says.
        conditions: conditions a clinician must confirm (e.g. "no chronic GVHD").
        check: serology to check after the series, with its target.
    """

    kind: Literal["revaccination"]
    applies_to: str = Field(min_length=1)
    vaccines: VaccineSelector
    strength: Literal["recommended", "routine", "consider"]
    window: Window
    doses: int | None = Field(None, ge=1)
    age: AgeRange | None = None
    conditions: tuple[str, ...] = ()
    check: tuple[LabThreshold, ...] = ()
    reason: str = Field(min_length=1)


VaccinationItem = Annotated[
    ImmunodeficiencyCategory
    | Treatment
    | VaccineRule
    | TimingRule
    | AntibodyInterval
    | HouseholdRule
    | RevaccinationStep,
    Field(discriminator="kind"),
]


def _selectors(kb: KnowledgeBase) -> Iterator[tuple[str, VaccineSelector]]:
    for item in kb.topics.get("vaccination_rules", ()):
        selector = getattr(item, "vaccines", None)
        if isinstance(selector, VaccineSelector):
            yield item.id, selector


def _selector_problems(kb: KnowledgeBase) -> list[str]:
    vaccines = kb.of(Vaccine)
    groups = {group for vaccine in vaccines for group in vaccine.groups}
    codes = {vaccine.cvx for vaccine in vaccines}
    problems = []
    for item_id, selector in _selectors(kb):
        problems += [
            f"{item_id}: unknown vaccine group {g!r}"
            for g in {*selector.groups, *selector.except_groups} - groups
        ]
        problems += [
            f"{item_id}: unknown CVX code {c!r}" for c in {*selector.cvx, *selector.except_cvx} - codes
        ]
        if not selector.select(vaccines):
            problems.append(f"{item_id}: the vaccine selector picks no vaccine")
    return problems


def _references(kb: KnowledgeBase) -> Iterator[tuple[str, str, str]]:
    """(item id, referenced id, kind of target) for every cross-item reference in the topic."""
    for rule in kb.of(VaccineRule):
        yield from ((rule.id, target, "category or treatment") for target in rule.applies_to)
    for timing in kb.of(TimingRule):
        yield from ((timing.id, target, "treatment") for target in timing.applies_to)
    for step in kb.of(RevaccinationStep):
        yield step.id, step.applies_to, "treatment"
    for household in kb.of(HouseholdRule):
        for exception in household.exceptions:
            yield from ((household.id, target, "category") for target in exception.categories)
            yield from ((household.id, target, "treatment") for target in exception.treatments)
    for treatment in kb.of(Treatment):
        yield from ((treatment.id, name, "drug class") for name in treatment.drug_classes)


def _reference_problems(kb: KnowledgeBase) -> list[str]:
    categories = {item.id for item in kb.of(ImmunodeficiencyCategory)}
    treatments = {item.id for item in kb.of(Treatment)}
    known = {
        "category": categories,
        "treatment": treatments,
        "category or treatment": categories | treatments,
        "drug class": {item.id for item in kb.of(DrugClass)},
    }
    return [
        f"{item_id}: unknown {kind} {target!r}"
        for item_id, target, kind in _references(kb)
        if target not in known[kind]
    ]


def _threshold_problems(kb: KnowledgeBase) -> list[str]:
    drug_classes = {item.id: item for item in kb.of(DrugClass)}
    return [
        f"{treatment.id}: drug class {name!r} has no high-dose threshold"
        for treatment in kb.of(Treatment)
        if treatment.high_dose_only
        for name in treatment.drug_classes
        if name in drug_classes and drug_classes[name].high_dose is None
    ]


def _cross_check(kb: KnowledgeBase) -> list[str]:
    groups = gene_table_problems(kb, kb.topics.get("vaccination_rules", ()))
    return _selector_problems(kb) + _reference_problems(kb) + _threshold_problems(kb) + groups


TOPIC = Topic(
    name="vaccination_rules",
    title="Vaccination of immunodeficient patients",
    item_type=VaccinationItem,
    cross_check=_cross_check,
)

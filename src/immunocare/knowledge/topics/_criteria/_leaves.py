"""The leaf predicates of the criterion language: one part of the record each."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

from pydantic import Field, field_validator, model_validator

from immunocare.domain import (
    AcmgClass,
    CodeSystem,
    CourseEffect,
    DiagnosisStatus,
    InfectionSite,
    ItemKind,
    PathogenClass,
    Relation,
    Route,
    Severity,
    Sex,
)
from immunocare.domain.codes import hgnc_symbol_problem, hpo_problem
from immunocare.domain.units import UNITS
from immunocare.knowledge._base import ID_PATTERN, KBModel

from ._time import AgeBand, AgeRange, IsoDuration

__all__ = [
    "Age",
    "AntibioticDays",
    "ChecklistClear",
    "DataNeed",
    "DiagnosisCode",
    "Exclusion",
    "FamilyHistory",
    "GeneticVariant",
    "Growth",
    "InfectionCount",
    "LabReference",
    "LabThreshold",
    "Leaf",
    "MedicationTaken",
    "PhenotypeTerm",
    "QualitativeResult",
    "RuleMet",
    "SexIs",
]


@dataclass(frozen=True, slots=True)
class DataNeed:
    """What a leaf reads from the record, and the test that would supply it."""

    kind: ItemKind
    what: str
    order: str | None = None

    def __str__(self) -> str:
        return f"{self.kind.value}: {self.what}" + (f" (order {self.order})" if self.order else "")


class Leaf(KBModel):
    """A predicate over one part of the record."""

    id: str = Field(pattern=ID_PATTERN, description="Unique in its tree; names the criterion in findings.")
    text: str = Field(min_length=1, description="The criterion as its source words it.")
    note: str | None = Field(None, description="How the wording was made computable, where it is a reading.")

    def needs(self) -> tuple[DataNeed, ...]:
        """The record data this leaf reads."""
        raise NotImplementedError


def _history(kind: ItemKind, what: str) -> tuple[DataNeed, ...]:
    return (DataNeed(kind, what),)


class InfectionCount(Leaf):
    """At least ``at_least`` infection episodes matching every filter given.

    ``window``: the episodes fall within some interval of this length (a rolling window), else
    any time. ``min_span``: the first and last counted onsets are at least this far apart.
    """

    kind: Literal["infection_count"]
    sites: tuple[InfectionSite, ...] = ()
    pathogens: tuple[PathogenClass, ...] = ()
    abscess: bool | None = None
    min_severity: Severity | None = None
    hospitalised: bool | None = None
    iv_antibiotics: bool | None = None
    onset_age: AgeRange | None = None
    at_least: int = Field(ge=1)
    window: IsoDuration | None = None
    min_span: IsoDuration | None = None

    def needs(self) -> tuple[DataNeed, ...]:
        return _history(ItemKind.INFECTIONS, "infection history")


class AntibioticDays(Leaf):
    """Antibiotic courses with one of ``effects`` whose days add up to ``at_least``.

    Days are counted per course, both ends included; the total qualifies when it reaches the days
    from the first counted course's start to that date plus ``at_least`` (calendar-exact).
    ``window``: the courses start within some interval of this length, else any time.
    """

    kind: Literal["antibiotic_days"]
    at_least: IsoDuration
    effects: tuple[CourseEffect, ...] = (CourseEffect.NONE, CourseEffect.PARTIAL)
    routes: tuple[Route, ...] = ()
    window: IsoDuration | None = None

    def needs(self) -> tuple[DataNeed, ...]:
        return _history(ItemKind.INFECTIONS, "antibiotic courses and their effect")


ReferenceRelation = Literal[
    "below_lower_limit",
    "at_or_above_lower_limit",
    "above_upper_limit",
    "within_limits",
    "below_sd",
    "at_or_above_sd",
    "above_times_upper_limit",
    "below_fraction_of_central",
]
_NEEDS_VALUE = {"below_sd", "at_or_above_sd", "above_times_upper_limit", "below_fraction_of_central"}


class LabReference(Leaf):
    """A result compared with the age-related reference of its analyte (at the sampling date).

    ``value`` is the number of SD (``below_sd``: below mean − value·SD), the factor
    (``above_times_upper_limit``) or the fraction (``below_fraction_of_central``: below value × the
    reference's central value). ``times``: results on that many separate days must each qualify.
    """

    kind: Literal["lab_reference"]
    analyte: str = Field(pattern=ID_PATTERN)
    relation: ReferenceRelation
    value: float | None = Field(None, gt=0)
    times: int = Field(1, ge=1)

    @model_validator(mode="after")
    def _value_matches_relation(self) -> LabReference:
        if (self.relation in _NEEDS_VALUE) != (self.value is not None):
            raise ValueError(
                f"relation {self.relation!r} {'needs' if self.value is None else 'takes no'} value"
            )
        return self

    def needs(self) -> tuple[DataNeed, ...]:
        return (DataNeed(ItemKind.LABS, self.analyte, self.analyte),)


class LabThreshold(Leaf):
    """A result strictly ``below`` or ``above`` a fixed threshold, which may depend on age.

    ``bands`` are contiguous and ordered; at an age outside every band the source states no
    threshold, so the leaf is not met. ``times`` as in :class:`LabReference`.
    """

    kind: Literal["lab_threshold"]
    analyte: str = Field(pattern=ID_PATTERN)
    relation: Literal["below", "above"]
    unit: str
    bands: tuple[AgeBand, ...] = Field(min_length=1)
    times: int = Field(1, ge=1)

    @field_validator("unit")
    @classmethod
    def _ucum(cls, unit: str) -> str:
        if unit not in UNITS:
            raise ValueError(f"{unit!r} is not a UCUM unit immunocare knows")
        return unit

    @field_validator("bands")
    @classmethod
    def _contiguous(cls, bands: tuple[AgeBand, ...]) -> tuple[AgeBand, ...]:
        for earlier, later in itertools.pairwise(bands):
            if earlier.age.max is None or earlier.age.max != later.age.min:
                raise ValueError("age bands must be contiguous: each band's max is the next band's min")
        return bands

    def needs(self) -> tuple[DataNeed, ...]:
        return (DataNeed(ItemKind.LABS, self.analyte, self.analyte),)


class Age(Leaf):
    """The patient's age at the evaluation date, at the first manifestation, or at the first infection."""

    kind: Literal["age"]
    at: Literal["evaluation", "first_manifestation", "first_infection"]
    range: AgeRange

    def needs(self) -> tuple[DataNeed, ...]:
        onsets: tuple[DataNeed, ...] = (DataNeed(ItemKind.INFECTIONS, "onset of the first infection"),)
        if self.at == "first_manifestation":
            onsets += (DataNeed(ItemKind.PHENOTYPES, "onset of the first manifestation"),)
        return () if self.at == "evaluation" else onsets


class SexIs(Leaf):
    """The patient's administrative sex is one of ``sexes``."""

    kind: Literal["sex"]
    sexes: tuple[Sex, ...] = Field(min_length=1)

    def needs(self) -> tuple[DataNeed, ...]:
        return ()


class FamilyHistory(Leaf):
    """A relative matching every filter given has an immunodeficiency (``code_prefixes``: of this kind)."""

    kind: Literal["family_history"]
    relations: tuple[Relation, ...] = ()
    first_degree: bool | None = None
    maternal: bool | None = None
    code_prefixes: tuple[str, ...] = ()

    def needs(self) -> tuple[DataNeed, ...]:
        return _history(ItemKind.FAMILY_HISTORY, "family history of immunodeficiency")


class PhenotypeTerm(Leaf):
    """One of the HPO terms (or, with ``descendants``, a more specific term) is observed, or excluded."""

    kind: Literal["phenotype"]
    hpo: tuple[str, ...] = Field(min_length=1)
    descendants: bool = True
    state: Literal["observed", "excluded"] = "observed"

    @field_validator("hpo")
    @classmethod
    def _hpo_ids(cls, terms: tuple[str, ...]) -> tuple[str, ...]:
        for term in terms:
            problem = hpo_problem(term)
            if problem:
                raise ValueError(f"{term}: {problem}")
        return terms

    def needs(self) -> tuple[DataNeed, ...]:
        return _history(ItemKind.PHENOTYPES, "phenotype " + ", ".join(self.hpo))


class DiagnosisCode(Leaf):
    """A diagnosis whose code starts with one of ``code_prefixes`` (``D80`` matches ``D80.1``)."""

    kind: Literal["diagnosis"]
    system: CodeSystem
    code_prefixes: tuple[str, ...] = Field(min_length=1)
    statuses: tuple[DiagnosisStatus, ...] = (DiagnosisStatus.CONFIRMED,)

    def needs(self) -> tuple[DataNeed, ...]:
        return _history(ItemKind.DIAGNOSES, "diagnoses " + ", ".join(self.code_prefixes))


class MedicationTaken(Leaf):
    """A drug was taken (at any time, or within ``within`` before evaluation).

    ``drug_classes`` are ``sid_drugs`` drug classes (matched by name or ATC code, see
    :func:`immunocare.knowledge.topics.sid_drugs.classify_medication`); ``names`` are generic
    names, case-insensitive. Give either or both.
    """

    kind: Literal["medication"]
    drug_classes: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    within: IsoDuration | None = None

    @model_validator(mode="after")
    def _some_drug(self) -> MedicationTaken:
        if not self.drug_classes and not self.names:
            raise ValueError("give drug_classes, names or both")
        return self

    def needs(self) -> tuple[DataNeed, ...]:
        return _history(ItemKind.MEDICATIONS, "medication history")


class GeneticVariant(Leaf):
    """A reported variant in one of ``genes`` with one of the ACMG ``classes``."""

    kind: Literal["genetic"]
    genes: tuple[str, ...] = Field(min_length=1)
    classes: tuple[AcmgClass, ...] = (AcmgClass.PATHOGENIC, AcmgClass.LIKELY_PATHOGENIC)

    @field_validator("genes")
    @classmethod
    def _hgnc(cls, genes: tuple[str, ...]) -> tuple[str, ...]:
        for gene in genes:
            problem = hgnc_symbol_problem(gene)
            if problem:
                raise ValueError(f"{gene}: {problem}")
        return genes

    def needs(self) -> tuple[DataNeed, ...]:
        return (DataNeed(ItemKind.GENETIC_FINDINGS, "genetic testing", "genetic_testing"),)


class Growth(Leaf):
    """The latest growth measure against the WHO standards is below a z-score or a centile."""

    kind: Literal["growth"]
    measure: Literal["weight_for_age", "length_for_age", "weight_for_length"]
    standard: Literal["who"] = "who"
    below_z: float | None = None
    below_centile: float | None = Field(None, gt=0, lt=100)

    @model_validator(mode="after")
    def _one_threshold(self) -> Growth:
        if (self.below_z is None) == (self.below_centile is None):
            raise ValueError("give exactly one of below_z and below_centile")
        return self

    def needs(self) -> tuple[DataNeed, ...]:
        return _history(ItemKind.GROWTH, "weight and length measurements")


class QualitativeResult(Leaf):
    """A test without a number (``test``: a test item id) gave one of ``results``."""

    kind: Literal["test_result"]
    test: str = Field(pattern=ID_PATTERN)
    results: tuple[str, ...] = Field(min_length=1)

    def needs(self) -> tuple[DataNeed, ...]:
        return (DataNeed(ItemKind.LABS, self.test, self.test),)


class ChecklistClear(Leaf):
    """Every entry of a checklist item (e.g. secondary causes) has been assessed and is absent."""

    kind: Literal["checklist"]
    checklist: str = Field(pattern=ID_PATTERN)

    def needs(self) -> tuple[DataNeed, ...]:
        return ()


class RuleMet(Leaf):
    """Another rule item (a warning-sign list, a definition…) is met, or with ``met: false`` is not."""

    kind: Literal["rule"]
    rule: str = Field(pattern=ID_PATTERN)
    met: bool = True

    def needs(self) -> tuple[DataNeed, ...]:
        return ()


class Exclusion(Leaf):
    """None of the named definitions is met; ``all_others``: no other definition of its topic is met."""

    kind: Literal["exclusion"]
    definitions: tuple[str, ...] = ()
    all_others: bool = False

    @model_validator(mode="after")
    def _one_target(self) -> Exclusion:
        if bool(self.definitions) == self.all_others:
            raise ValueError("give either definitions or all_others: true")
        return self

    def needs(self) -> tuple[DataNeed, ...]:
        return ()

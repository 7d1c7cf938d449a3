"""Diagnoses, phenotypes, family history, genetic findings and the care team."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from immunocare.errors import ValidationError

from ._checks import require_text
from .codes import CodeSystem, code_problem, hgnc_symbol_problem, hpo_problem, iuis_category_problem

__all__ = [
    "AcmgClass",
    "CareRole",
    "CareTeamMember",
    "Diagnosis",
    "DiagnosisStatus",
    "FamilyHistoryEntry",
    "GeneticFinding",
    "Phenotype",
    "Relation",
    "Zygosity",
]


class DiagnosisStatus(StrEnum):
    """How certain a diagnosis is (after FHIR's verification and clinical status)."""

    SUSPECTED = "suspected"
    CONFIRMED = "confirmed"
    REFUTED = "refuted"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnosis:
    """A coded diagnosis.

    Attributes:
        code: the code, e.g. D80.0 (ICD-10-CM), ORPHA:47, OMIM:300755.
        system: the code's system.
        display: the diagnosis in words.
        iuis_category: the IUIS table or table.subtable, e.g. "3" or "3.1", for inborn errors.
        status: suspected, confirmed, refuted or resolved.
        diagnosed_on: the day it was made.
    """

    code: str
    system: CodeSystem
    display: str
    status: DiagnosisStatus = DiagnosisStatus.CONFIRMED
    iuis_category: str | None = None
    diagnosed_on: date | None = None
    notes: str | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        if self.system not in (CodeSystem.ICD10CM, CodeSystem.ORPHA, CodeSystem.OMIM, CodeSystem.SNOMED):
            raise ValidationError.single("system", "use ICD-10-CM, ORPHA, OMIM or SNOMED CT")
        problem = code_problem(self.system, self.code)
        if problem:
            raise ValidationError.single("code", problem)
        require_text("display", self.display)
        problem = iuis_category_problem(self.iuis_category) if self.iuis_category is not None else None
        if problem:
            raise ValidationError.single("iuis_category", problem)


@dataclass(frozen=True, slots=True, kw_only=True)
class Phenotype:
    """An HPO term observed in, or explicitly excluded from, the patient."""

    hpo_id: str
    label: str
    excluded: bool = False
    onset: date | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        problem = hpo_problem(self.hpo_id)
        if problem:
            raise ValidationError.single("hpo_id", problem)
        require_text("label", self.label)


class Relation(StrEnum):
    """A relative, with the side of the family where it matters for X-linked inheritance."""

    MOTHER = "mother"
    FATHER = "father"
    BROTHER = "brother"
    SISTER = "sister"
    SON = "son"
    DAUGHTER = "daughter"
    MATERNAL_UNCLE = "maternal_uncle"
    MATERNAL_AUNT = "maternal_aunt"
    PATERNAL_UNCLE = "paternal_uncle"
    PATERNAL_AUNT = "paternal_aunt"
    MATERNAL_GRANDFATHER = "maternal_grandfather"
    MATERNAL_GRANDMOTHER = "maternal_grandmother"
    PATERNAL_GRANDFATHER = "paternal_grandfather"
    PATERNAL_GRANDMOTHER = "paternal_grandmother"
    MATERNAL_COUSIN = "maternal_cousin"
    PATERNAL_COUSIN = "paternal_cousin"
    OTHER = "other"

    @property
    def first_degree(self) -> bool:
        """Parents, siblings and children."""
        return self in _FIRST_DEGREE

    @property
    def maternal(self) -> bool:
        """The mother or a relative on her side."""
        return self is Relation.MOTHER or self.value.startswith("maternal_")

    @property
    def label(self) -> str:
        """The relation in words."""
        return self.value.replace("_", " ").capitalize()


_FIRST_DEGREE = frozenset(
    {Relation.MOTHER, Relation.FATHER, Relation.BROTHER, Relation.SISTER, Relation.SON, Relation.DAUGHTER}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class FamilyHistoryEntry:
    """A condition in a relative.

    Attributes:
        relation: who.
        condition: the condition in words.
        code: its ICD-10-CM, ORPHA or OMIM code, when known.
        code_system: the system of ``code``.
        immunodeficiency: whether the condition is an immunodeficiency (or an early death
            from infection that suggests one).
    """

    relation: Relation
    condition: str
    immunodeficiency: bool = False
    code: str | None = None
    code_system: CodeSystem | None = None
    notes: str | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        require_text("condition", self.condition)
        if (self.code is None) != (self.code_system is None):
            raise ValidationError.single("code_system", "a code needs its code system, and the reverse")
        if self.code is not None and self.code_system is not None:
            problem = code_problem(self.code_system, self.code)
            if problem:
                raise ValidationError.single("code", problem)


class Zygosity(StrEnum):
    """How many copies of a variant the patient carries."""

    HETEROZYGOUS = "heterozygous"
    HOMOZYGOUS = "homozygous"
    COMPOUND_HETEROZYGOUS = "compound_heterozygous"
    HEMIZYGOUS = "hemizygous"


class AcmgClass(StrEnum):
    """ACMG/AMP 2015 variant classes."""

    PATHOGENIC = "pathogenic"
    LIKELY_PATHOGENIC = "likely_pathogenic"
    UNCERTAIN_SIGNIFICANCE = "uncertain_significance"
    LIKELY_BENIGN = "likely_benign"
    BENIGN = "benign"


@dataclass(frozen=True, slots=True, kw_only=True)
class GeneticFinding:
    """A variant reported by a genetics laboratory.

    Attributes:
        gene: the HGNC symbol.
        hgvs: the variant in HGVS notation, e.g. ``NM_000061.3:c.1564G>A``.
        zygosity: heterozygous, homozygous, compound heterozygous or hemizygous.
        acmg_class: the laboratory's ACMG class.
        protein_change: the predicted protein change, e.g. ``p.(Gly522Arg)``.
        reported_on: the report date.
        laboratory: the reporting laboratory.
    """

    gene: str
    hgvs: str
    zygosity: Zygosity
    acmg_class: AcmgClass
    protein_change: str | None = None
    reported_on: date | None = None
    laboratory: str | None = None
    notes: str | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        problem = hgnc_symbol_problem(self.gene)
        if problem:
            raise ValidationError.single("gene", problem)
        if not re.search(r"(^|:)[cgmnrp]\.", self.hgvs):
            raise ValidationError.single("hgvs", "an HGVS description looks like NM_000061.3:c.1564G>A")


class CareRole(StrEnum):
    """What a care-team member does for the patient."""

    IMMUNOLOGIST = "immunologist"
    PHYSICIAN = "physician"
    NURSE = "nurse"
    GENERAL_PRACTITIONER = "general_practitioner"
    PHARMACIST = "pharmacist"
    GENETICIST = "geneticist"
    PSYCHOLOGIST = "psychologist"
    SOCIAL_WORKER = "social_worker"
    OTHER = "other"


@dataclass(frozen=True, slots=True, kw_only=True)
class CareTeamMember:
    """A person who cares for the patient."""

    name: str
    role: CareRole
    organization: str | None = None
    contact: str | None = None
    since: date | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        require_text("name", self.name)

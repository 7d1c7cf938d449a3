"""Coded data read as infections and antimicrobial courses: which codes mean what.

Records that arrive coded (FHIR Conditions and MedicationRequests from an EHR, OMOP rows) carry
codes, not the record's infection sites. Which code means which kind of infection is knowledge,
so it lives here as data with its sources. Two item kinds live in ``data/coded_conditions/``:

- :class:`InfectionCodes`: the ICD-10-CM and SNOMED CT codes of one kind of infection, with the
  infection site, pathogen class and abscess flag an infection episode coded so gets.
- :class:`AntimicrobialCodes`: the ATC groups, RxNorm ingredients and generic names of drugs whose
  courses are antimicrobial courses given for an infection.

ICD-10-CM entries are categories or codes and match every code below them (``H66`` matches
``H66.90``; the most specific entry wins); SNOMED CT entries are concept ids and match exactly.
:class:`InfectionIndex` (built once, then asked per code), :func:`infection_for` and
:func:`is_antimicrobial` answer for one code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, field_validator, model_validator

from immunocare.domain import CodeSystem, InfectionSite, PathogenClass
from immunocare.domain.codes import code_problem
from immunocare.knowledge._base import KBItem, Topic

if TYPE_CHECKING:
    from immunocare.knowledge._kb import KnowledgeBase

__all__ = [
    "ORDER",
    "TOPIC",
    "AntimicrobialCodes",
    "CodedConditionItem",
    "InfectionCodes",
    "InfectionIndex",
    "checked_codes",
    "infection_for",
    "is_antimicrobial",
]

ORDER = 48


def checked_codes(system: CodeSystem, codes: tuple[str, ...]) -> tuple[str, ...]:
    """``codes`` if each is a well-formed ``system`` code, else ``ValueError`` naming the bad one."""
    for code in codes:
        problem = code_problem(system, code)
        if problem:
            raise ValueError(f"{code}: {problem}")
    return codes


class InfectionCodes(KBItem):
    """The codes of one kind of infection and the episode they make.

    Attributes:
        site: the infection site of an episode coded so.
        pathogen_class: the kind of organism the code names, when it names one.
        abscess: whether the code means an abscess.
        icd10cm: ICD-10-CM categories or codes (each covers the codes below it).
        snomed: SNOMED CT concept ids.
    """

    kind: Literal["infection_codes"]
    site: InfectionSite
    pathogen_class: PathogenClass = PathogenClass.UNKNOWN
    abscess: bool = False
    icd10cm: tuple[str, ...] = ()
    snomed: tuple[str, ...] = ()

    @field_validator("icd10cm")
    @classmethod
    def _icd10cm_codes(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        return checked_codes(CodeSystem.ICD10CM, codes)

    @field_validator("snomed")
    @classmethod
    def _snomed_codes(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        return checked_codes(CodeSystem.SNOMED, codes)

    @model_validator(mode="after")
    def _some_code(self) -> InfectionCodes:
        if not self.icd10cm and not self.snomed:
            raise ValueError("list ICD-10-CM or SNOMED CT codes")
        return self


class AntimicrobialCodes(KBItem):
    """Drugs whose courses count as antimicrobial courses for an infection.

    Attributes:
        atc_groups: ATC groups whose every drug belongs here (``J01`` covers ``J01CA04``).
        rxnorm: RxNorm ingredient concept ids.
        names: generic names, lowercase; a drug whose name or text contains one as a word belongs here.
    """

    kind: Literal["antimicrobials"]
    atc_groups: tuple[str, ...] = ()
    rxnorm: tuple[str, ...] = ()
    names: tuple[str, ...] = Field((), description="Generic names, lowercase.")

    @field_validator("atc_groups")
    @classmethod
    def _atc(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        return checked_codes(CodeSystem.ATC, codes)

    @field_validator("rxnorm")
    @classmethod
    def _rxnorm(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        return checked_codes(CodeSystem.RXNORM, codes)

    @field_validator("names")
    @classmethod
    def _lowercase(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        for name in names:
            if name != name.lower():
                raise ValueError(f"{name!r}: write generic names in lowercase")
        return names

    def covers(self, system: CodeSystem | None, code: str | None, text: str | None) -> bool:
        """Whether a drug coded (or only named) so belongs here."""
        if system is CodeSystem.ATC and code and code.startswith(self.atc_groups):
            return True
        if system is CodeSystem.RXNORM and code in self.rxnorm:
            return True
        words = set((text or "").lower().replace("/", " ").replace("-", " ").split())
        return any(name in words for name in self.names)


CodedConditionItem = Annotated[InfectionCodes | AntimicrobialCodes, Field(discriminator="kind")]


@dataclass(frozen=True)
class InfectionIndex:
    """Every infection code of the knowledge base, for lookups by code; build it once per use."""

    by_code: Mapping[tuple[CodeSystem, str], InfectionCodes]

    @classmethod
    def of(cls, kb: KnowledgeBase) -> InfectionIndex:
        """The index of a knowledge base's infection codes."""
        by_code: dict[tuple[CodeSystem, str], InfectionCodes] = {}
        for item in kb.of(InfectionCodes):
            by_code.update({(CodeSystem.ICD10CM, code): item for code in item.icd10cm})
            by_code.update({(CodeSystem.SNOMED, code): item for code in item.snomed})
        return cls(by_code)

    def find(self, system: CodeSystem, code: str) -> InfectionCodes | None:
        """The infection a code means: the entry for the code or, in ICD-10-CM, its nearest parent.

        >>> ear = InfectionCodes(kind="infection_codes", id="ear", title="Otitis", site="ear",
        ...                      icd10cm=("H66",), citations=({"source": "x", "where": "y"},), verified=True)
        >>> index = InfectionIndex({(CodeSystem.ICD10CM, "H66"): ear})
        >>> index.find(CodeSystem.ICD10CM, "H66.90").id, index.find(CodeSystem.ICD10CM, "H65.0")
        ('ear', None)
        """
        if system is not CodeSystem.ICD10CM:
            return self.by_code.get((system, code))
        parents = (code[:end] for end in range(len(code), 0, -1) if not code[:end].endswith("."))
        return next((found for p in parents if (found := self.by_code.get((system, p)))), None)


def infection_for(kb: KnowledgeBase, system: CodeSystem, code: str) -> InfectionCodes | None:
    """The infection a condition code means (the most specific entry), or ``None``."""
    return InfectionIndex.of(kb).find(system, code)


def is_antimicrobial(
    kb: KnowledgeBase, *, system: CodeSystem | None = None, code: str | None = None, text: str | None = None
) -> AntimicrobialCodes | None:
    """The antimicrobial group a drug coded (or named) so belongs to, or ``None``."""
    return next((item for item in kb.of(AntimicrobialCodes) if item.covers(system, code, text)), None)


def _cross_check(kb: KnowledgeBase) -> list[str]:
    owners: dict[tuple[str, str], str] = {}
    problems = []
    for item in kb.of(InfectionCodes):
        for system, codes in (("ICD-10-CM", item.icd10cm), ("SNOMED CT", item.snomed)):
            for code in codes:
                other = owners.setdefault((system, code), item.id)
                if other != item.id:
                    problems.append(f"{item.id}: {system} {code} is also listed by {other}")
    return problems


TOPIC = Topic(
    name="coded_conditions",
    title="Coded infections and antimicrobials",
    item_type=CodedConditionItem,
    cross_check=_cross_check,
)

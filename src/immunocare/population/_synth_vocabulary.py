"""The codes a synthetic population uses, taken from the loaded knowledge base, never re-typed.

Each simulated event kind (an ear infection, a course of azithromycin, an IgG measurement) is
looked up in the knowledge base by what it means: infection codes by site, pathogen class and
abscess flag; antibiotics by RxNorm ingredient; B-cell-depleting drugs by drug class; IgG by its
analyte; immunodeficiency diagnoses by their ICD-10-CM diagnosis codes. The synthetic vocabulary
gives each code a local OMOP concept id (OMOP keeps ids above 2,000,000,000 for site concepts), so
``concept`` and ``concept_ancestor`` hold exactly the concepts used and a screen that resolves the
knowledge base's codes through the vocabulary (vocabulary_id + concept_code) finds them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import pyarrow as pa

from immunocare.domain import InfectionSite, PathogenClass
from immunocare.errors import ConfigurationError
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.analytes import Analyte
from immunocare.knowledge.topics.case_finding import CaseFindingSign
from immunocare.knowledge.topics.coded_conditions import AntimicrobialCodes, InfectionCodes
from immunocare.knowledge.topics.ig_dosing import DiagnosisCodes
from immunocare.knowledge.topics.sid_drugs import DrugClass

__all__ = ["LOCAL_CONCEPTS_FROM", "Code", "Vocabulary"]

LOCAL_CONCEPTS_FROM = 2_000_000_001
"""The first local concept id; OMOP leaves ids above 2,000,000,000 to sites."""

_CLASSES = {
    "SNOMED": "Clinical Finding",
    "ICD10CM": "ICD10 code",
    "RxNorm": "Ingredient",
    "ATC": "ATC 5th",
    "LOINC": "Lab Test",
}


@dataclass(frozen=True)
class Code:
    """One coded event: its standard concept, its source concept and the source value.

    Attributes:
        concept_id: the standard concept (SNOMED, RxNorm, LOINC) or 0 when the KB has none.
        source_concept_id: the concept of the source code (ICD-10-CM, ATC, LOINC).
        source_value: the code as a source system writes it (``H66``, ``2465-3``, ``rituximab``).
    """

    concept_id: int
    source_concept_id: int
    source_value: str


@dataclass
class Vocabulary:
    """The local concepts handed out so far, written as ``concept`` and ``concept_ancestor``."""

    kb: KnowledgeBase
    rows: list[dict[str, object]] = field(default_factory=list)
    _ids: dict[tuple[str, str], int] = field(default_factory=dict)

    def concept(self, vocabulary: str, code: str, name: str, domain: str, *, standard: str | None) -> int:
        """The local concept id of ``vocabulary`` ``code``, added on first use.

        ``standard`` is OMOP's flag: ``S`` standard, ``C`` classification (ATC), ``None`` source only.
        """
        key = (vocabulary, code)
        if key not in self._ids:
            self._ids[key] = LOCAL_CONCEPTS_FROM + len(self.rows)
            self.rows.append(
                {
                    "concept_id": self._ids[key],
                    "concept_name": name,
                    "domain_id": domain,
                    "vocabulary_id": vocabulary,
                    "concept_class_id": _CLASSES[vocabulary],
                    "standard_concept": standard,
                    "concept_code": code,
                }
            )
        return self._ids[key]

    def infection(
        self, site: InfectionSite, pathogen: PathogenClass | None = None, *, abscess: bool = False
    ) -> Code:
        """The first ICD-10-CM and SNOMED CT codes of the KB's infections of that kind."""

        def fits(item: InfectionCodes) -> bool:
            same_pathogen = pathogen is None or item.pathogen_class is pathogen
            return item.site is site and same_pathogen and item.abscess is abscess

        items = [item for item in self.kb.of(InfectionCodes) if fits(item)]
        icd = next(((i.icd10cm[0], i.title) for i in items if i.icd10cm), None)
        snomed = next(((i.snomed[0], i.title) for i in items if i.snomed), None)
        if icd is None and snomed is None:
            raise _missing(f"infection codes for site {site.value} ({pathogen}, abscess={abscess})")
        standard = self.concept("SNOMED", *snomed, "Condition", standard="S") if snomed else 0
        if icd is None:
            return Code(standard, standard, snomed[0] if snomed else "")
        source = self.concept("ICD10CM", *icd, "Condition", standard=None)
        return Code(standard, source, icd[0])

    def diagnosis(self, diagnosis: str) -> Code:
        """An immunodeficiency diagnosis by its KB diagnosis id (``cvid``), ICD-10-CM coded."""
        item = _first(
            self.kb.of(DiagnosisCodes), lambda i: i.diagnosis == diagnosis, f"diagnosis {diagnosis}"
        )
        source = self.concept("ICD10CM", item.icd10_prefixes[0], item.title, "Condition", standard=None)
        return Code(0, source, item.icd10_prefixes[0])

    def sign_code(self, sign_id: str) -> Code:
        """The first ICD-10-CM code of a case-finding sign's concepts (``cf_children_failure_to_thrive``)."""
        item = _first(self.kb.of(CaseFindingSign), lambda i: i.id == sign_id, f"case-finding sign {sign_id}")
        if not item.concepts.icd10cm:
            raise _missing(f"an ICD-10-CM code of {sign_id}")
        code = item.concepts.icd10cm[0]
        return Code(0, self.concept("ICD10CM", code, item.title, "Condition", standard=None), code)

    def antibiotic(self, name: str) -> Code:
        """An antibacterial by generic name, with its RxNorm ingredient when the KB pairs them."""
        item = _first(
            self.kb.of(AntimicrobialCodes), lambda i: name in i.names and bool(i.rxnorm), f"antibiotic {name}"
        )
        rxnorm = item.rxnorm[item.names.index(name)] if len(item.rxnorm) == len(item.names) else None
        if rxnorm is None:
            raise _missing(f"the RxNorm ingredient of {name}")
        concept = self.concept("RxNorm", rxnorm, name, "Drug", standard="S")
        return Code(concept, concept, name)

    def drug_of_class(self, class_id: str, name: str) -> Code:
        """A drug of a KB drug class (``sid_anti_cd20``, ``rituximab``), ATC coded."""
        item = _first(self.kb.of(DrugClass), lambda i: i.id == class_id, f"drug class {class_id}")
        member = _first(item.members, lambda m: m.name == name, f"{name} in {class_id}")
        concept = self.concept("ATC", member.atc[0], name, "Drug", standard="C")
        return Code(concept, concept, name)

    def analyte(self, analyte_id: str) -> Code:
        """A laboratory analyte by KB id (``igg``) and its first LOINC code."""
        item = _first(self.kb.of(Analyte), lambda i: i.id == analyte_id, f"analyte {analyte_id}")
        concept = self.concept("LOINC", item.loinc[0], item.title, "Measurement", standard="S")
        return Code(concept, concept, item.loinc[0])

    def tables(self) -> dict[str, pa.Table]:
        """``concept`` and ``concept_ancestor`` (each standard or ATC concept its own ancestor)."""
        concept = pa.Table.from_pylist(self.rows)
        standard = [row["concept_id"] for row in self.rows if row["standard_concept"] is not None]
        ancestor = pa.table(
            {
                "ancestor_concept_id": pa.array(standard, pa.int64()),
                "descendant_concept_id": pa.array(standard, pa.int64()),
                "min_levels_of_separation": pa.array([0] * len(standard), pa.int64()),
                "max_levels_of_separation": pa.array([0] * len(standard), pa.int64()),
            }
        )
        return {"concept": concept, "concept_ancestor": ancestor}


T = TypeVar("T")


def _first(items: Sequence[T], fits: Callable[[T], bool], what: str) -> T:
    found = next((item for item in items if fits(item)), None)
    if found is None:
        raise _missing(what)
    return found


def _missing(what: str) -> ConfigurationError:
    return ConfigurationError(f"the knowledge base has no {what}, which the synthetic population uses")

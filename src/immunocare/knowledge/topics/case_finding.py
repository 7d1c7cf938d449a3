"""Case-finding over coded populations (OMOP CDM): the warning signs as concept sets and counts.

The population screen (:mod:`immunocare.population`) reads coded rows, not patient records, so each
warning sign it can check is restated here over codes, without re-typing the sign: an item names
the warning sign and the criterion leaf of that sign whose count and window it applies, and which
code lists (``coded_conditions`` items) it counts. Four item kinds live in ``data/case_finding/``:

- :class:`CaseFindingList`: a warning-sign list the screen uses; its ``signs_to_suspect`` is the
  referral threshold of the score.
- :class:`CaseFindingSign`: one warning sign over coded data: what it counts (condition episodes,
  antibiotic days, intravenous antibiotic courses), through which code lists and OMOP concepts, and
  the weight it adds to the score, with the rationale.
- :class:`SurveillanceGap`: an exposure (a B-cell-depleting drug, CAR-T, a CLL or myeloma
  diagnosis) after which IgG should have been measured; persons exposed and never measured are
  listed.
- :class:`CodedImmunodeficiency`: codes of an immunodeficiency already diagnosed; those persons are
  listed apart and not ranked.

ICD-10-CM codes are matched as prefixes of ``*_source_value`` with the dots removed on both sides;
OMOP concept ids are matched with their descendants when the source has ``concept_ancestor``;
vocabulary codes (SNOMED CT, LOINC, ATC, RxNorm) are turned into concept ids through ``concept``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, field_validator, model_validator

from immunocare.domain import CodeSystem
from immunocare.domain.codes import loinc_problem
from immunocare.knowledge._base import KBItem, KBModel, Topic

from ._criteria import AgeRange, AntibioticDays, InfectionCount, PhenotypeTerm, leaves
from .analytes import Analyte
from .coded_conditions import AntimicrobialCodes, InfectionCodes, checked_codes
from .sid_drugs import DrugClass
from .warning_signs import WarningSign, WarningSignList

if TYPE_CHECKING:
    from immunocare.knowledge._kb import KnowledgeBase

__all__ = [
    "ORDER",
    "TOPIC",
    "CaseFindingItem",
    "CaseFindingList",
    "CaseFindingSign",
    "CodedImmunodeficiency",
    "ConceptSet",
    "Measure",
    "SurveillanceGap",
    "counts_conditions",
    "icd10_key",
    "sign_criterion",
]

ORDER = 52

Measure = Literal["condition_episodes", "condition_present", "antibiotic_days", "iv_antibiotic_courses"]
"""What a sign counts: distinct condition dates (of infections, or of a coded phenotype that one
record shows), days on antibiotics, or IV antibiotic start dates."""


def counts_conditions(measure: Measure) -> bool:
    """Whether the measure counts condition rows (the others count drug exposures)."""
    return measure in ("condition_episodes", "condition_present")


def icd10_key(code: str) -> str:
    """An ICD-10-CM code as it is matched: upper case, no dot, no spaces.

    >>> icd10_key(" h66.90 ")
    'H6690'
    """
    return code.strip().upper().replace(".", "")


class ConceptSet(KBModel):
    """Codes that select rows: OMOP concept ids (with descendants) and ICD-10-CM source prefixes.

    Attributes:
        omop: OMOP standard concept ids; their descendants count too when ``concept_ancestor`` is there.
        icd10cm: ICD-10-CM categories or codes, matched as prefixes of the source value.
        snomed: SNOMED CT codes, turned into concept ids through the ``concept`` table.
        loinc: LOINC codes, matched on the source value and through the ``concept`` table.
    """

    omop: tuple[int, ...] = Field((), description="OMOP standard concept ids.")
    icd10cm: tuple[str, ...] = ()
    snomed: tuple[str, ...] = ()
    loinc: tuple[str, ...] = ()

    @field_validator("omop")
    @classmethod
    def _positive(cls, ids: tuple[int, ...]) -> tuple[int, ...]:
        if any(concept <= 0 for concept in ids):
            raise ValueError("OMOP concept ids are positive (0 means 'no matching concept')")
        return ids

    @field_validator("icd10cm")
    @classmethod
    def _icd10cm(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        return checked_codes(CodeSystem.ICD10CM, codes)

    @field_validator("snomed")
    @classmethod
    def _snomed(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        return checked_codes(CodeSystem.SNOMED, codes)

    @field_validator("loinc")
    @classmethod
    def _loinc(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        for code in codes:
            problem = loinc_problem(code)
            if problem:
                raise ValueError(f"{code}: {problem}")
        return codes


class CaseFindingList(KBItem):
    """A warning-sign list the screen applies, to the persons of its population.

    The score's referral threshold is the list's ``signs_to_suspect`` (with every weight 1, the
    number of signs met): the only threshold the warning-sign source supports.
    """

    kind: Literal["case_finding_list"]
    sign_list: str = Field(description="The id of the WarningSignList.")
    threshold_rationale: str = Field(min_length=1, description="Why the threshold is the list's own.")


class CaseFindingSign(KBItem):
    """One warning sign restated over coded rows.

    Attributes:
        sign: the id of the WarningSign this item expresses.
        criterion: the id of the leaf of that sign's criterion whose count, window and span apply.
        measure: what is counted.
        infection_codes: InfectionCodes ids whose codes count; empty: every InfectionCodes item
            whose site, pathogen class and abscess flag match the leaf's filters.
        antimicrobials: AntimicrobialCodes ids, for the antibiotic measures.
        concepts: OMOP concepts (and further codes) counted beside those code lists.
        iv_routes: ``route_concept_id`` values that mean intravenous, for ``iv_antibiotic_courses``.
        weight: what a met sign adds to the score.
        weight_rationale: why the weight is what it is.
    """

    kind: Literal["case_finding_sign"]
    sign: str
    criterion: str
    measure: Measure
    infection_codes: tuple[str, ...] = ()
    antimicrobials: tuple[str, ...] = ()
    concepts: ConceptSet = ConceptSet()
    iv_routes: tuple[int, ...] = ()
    weight: float = Field(gt=0)
    weight_rationale: str = Field(min_length=1)

    @model_validator(mode="after")
    def _measure_inputs(self) -> CaseFindingSign:
        drugs = not counts_conditions(self.measure)
        if drugs and self.infection_codes:
            raise ValueError(f"{self.measure} counts drugs: give antimicrobials, not infection_codes")
        if not drugs and self.antimicrobials:
            raise ValueError(f"{self.measure} counts conditions: give infection_codes, not antimicrobials")
        if self.measure == "condition_present" and (self.infection_codes or self.concepts == ConceptSet()):
            raise ValueError(
                "condition_present counts the codes of its concepts: give them, not infection_codes"
            )
        if (self.measure == "iv_antibiotic_courses") != bool(self.iv_routes):
            raise ValueError("iv_routes are needed by, and only by, iv_antibiotic_courses")
        return self


class SurveillanceGap(KBItem):
    """An exposure after which IgG should be measured; exposed persons never measured are listed.

    Attributes:
        exposure: the exposure in words, as the list shows it.
        drug_classes: sid_drugs classes whose drugs make the exposure, matched by the classes' own
            ATC codes and groups (through ``concept``) and by their members' ATC codes, names and
            synonyms in ``drug_source_value``.
        drugs: further OMOP drug concepts (ingredients, with descendants), for a source whose
            ``concept`` table lacks the ATC vocabulary.
        diagnoses: condition codes that make the exposure.
        measurement_analytes: analytes (topic analytes) whose LOINC codes count as a measurement.
        measurements: further measurement concepts that count.
    """

    kind: Literal["surveillance_gap"]
    exposure: str = Field(min_length=1)
    drug_classes: tuple[str, ...] = ()
    drugs: ConceptSet = ConceptSet()
    diagnoses: ConceptSet = ConceptSet()
    measurement_analytes: tuple[str, ...] = Field(min_length=1)
    measurements: ConceptSet = ConceptSet()

    @model_validator(mode="after")
    def _some_exposure(self) -> SurveillanceGap:
        if not (self.drug_classes or self.drugs.omop or self.diagnoses.omop or self.diagnoses.icd10cm):
            raise ValueError("give the drug classes, the drugs or the diagnoses that make the exposure")
        return self


class CodedImmunodeficiency(KBItem):
    """Codes of an immunodeficiency already diagnosed: such persons are listed apart, not ranked."""

    kind: Literal["coded_immunodeficiency"]
    codes: ConceptSet


CaseFindingItem = Annotated[
    CaseFindingList | CaseFindingSign | SurveillanceGap | CodedImmunodeficiency, Field(discriminator="kind")
]


def sign_criterion(
    kb: KnowledgeBase, item: CaseFindingSign
) -> InfectionCount | AntibioticDays | PhenotypeTerm:
    """The criterion leaf of the warning sign whose count and window (or phenotype) the item applies."""
    sign = kb.get(item.sign)
    if not isinstance(sign, WarningSign):
        raise ValueError(f"{item.id}: {item.sign!r} is not a warning sign")
    found = next((leaf for leaf in leaves(sign.criterion) if leaf.id == item.criterion), None)
    if not isinstance(found, InfectionCount | AntibioticDays | PhenotypeTerm):
        raise ValueError(f"{item.id}: {item.sign} has no count or phenotype leaf {item.criterion!r}")
    return found


def _sign_problems(kb: KnowledgeBase, item: CaseFindingSign) -> list[str]:
    try:
        leaf = sign_criterion(kb, item)
    except ValueError as error:
        return [str(error)]
    iv_leaf = isinstance(leaf, InfectionCount) and bool(leaf.iv_antibiotics)
    fits = {
        "antibiotic_days": isinstance(leaf, AntibioticDays),
        "iv_antibiotic_courses": iv_leaf,
        "condition_episodes": isinstance(leaf, InfectionCount) and not iv_leaf,
        "condition_present": isinstance(leaf, PhenotypeTerm) and leaf.state == "observed",
    }
    if isinstance(leaf, AntibioticDays) and leaf.window is not None:
        return [f"{item.id}: antibiotic days within a window ({leaf.id}) are not counted over coded data"]
    problems = (
        [] if fits[item.measure] else [f"{item.id}: measure {item.measure} does not fit leaf {leaf.id}"]
    )
    infections = {code.id for code in kb.of(InfectionCodes)}
    drugs = {code.id for code in kb.of(AntimicrobialCodes)}
    problems += [
        f"{item.id}: unknown infection codes {c!r}" for c in item.infection_codes if c not in infections
    ]
    problems += [f"{item.id}: unknown antimicrobials {c!r}" for c in item.antimicrobials if c not in drugs]
    return problems


def _gap_problems(kb: KnowledgeBase, item: SurveillanceGap) -> list[str]:
    classes = {drug.id for drug in kb.of(DrugClass)}
    analytes = {analyte.id: analyte for analyte in kb.of(Analyte)}
    problems = [f"{item.id}: unknown drug class {c!r}" for c in item.drug_classes if c not in classes]
    for analyte in item.measurement_analytes:
        if analyte not in analytes:
            problems.append(f"{item.id}: unknown analyte {analyte!r}")
        elif not analytes[analyte].loinc:
            problems.append(f"{item.id}: analyte {analyte!r} has no LOINC code")
    return problems


def _apart(first: AgeRange, then: AgeRange) -> bool:
    """Whether every age of ``first`` is below every age of ``then``."""
    if first.max is None or then.min is None:
        return False
    return first.max == then.min or first.max.always_shorter_than(then.min)


def _cross_check(kb: KnowledgeBase) -> list[str]:
    lists = {item.id: item for item in kb.of(WarningSignList)}
    used = [item.sign_list for item in kb.of(CaseFindingList)]
    problems = [f"case-finding list: unknown sign list {name!r}" for name in used if name not in lists]
    thresholds = {lists[name].signs_to_suspect for name in used if name in lists}
    if len(thresholds) > 1:
        problems.append(f"case-finding lists differ in threshold {sorted(thresholds)}; the screen has one")
    known = [lists[name] for name in dict.fromkeys(used) if name in lists]
    problems += [
        f"case-finding lists {a.id} and {b.id} overlap in age; the screen gives each person one list"
        for i, a in enumerate(known)
        for b in known[i + 1 :]
        if not (_apart(a.population, b.population) or _apart(b.population, a.population))
    ]
    warnings = {sign.id: sign for sign in kb.of(WarningSign)}
    for sign in kb.of(CaseFindingSign):
        problems += _sign_problems(kb, sign)
        warning = warnings.get(sign.sign)
        if warning is not None and warning.sign_list not in used:
            problems.append(f"{sign.id}: its list {warning.sign_list} is not a case-finding list")
    for gap in kb.of(SurveillanceGap):
        problems += _gap_problems(kb, gap)
    return problems


TOPIC = Topic(
    name="case_finding",
    title="Case-finding over coded populations (OMOP CDM)",
    item_type=CaseFindingItem,
    cross_check=_cross_check,
)

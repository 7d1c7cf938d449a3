"""Builders of ESID classification cases: the record items the definitions read, and the case around them.

Every item carries an id, so a test can check that a finding names the items it rests on. Tests
without a LOINC code in the knowledge base (T-cell proliferation, the respiratory burst, the
polysaccharide response) are recorded the way a clinician can record them today: as HPO phenotypes,
observed for an abnormal outcome, excluded for a normal one (``referral/tests.yaml`` ``phenotypes``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import count
from typing import Any

from immunocare.clinical.criteria import Evaluation
from immunocare.domain import (
    ITEM_TYPES,
    AcmgClass,
    Finding,
    GeneticFinding,
    InfectionEpisode,
    InfectionSite,
    LabResult,
    Medication,
    PathogenClass,
    PatientRecord,
    Phenotype,
    Quantity,
    RecordItem,
    Severity,
    Sex,
    Vaccination,
    Zygosity,
)
from immunocare.knowledge import KnowledgeBase
from tests.factories import make_patient

from .builders import episode, lab

__all__ = [
    "AS_OF",
    "LAB_DAY",
    "SCHOOL_CHILD",
    "TD_DAY",
    "T_CELLS_NORMAL",
    "Case",
    "Roles",
    "Value",
    "agammaglobulinaemia",
    "antibody_workup",
    "atypical_scid",
    "cgd",
    "cid",
    "csr_higm",
    "cvid",
    "digeorge",
    "evaluate",
    "find",
    "hies",
    "hiv_test",
    "iga_with_igg_subclass_deficiency",
    "infection",
    "isolated_igg_subclass_deficiency",
    "label",
    "phenotype",
    "proliferation",
    "results",
    "rituximab",
    "scid",
    "selective_iga_deficiency",
    "specific_antibody_deficiency",
    "t_cells",
    "td_challenge",
    "unclassified_antibody_deficiency",
    "variant",
    "wiskott_aldrich",
]

AS_OF = date(2026, 6, 30)
"""The day every case is evaluated on, unless it says otherwise."""

LAB_DAY = date(2026, 3, 2)
"""The day of the work-up's first samples."""

Value = float | Quantity
"""A result: a number in the analyte's own unit, or a quantity in any unit."""

Roles = dict[str, tuple[RecordItem, ...]]
"""Record items by the part they play in a case ("igg", "cd4", "hiv" …)."""

_ids = count(1_000_000)
_FIELDS = {item_type: kind.value for kind, item_type in ITEM_TYPES.items()}
_GROUP_KINDS = frozenset({"all_of", "any_of", "at_least", "not"})
_HIV_LOINC = "56888-1"
_TD_CVX = "139"
_DRAWN_AFTER = timedelta(days=30)
_REPEAT_AFTER = timedelta(days=30)
_PROLIFERATION = ("HP:0031381", "Decreased mitogen-induced T-cell proliferation")


@dataclass(frozen=True)
class Case:
    """A patient's record on the evaluation day, and the items a met finding must name.

    Attributes:
        birth: the birth date.
        roles: the record items by the part they play.
        shown: the roles whose items the definition's evidence must name when it is met.
        sex: the patient's sex.
        as_of: the evaluation day.
    """

    birth: date
    roles: Roles
    shown: tuple[str, ...] = ()
    sex: Sex = Sex.MALE
    as_of: date = AS_OF

    @property
    def record(self) -> PatientRecord:
        """The record holding every item of every role, each in its section."""
        sections: dict[str, list[Any]] = {}
        for items in self.roles.values():
            for item in items:
                sections.setdefault(_FIELDS[type(item)], []).append(item)
        patient = make_patient(birth_date=self.birth, sex=self.sex, id=1)
        return PatientRecord(patient=patient, **{name: tuple(items) for name, items in sections.items()})

    @property
    def shown_ids(self) -> set[int | None]:
        """The ids of the items the evidence must name."""
        return {item.id for role in self.shown for item in self.roles[role]}


def evaluate(kb: KnowledgeBase, case: Case, rule_id: str) -> Finding:
    """The finding of a rule for the case's patient on its evaluation day."""
    return Evaluation(case.record, kb, case.as_of).rule(rule_id)


def label(finding: Finding) -> str:
    """A criterion's name: its id, or its text when the group has no id."""
    return finding.title if finding.rule_id in _GROUP_KINDS else finding.rule_id


def find(finding: Finding, name: str) -> Finding:
    """The one criterion under ``finding`` named ``name`` (by id, or by text for a group without one)."""
    found = [part for part in finding.walk() if label(part) == name]
    assert len(found) == 1, f"{len(found)} criteria named {name!r}"
    return found[0]


def results(
    kb: KnowledgeBase, analyte: str, values: Sequence[Value] | None, first: date = LAB_DAY
) -> tuple[LabResult, ...]:
    """Results of one analyte a month apart from ``first``; ``None`` is "not measured"."""
    found = []
    for index, value in enumerate(values or ()):
        number, unit = (value.value, value.unit) if isinstance(value, Quantity) else (value, None)
        found.append(lab(kb, analyte, number, first + index * _REPEAT_AFTER, unit))
    return tuple(found)


def t_cells(
    kb: KnowledgeBase, day: date, *, cd3: Value | None, cd4: Value | None, cd8: Value | None
) -> Roles:
    """CD3, CD4 and CD8 T-cell counts of one sample (×10⁹/L unless given), each its own role."""
    counts = {"cd3": cd3, "cd4": cd4, "cd8": cd8}
    return {
        name: results(kb, f"{name}_abs", None if value is None else (value,), day)
        for name, value in counts.items()
    }


def hiv_test(day: date, text: str | None = "negative") -> tuple[LabResult, ...]:
    """A fourth-generation HIV screen reported in words; ``None`` is "not tested"."""
    if text is None:
        return ()
    result = LabResult(
        loinc=_HIV_LOINC,
        analyte="HIV 1+2 Ab + HIV1 p24 Ag",
        collected_at=datetime(day.year, day.month, day.day, 9, tzinfo=UTC),
        value_text=text,
        id=next(_ids),
    )
    return (result,)


def td_challenge(
    kb: KnowledgeBase, given_on: date, tetanus: float | None, diphtheria: float | None = None
) -> tuple[Vaccination | LabResult, ...]:
    """A Td booster and the antitoxin levels (IU/mL) measured 30 days later; ``None`` is "not measured"."""
    levels = {"tetanus_igg": tetanus, "diphtheria_igg": diphtheria}
    drawn = [
        lab(kb, analyte, value, given_on + _DRAWN_AFTER)
        for analyte, value in levels.items()
        if value is not None
    ]
    if not drawn:
        return ()
    return Vaccination(cvx=_TD_CVX, vaccine="Td (adult)", given_on=given_on, id=next(_ids)), *drawn


def phenotype(hpo: str, name: str, *, excluded: bool = False, onset: date | None = None) -> Phenotype:
    """An HPO term recorded as observed (or, with ``excluded``, as looked for and absent)."""
    return Phenotype(hpo_id=hpo, label=name, excluded=excluded, onset=onset, id=next(_ids))


def proliferation(decreased: bool | None, on: date = LAB_DAY) -> tuple[Phenotype, ...]:
    """The outcome of a T-cell proliferation assay as its HPO term; ``None`` is "not done"."""
    if decreased is None:
        return ()
    return (phenotype(*_PROLIFERATION, excluded=not decreased, onset=on),)


def infection(onset: date, site: InfectionSite, **overrides: Any) -> InfectionEpisode:
    """A bacterial infection episode, severe unless told otherwise."""
    fields: dict[str, Any] = {"pathogen_class": PathogenClass.BACTERIAL, "severity": Severity.SEVERE}
    return episode(onset, site, **(fields | overrides))


def variant(gene: str, hgvs: str, acmg: AcmgClass, reported_on: date) -> GeneticFinding:
    """A homozygous variant as the genetics laboratory reported it."""
    return GeneticFinding(
        gene=gene,
        hgvs=hgvs,
        zygosity=Zygosity.HOMOZYGOUS,
        acmg_class=acmg,
        reported_on=reported_on,
        id=next(_ids),
    )


def rituximab(start: date) -> Medication:
    """Rituximab, an anti-CD20 antibody that lowers immunoglobulins."""
    return Medication(name="rituximab", start=start, id=next(_ids))


# ---- One patient per definition, meeting it; keyword arguments change what a test is about. ----

SCHOOL_CHILD = date(2016, 1, 15)
"""A child of ten at the work-up."""

TD_DAY = date(2026, 4, 15)
"""The day of the diagnostic Td booster."""

T_CELLS_NORMAL = ("cd3", "cd4", "cd8", "proliferation")
"""The roles of a normal T-cell work-up (counts and proliferation)."""


def _recurrent(hpo: str = "HP:0002205", name: str = "Recurrent respiratory infections") -> tuple[Phenotype]:
    return (phenotype(hpo, name, onset=date(2023, 1, 1)),)


def _once(value: Value | None) -> tuple[Value, ...] | None:
    return None if value is None else (value,)


def agammaglobulinaemia(
    kb: KnowledgeBase,
    *,
    born: date = date(2024, 3, 1),
    cd19_pct: Value | None = 0.5,
    igg: Value = 1.0,
    iga: Value | None = None,
    igm: Value | None = None,
) -> Case:
    """A boy of two: pneumonia at 8 months, 0.5 % B cells, normal T cells, IgG 1.0 g/L."""
    roles: Roles = {
        "infection": (infection(born + timedelta(days=240), InfectionSite.LUNG),),
        "cd19": results(kb, "cd19_pct", _once(cd19_pct)),
        **t_cells(kb, LAB_DAY, cd3=3.0, cd4=2.0, cd8=1.0),
        "igg": results(kb, "igg", (igg,)),
        "iga": results(kb, "iga", _once(iga)),
        "igm": results(kb, "igm", _once(igm)),
    }
    return Case(born, roles, ("cd19", "cd3", "cd4", "cd8", "igg"))


def cvid(
    kb: KnowledgeBase,
    *,
    born: date = date(1990, 5, 1),
    igg: Sequence[Value] = (2.5, 2.4),
    iga: Sequence[Value] = (0.05, 0.05),
    cd4: Value = 0.6,
    tetanus: float = 0.05,
    diphtheria: float | None = None,
) -> Case:
    """A woman of 36: recurrent chest infections, low IgG and IgA twice, no tetanus protection."""
    roles: Roles = {
        "presentation": _recurrent(),
        "igg": results(kb, "igg", igg),
        "iga": results(kb, "iga", iga),
        "tetanus": td_challenge(kb, TD_DAY, tetanus, diphtheria),
        "hiv": hiv_test(LAB_DAY),
        **t_cells(kb, LAB_DAY, cd3=None, cd4=cd4, cd8=None),
        "proliferation": proliferation(decreased=False),
    }
    shown = ("presentation", "igg", "iga", "tetanus", "cd4", "proliferation")
    return Case(born, roles, shown, sex=Sex.FEMALE)


def csr_higm(kb: KnowledgeBase, *, igm: Sequence[Value] | None = (3.0, 3.2)) -> Case:
    """A boy of eight: recurrent infections, low IgG and high IgM twice, normal T cells."""
    roles: Roles = {
        "presentation": _recurrent(),
        "igg": results(kb, "igg", (2.0, 2.1)),
        "igm": results(kb, "igm", igm),
        "hiv": hiv_test(LAB_DAY),
        **t_cells(kb, LAB_DAY, cd3=None, cd4=0.9, cd8=None),
        "proliferation": proliferation(decreased=False),
    }
    return Case(date(2018, 1, 15), roles, ("presentation", "igg", "igm", "cd4", "proliferation"))


def antibody_workup(
    kb: KnowledgeBase,
    *,
    shown: tuple[str, ...] = (),
    born: date = SCHOOL_CHILD,
    igg: Sequence[Value] = (9.0,),
    iga: Sequence[Value] = (1.0,),
    igm: Sequence[Value] = (1.0,),
    subclasses: Sequence[Sequence[Value] | None] = ((6.0,), (2.0,), (0.5,), (0.3,)),
    tetanus: float | None = 1.5,
    polysaccharide: str | None = None,
    hiv: str | None = "negative",
    ige: Value | None = None,
    extra: tuple[RecordItem, ...] = (),
) -> Case:
    """A girl with recurrent bacterial infections and a full antibody work-up, normal unless changed.

    ``subclasses`` are IgG1 to IgG4; ``polysaccharide`` is ``severely_reduced`` or ``normal``
    (the HPO term for an absent pneumococcal polysaccharide response, observed or excluded).
    """
    severe = (
        "Complete or near-complete absence of specific antibody response to unconjugated pneumococcus vaccine"
    )
    roles: Roles = {
        "presentation": _recurrent("HP:0002718", "Recurrent bacterial infections"),
        "igg": results(kb, "igg", igg),
        "iga": results(kb, "iga", iga),
        "igm": results(kb, "igm", igm),
        **{f"igg{n}": results(kb, f"igg{n}", values) for n, values in enumerate(subclasses, start=1)},
        "tetanus": td_challenge(kb, TD_DAY, tetanus),
        "polysaccharide": ()
        if polysaccharide is None
        else (phenotype("HP:0410300", severe, excluded=polysaccharide == "normal", onset=TD_DAY),),
        "hiv": hiv_test(LAB_DAY, hiv),
        "ige": results(kb, "ige", _once(ige)),
        **t_cells(kb, LAB_DAY, cd3=1.8, cd4=0.9, cd8=0.6),
        "proliferation": proliferation(decreased=False),
        "extra": extra,
    }
    return Case(born, roles, shown, sex=Sex.FEMALE)


def selective_iga_deficiency(kb: KnowledgeBase, **change: Any) -> Case:
    """IgA 0.04 g/L, IgG and IgM normal, protected after Td, normal T cells."""
    met: dict[str, Any] = {
        "iga": (0.04,),
        "shown": ("presentation", "iga", "igg", "igm", "tetanus", *T_CELLS_NORMAL),
    }
    return antibody_workup(kb, **(met | change))


def iga_with_igg_subclass_deficiency(kb: KnowledgeBase, **change: Any) -> Case:
    """As selective IgA deficiency, with IgG2 0.3 g/L."""
    shown = ("presentation", "iga", "igg", "igm", "igg2", "tetanus", *T_CELLS_NORMAL)
    met: dict[str, Any] = {"iga": (0.04,), "subclasses": ((6.0,), (0.3,), (0.5,), (0.3,)), "shown": shown}
    return antibody_workup(kb, **(met | change))


def isolated_igg_subclass_deficiency(kb: KnowledgeBase, **change: Any) -> Case:
    """IgG, IgA and IgM normal, IgG2 low on two days, protected after Td."""
    shown = ("presentation", "igg", "iga", "igm", "igg2", "tetanus", *T_CELLS_NORMAL)
    met: dict[str, Any] = {"subclasses": (None, (0.3, 0.35), None, None), "shown": shown}
    return antibody_workup(kb, **(met | change))


def specific_antibody_deficiency(kb: KnowledgeBase, **change: Any) -> Case:
    """Immunoglobulins and subclasses normal; no response to the pneumococcal polysaccharide vaccine."""
    shown = ("presentation", "igg", "iga", "igm", "igg1", "igg2", "igg3", "igg4", "polysaccharide")
    met: dict[str, Any] = {"polysaccharide": "severely_reduced", "shown": (*shown, *T_CELLS_NORMAL)}
    return antibody_workup(kb, **(met | change))


def unclassified_antibody_deficiency(kb: KnowledgeBase, **change: Any) -> Case:
    """IgM 0.2 g/L alone, IgE normal, a gene panel with one variant of uncertain significance."""
    panel = variant("TNFRSF13B", "NM_012452.3:c.310T>C", AcmgClass.UNCERTAIN_SIGNIFICANCE, date(2026, 4, 1))
    met: dict[str, Any] = {"igm": (0.2,), "ige": 50.0, "extra": (panel,), "shown": ("igm", *T_CELLS_NORMAL)}
    return antibody_workup(kb, **(met | change))


def scid(
    kb: KnowledgeBase,
    *,
    born: date = date(2026, 1, 10),
    onset: date = date(2026, 4, 1),
    hiv: str | None = "negative",
) -> Case:
    """A boy with a severe bacterial pneumonia before 3 months, CD3 0.2 × 10⁹/L, decreased proliferation."""
    day = onset + timedelta(days=20)
    roles: Roles = {
        "infection": (infection(onset, InfectionSite.LUNG),),
        "hiv": hiv_test(day, hiv),
        **t_cells(kb, day, cd3=0.2, cd4=None, cd8=None),
        "proliferation": proliferation(decreased=True, on=day),
    }
    return Case(born, roles, ("infection", "hiv", "cd3", "proliferation"))


def atypical_scid(kb: KnowledgeBase, *, cd3: Value | None = 0.4) -> Case:
    """A girl of four with a pathogenic RAG1 variant and 400 T cells/µL."""
    rag1 = variant("RAG1", "NM_000448.3:c.256_257del", AcmgClass.PATHOGENIC, date(2025, 9, 1))
    roles = {"variant": (rag1,), **t_cells(kb, LAB_DAY, cd3=cd3, cd4=None, cd8=None)}
    return Case(date(2022, 5, 1), roles, ("variant", "cd3"), sex=Sex.FEMALE)


def cid(kb: KnowledgeBase, *, hospitalised: bool = True, cd3: Value = 1.6) -> Case:
    """A boy of five: pneumonia in hospital, CD3 1.6 and CD4 0.4 × 10⁹/L, decreased proliferation."""
    roles: Roles = {
        "infection": (infection(date(2025, 10, 5), InfectionSite.LUNG, hospitalised=hospitalised),),
        **t_cells(kb, LAB_DAY, cd3=cd3, cd4=0.4, cd8=0.8),
        "proliferation": proliferation(decreased=True),
        "hiv": hiv_test(LAB_DAY),
    }
    return Case(date(2021, 3, 1), roles, ("infection", "cd4", "proliferation", "hiv"))


def hies(kb: KnowledgeBase, *, ige: Value = 12000.0, cd19: Value | None = 0.4) -> Case:
    """A boy of ten: recurrent infections, IgE 12,000 kIU/L, normal T and B cells."""
    roles: Roles = {
        "ige": results(kb, "ige", (ige,)),
        "presentation": _recurrent(),
        **t_cells(kb, LAB_DAY, cd3=1.8, cd4=0.9, cd8=0.6),
        "cd19": results(kb, "cd19_abs", _once(cd19)),
    }
    return Case(SCHOOL_CHILD, roles, ("ige", "presentation", "cd3", "cd4", "cd8", "cd19"))


def cgd(kb: KnowledgeBase, *, burst: str | None = "absent") -> Case:
    """A boy of three: staphylococcal liver abscess; respiratory burst ``absent`` or ``normal``."""
    abscess = infection(
        date(2026, 2, 10), InfectionSite.DEEP_ORGAN, abscess=True, organism="Staphylococcus aureus"
    )
    absent = "Absence of bactericidal oxidative respiratory burst in phagocytes"
    burst_test = (
        () if burst is None else (phenotype("HP:0002723", absent, excluded=burst == "normal", onset=LAB_DAY),)
    )
    return Case(date(2023, 2, 1), {"infection": (abscess,), "burst": burst_test}, ("infection", "burst"))


def wiskott_aldrich(kb: KnowledgeBase, *, sex: Sex = Sex.MALE, platelets: Value | None = 25.0) -> Case:
    """A boy of two: platelets 25 × 10⁹/L, small platelets, eczema."""
    roles: Roles = {
        "platelets": results(kb, "platelets", _once(platelets)),
        "small_platelets": (phenotype("HP:0005537", "Decreased mean platelet volume", onset=LAB_DAY),),
        "eczema": (phenotype("HP:0000964", "Eczematoid dermatitis", onset=date(2025, 1, 1)),),
    }
    return Case(date(2024, 4, 1), roles, ("platelets", "small_platelets", "eczema"), sex=sex)


def digeorge(kb: KnowledgeBase, *, cd3: Value = 0.3, hypocalcaemia: bool = True) -> Case:
    """A girl of four months: tetralogy of Fallot, neonatal hypocalcaemia, CD3 0.3 × 10⁹/L."""
    born = date(2025, 11, 1)
    calcium = (phenotype("HP:0002901", "Hypocalcemia", onset=born + timedelta(days=3)),)
    roles: Roles = {
        "cd3": results(kb, "cd3_abs", (cd3,)),
        "heart": (phenotype("HP:0001636", "Tetralogy of Fallot", onset=born),),
        "calcium": calcium if hypocalcaemia else (),
    }
    return Case(born, roles, ("cd3", "heart", "calcium"), sex=Sex.FEMALE)

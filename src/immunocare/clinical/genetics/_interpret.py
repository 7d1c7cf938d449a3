"""A gene's reported variants read against its IUIS entries: inheritance, zygosity, phenotype."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from immunocare.domain import Evidence, Finding, FindingStatus, GeneticFinding, ItemKind, Zygosity, summarize
from immunocare.knowledge import KBItem, citation_ids
from immunocare.knowledge.topics.genetics import AcmgMeaning, ZygosityRule
from immunocare.knowledge.topics.iuis import IuisEntry, IuisIndex

from ._fit import Fit, PhenotypeFit, phenotype_fit

if TYPE_CHECKING:
    from ..criteria import Evaluation

__all__ = ["GeneticInterpretation", "Verdict", "interpret_genetics"]

_ROLE_ORDER = ("causal", "uncertain", "not_causal")


class Verdict(StrEnum):
    """What a gene's variants mean for the patient."""

    CONFIRMED = "confirmed"
    VUS_CONSISTENT = "vus_consistent"
    VUS_INCONSISTENT = "vus_inconsistent"
    VUS_UNKNOWN = "vus_unknown"
    CARRIER = "carrier"
    NOT_EXPLAINED = "not_explained"


_STATUS = {
    Verdict.CONFIRMED: FindingStatus.MET,
    Verdict.VUS_CONSISTENT: FindingStatus.UNDETERMINED,
    Verdict.VUS_INCONSISTENT: FindingStatus.UNDETERMINED,
    Verdict.VUS_UNKNOWN: FindingStatus.UNDETERMINED,
    Verdict.CARRIER: FindingStatus.NOT_MET,
    Verdict.NOT_EXPLAINED: FindingStatus.NOT_MET,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class GeneticInterpretation:
    """One gene's reading.

    Attributes:
        gene: the HGNC symbol.
        verdict: confirmed, a VUS (consistent, inconsistent or untold), carrier, or not explained.
        variants: the record's variants of the gene that the reading rests on.
        entry: the IUIS entry read against, when the gene has one that fits best.
        pattern: the inheritance pattern (AR, AD, XL) the variants were read under.
        finding: the reading as a finding, with the reasoning and sources.
        entry_settled: whether the record settles the entry's IUIS (sub)table: no entry of another
            (sub)table of the gene fits as well (loss and gain of function alike, say, with nothing
            on record to tell them apart, leave it unsettled).
    """

    gene: str
    verdict: Verdict
    variants: tuple[GeneticFinding, ...]
    entry: IuisEntry | None
    pattern: str | None
    finding: Finding
    entry_settled: bool = False

    @property
    def iuis_category(self) -> str | None:
        """The entry's IUIS table or table.subtable ("3.1"), for rules by category."""
        return _category(self.entry) if self.entry else None


def _category(entry: IuisEntry) -> str:
    return f"{entry.table}" + (f".{entry.subtable}" if entry.subtable else "")


@dataclass(frozen=True, slots=True)
class _Unit:
    """Variants read together: one variant, or two heterozygous ones as a compound heterozygote."""

    variants: tuple[GeneticFinding, ...]
    zygosity: Zygosity
    paired: bool


@dataclass(frozen=True, slots=True)
class _Reading:
    unit: _Unit
    entry: IuisEntry
    pattern: str
    rule: ZygosityRule | None
    zygosity_fits: bool
    carrier: bool
    fit: PhenotypeFit

    @property
    def rank(self) -> tuple[int, int]:
        inheritance = 0 if self.zygosity_fits else (1 if self.carrier else 2)
        phenotype = {Fit.CONSISTENT: 0, Fit.UNKNOWN: 1, Fit.INCONSISTENT: 2}[self.fit.fit]
        return inheritance, phenotype


def _units(variants: list[GeneticFinding]) -> list[_Unit]:
    units = [_Unit((variant,), variant.zygosity, False) for variant in variants]
    hets = tuple(v for v in variants if v.zygosity is Zygosity.HETEROZYGOUS)
    if len(hets) > 1:
        units.append(_Unit(hets, Zygosity.COMPOUND_HETEROZYGOUS, True))
    return units


def _rule(evaluation: Evaluation, pattern: str) -> ZygosityRule | None:
    rules = [rule for rule in evaluation.kb.of(ZygosityRule) if rule.pattern == pattern]
    sex = evaluation.record.patient.sex
    return next((r for r in rules if r.sex is sex), next((r for r in rules if r.sex is None), None))


def _readings(unit: _Unit, entries: tuple[IuisEntry, ...], evaluation: Evaluation) -> list[_Reading]:
    readings = []
    for entry in entries:
        fit = phenotype_fit(entry, evaluation)
        for pattern in dict.fromkeys(i.pattern for i in entry.inheritance if i.pattern):
            rule = _rule(evaluation, pattern)
            allowed = rule is not None and (not unit.paired or rule.pairs_count_as_compound)
            fits = allowed and rule is not None and unit.zygosity in rule.fits
            carrier = allowed and rule is not None and unit.zygosity in rule.carrier
            readings.append(_Reading(unit, entry, pattern, rule, fits, carrier, fit))
    return readings


def _meaning(evaluation: Evaluation, variants: tuple[GeneticFinding, ...]) -> AcmgMeaning:
    meanings = {item.acmg_class: item for item in evaluation.kb.of(AcmgMeaning)}
    return max((meanings[v.acmg_class] for v in variants), key=lambda m: _ROLE_ORDER.index(m.role))


def _verdict(role: str, reading: _Reading | None) -> Verdict:
    if role == "not_causal" or reading is None or not (reading.zygosity_fits or reading.carrier):
        return Verdict.NOT_EXPLAINED
    if reading.carrier:
        return Verdict.CARRIER
    if role == "uncertain":
        return {
            Fit.CONSISTENT: Verdict.VUS_CONSISTENT,
            Fit.INCONSISTENT: Verdict.VUS_INCONSISTENT,
            Fit.UNKNOWN: Verdict.VUS_UNKNOWN,
        }[reading.fit.fit]
    return Verdict.NOT_EXPLAINED if reading.fit.fit is Fit.INCONSISTENT else Verdict.CONFIRMED


def _title(verdict: Verdict, gene: str, entry: IuisEntry | None) -> str:
    disease = f"{entry.disease} (IUIS {entry.edition} table {_category(entry)})" if entry else gene
    vus = f"{gene}: variant of uncertain significance"
    return {
        Verdict.CONFIRMED: f"Genetically confirmed: {disease}",
        Verdict.VUS_CONSISTENT: f"{vus} — consistent with the phenotype",
        Verdict.VUS_INCONSISTENT: f"{vus} — inconsistent with the phenotype",
        Verdict.VUS_UNKNOWN: f"{vus} — the phenotype cannot be compared",
        Verdict.CARRIER: f"{gene}: carrier — does not explain the phenotype",
        Verdict.NOT_EXPLAINED: f"{gene}: does not explain the phenotype",
    }[verdict]


def _inheritance_text(reading: _Reading, sex: str) -> str:
    unit = reading.unit
    zygosity = unit.zygosity.value.replace("_", " ")
    paired = " (two heterozygous variants, read as compound heterozygous)" if unit.paired else ""
    if reading.rule is None:
        return f"inheritance {reading.pattern}: no rule for a {sex} patient"
    outcome = "fits" if reading.zygosity_fits else ("makes a carrier" if reading.carrier else "does not fit")
    read = f"{zygosity}{paired} in a {sex} patient {outcome}"
    return f"inheritance {reading.pattern}: {read} ({reading.rule.title})"


def _interpret_gene(
    gene: str, variants: list[GeneticFinding], evaluation: Evaluation
) -> GeneticInterpretation:
    index = IuisIndex.from_kb(evaluation.kb)
    entries = index.entries_for_gene(gene)
    readings = [r for unit in _units(variants) for r in _readings(unit, entries, evaluation)]
    best = min(readings, key=lambda r: (r.rank, -len(r.unit.variants)), default=None)
    used = best.unit.variants if best else tuple(variants)
    meaning = _meaning(evaluation, used)
    verdict = _verdict(meaning.role, best)
    entry = best.entry if best else None
    reasons = [
        "; ".join(f"{v.hgvs} classed {v.acmg_class.value.replace('_', ' ')}" for v in used)
        + f": {meaning.meaning}"
    ]
    if best is None:
        reasons.append(f"{gene} is not a gene of the IUIS classification (2024) with a stated inheritance")
    else:
        reasons.append(_inheritance_text(best, evaluation.record.patient.sex.value))
        reasons += best.fit.checks
    items: tuple[KBItem | None, ...] = (
        meaning,
        best.rule if best else None,
        entry,
        *(best.fit.rules if best else ()),
    )
    finding = Finding(
        rule_id=f"genetics:{gene}",
        title=_title(verdict, gene, entry),
        status=_STATUS[verdict],
        explanation="; ".join(reasons),
        evidence=(
            *(Evidence(summary=summarize(v), kind=ItemKind.GENETIC_FINDINGS, item_id=v.id) for v in used),
            *(best.fit.evidence if best else ()),
        ),
        citations=citation_ids(*items),
        verified=all(item.verified for item in items if item),
    )
    settled = best is not None and not any(
        r.rank == best.rank and _category(r.entry) != _category(best.entry) for r in readings
    )
    return GeneticInterpretation(
        gene=gene,
        verdict=verdict,
        variants=used,
        entry=entry,
        pattern=best.pattern if best else None,
        finding=finding,
        entry_settled=settled,
    )


def interpret_genetics(evaluation: Evaluation) -> tuple[GeneticInterpretation, ...]:
    """Each gene with a variant reported by ``as_of``, read against its IUIS entries, in report order."""
    by_gene: dict[str, list[GeneticFinding]] = {}
    for variant in evaluation.record.genetic_findings:
        if variant.reported_on is None or variant.reported_on <= evaluation.as_of:
            by_gene.setdefault(variant.gene, []).append(variant)
    return tuple(_interpret_gene(gene, variants, evaluation) for gene, variants in by_gene.items())

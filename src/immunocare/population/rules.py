"""The case-finding rules as Ibis expressions, written once for every engine.

:func:`sign_rules` reads the ``case_finding`` items of the knowledge base into :class:`SignRule`
values (the counts and windows come from the warning signs they name, the codes from the
``coded_conditions`` items). :class:`Vocabulary` turns code lists into concept-id tables, with
descendants through ``concept_ancestor`` when the source has it. :func:`sign_table` gives, for one
rule, one row per person who meets it: ``sign, person_id, count, first, last, codes``.

Episodes are distinct condition (or intravenous course start) dates: the knowledge base holds no
gap within which repeated codes make one episode, so every date counts. "≥ n within a window" holds
when some window ``[d, d + window)`` starting at an episode ``d`` holds ``n`` episodes; the row
reports the fullest such window (the earliest when several hold as many).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol, TypeVar

import ibis  # type: ignore[import-untyped, unused-ignore]
import ibis.expr.types as ir  # type: ignore[import-untyped, unused-ignore]

from immunocare.domain.ages import Duration
from immunocare.knowledge.topics._criteria import AgeRange, AntibioticDays, InfectionCount
from immunocare.knowledge.topics.analytes import Analyte
from immunocare.knowledge.topics.case_finding import (
    CaseFindingList,
    CaseFindingSign,
    ConceptSet,
    Measure,
    icd10_key,
    sign_criterion,
)
from immunocare.knowledge.topics.coded_conditions import AntimicrobialCodes, InfectionCodes
from immunocare.knowledge.topics.warning_signs import WarningSign, WarningSignList

if TYPE_CHECKING:
    from immunocare.knowledge import KnowledgeBase

__all__ = [
    "Codes",
    "Omop",
    "SignRule",
    "Vocabulary",
    "analyte_codes",
    "concept_codes",
    "matching_rows",
    "persons_in",
    "sign_rules",
    "sign_table",
]

T = TypeVar("T")

SIGN_COLUMNS = ("sign", "person_id", "count", "first", "last", "codes")


class Omop(Protocol):
    """What the rules read of an OMOP source (:class:`immunocare.population.sources.OmopSource`)."""

    @property
    def engine(self) -> str:
        """``duckdb`` or ``spark``."""

    @property
    def description(self) -> str:
        """Where the data are, in words (no credentials)."""

    def table(self, name: str) -> ir.Table:
        """An OMOP table by its lower-case name, with lower-case columns."""

    def has(self, name: str) -> bool:
        """Whether the source has the table."""


@dataclass(frozen=True)
class Codes:
    """Codes that select rows of one table, ready to match.

    Attributes:
        omop: concept ids (descendants included when the source has ``concept_ancestor``).
        vocabulary: ``(vocabulary_id, concept_code)`` pairs turned into concept ids through ``concept``.
        icd10cm: ICD-10-CM prefixes of the source value, as :func:`icd10_key` writes them.
        source_values: exact source values (e.g. LOINC codes in ``measurement_source_value``).
    """

    omop: tuple[int, ...] = ()
    vocabulary: tuple[tuple[str, str], ...] = ()
    icd10cm: tuple[str, ...] = ()
    source_values: tuple[str, ...] = ()

    def __add__(self, other: Codes) -> Codes:
        return Codes(
            omop=_merged(self.omop, other.omop),
            vocabulary=_merged(self.vocabulary, other.vocabulary),
            icd10cm=_merged(self.icd10cm, other.icd10cm),
            source_values=_merged(self.source_values, other.source_values),
        )


def _merged(mine: tuple[T, ...], theirs: tuple[T, ...]) -> tuple[T, ...]:
    return tuple(dict.fromkeys((*mine, *theirs)))


def concept_codes(concepts: ConceptSet) -> Codes:
    """The codes of a knowledge-base concept set."""
    return Codes(
        omop=concepts.omop,
        vocabulary=tuple(("SNOMED", c) for c in concepts.snomed)
        + tuple(("LOINC", c) for c in concepts.loinc),
        icd10cm=tuple(icd10_key(c) for c in concepts.icd10cm),
        source_values=concepts.loinc,
    )


def analyte_codes(kb: KnowledgeBase, analytes: Iterable[str]) -> Codes:
    """The LOINC codes of analytes, matched through ``concept`` and on the source value."""
    loinc = tuple(code for a in analytes if isinstance(item := kb.get(a), Analyte) for code in item.loinc)
    return Codes(vocabulary=tuple(("LOINC", c) for c in loinc), source_values=loinc)


@dataclass(frozen=True)
class SignRule:
    """One case-finding sign, ready to run.

    Attributes:
        item: the knowledge item.
        sign_list: the warning-sign list whose population it is checked in.
        population: the ages of that list.
        text: the sign as its source words it.
        at_least: episodes needed, or the antibiotic duration to reach.
        window: the rolling window the episodes fall in, if any.
        min_span: the least time between the first and last episode, if any.
        codes: condition or drug codes counted.
    """

    item: CaseFindingSign
    sign_list: str
    population: AgeRange
    text: str
    at_least: int | Duration
    window: Duration | None
    min_span: Duration | None
    codes: Codes

    @property
    def measure(self) -> Measure:
        """What the rule counts."""
        return self.item.measure


def _infection_codes(kb: KnowledgeBase, item: CaseFindingSign, leaf: InfectionCount) -> Codes:
    if item.infection_codes:
        chosen = [code for code in kb.of(InfectionCodes) if code.id in item.infection_codes]
    else:
        chosen = [
            code
            for code in kb.of(InfectionCodes)
            if (not leaf.sites or code.site in leaf.sites)
            and (not leaf.pathogens or code.pathogen_class in leaf.pathogens)
            and (leaf.abscess is None or code.abscess == leaf.abscess)
        ]
    return Codes(
        vocabulary=tuple(("SNOMED", c) for code in chosen for c in code.snomed),
        icd10cm=tuple(icd10_key(c) for code in chosen for c in code.icd10cm),
    )


def _drug_codes(kb: KnowledgeBase, item: CaseFindingSign) -> Codes:
    chosen = [code for code in kb.of(AntimicrobialCodes) if code.id in item.antimicrobials]
    return Codes(
        vocabulary=tuple(("ATC", c) for code in chosen for c in code.atc_groups)
        + tuple(("RxNorm", c) for code in chosen for c in code.rxnorm)
    )


def sign_rules(kb: KnowledgeBase) -> tuple[SignRule, ...]:
    """Every case-finding sign of the lists the screen uses, in knowledge-base order."""
    lists = {item.sign_list for item in kb.of(CaseFindingList)}
    rules = []
    for item in kb.of(CaseFindingSign):
        sign = kb.get(item.sign)
        assert isinstance(sign, WarningSign)
        if sign.sign_list not in lists:
            continue
        sign_list = kb.get(sign.sign_list)
        assert isinstance(sign_list, WarningSignList)
        leaf = sign_criterion(kb, item)
        if isinstance(leaf, AntibioticDays):
            at_least: int | Duration = leaf.at_least
            window, span, codes = leaf.window, None, _drug_codes(kb, item)
        else:
            at_least, window, span = leaf.at_least, leaf.window, leaf.min_span
            codes = _drug_codes(kb, item) if item.antimicrobials else _infection_codes(kb, item, leaf)
        rules.append(
            SignRule(
                item,
                sign.sign_list,
                sign_list.population,
                leaf.text,
                at_least,
                window,
                span,
                codes + concept_codes(item.concepts),
            )
        )
    return tuple(rules)


def _after(day: ir.DateValue, duration: Duration) -> ir.DateValue:
    moved = day + ibis.interval(months=duration.total_months) if duration.total_months else day
    return moved + ibis.interval(days=duration.total_days) if duration.total_days else moved


class Vocabulary:
    """The source's vocabulary tables, to turn codes into concept-id tables."""

    def __init__(self, source: Omop) -> None:
        self.concept = source.table("concept") if source.has("concept") else None
        self.ancestor = source.table("concept_ancestor") if source.has("concept_ancestor") else None

    def concept_ids(self, codes: Codes) -> ir.Table | None:
        """One column ``concept_id`` (int64): the codes' concepts and their descendants; ``None`` if none."""
        parts: list[ir.Table] = []
        if codes.omop:
            parts.append(ibis.memtable({"concept_id": list(codes.omop)}, schema={"concept_id": "int64"}))
        if codes.vocabulary and self.concept is not None:
            c = self.concept
            wanted = ibis.or_(
                *((c.vocabulary_id == v) & (c.concept_code == code) for v, code in codes.vocabulary)
            )
            parts.append(c.filter(wanted).select(concept_id=c.concept_id.cast("int64")))
        if not parts:
            return None
        base = ibis.union(*parts, distinct=True)
        if self.ancestor is None:
            return base
        a = self.ancestor
        below = a.semi_join(base, a.ancestor_concept_id.cast("int64") == base.concept_id)
        return base.union(below.select(concept_id=below.descendant_concept_id.cast("int64")), distinct=True)


def matching_rows(
    table: ir.Table,
    *,
    concept: str,
    source: str,
    codes: Codes,
    vocabulary: Vocabulary,
    keep: dict[str, ir.Value],
) -> ir.Table | None:
    """The rows of ``table`` the codes select, as the columns ``keep``; ``None`` if nothing can match."""
    parts: list[ir.Table] = []
    ids = vocabulary.concept_ids(codes)
    if ids is not None:
        parts.append(table.semi_join(ids, table[concept].cast("int64") == ids.concept_id).select(**keep))
    value = table[source].cast("string")
    if codes.icd10cm:
        key = value.strip().upper().replace(".", "")
        parts.append(table.filter(ibis.or_(*(key.startswith(p) for p in codes.icd10cm))).select(**keep))
    if codes.source_values:
        parts.append(table.filter(value.strip().isin(codes.source_values)).select(**keep))
    return ibis.union(*parts, distinct=True) if parts else None


def persons_in(persons: ir.Table, population: AgeRange, as_of: date) -> ir.Table:
    """The persons (``person_id, birth``) whose age at ``as_of`` is in the range."""
    keep = ibis.literal(True)
    if population.min is not None:
        keep &= _after(persons.birth, population.min) <= as_of
    if population.max is not None:
        keep &= _after(persons.birth, population.max) > as_of
    return persons.filter(keep)


def _events(rule: SignRule, source: Omop, vocabulary: Vocabulary, as_of: date) -> ir.Table | None:
    """``person_id, day, end, code`` rows the rule counts (before the age filter)."""
    if rule.measure == "condition_episodes":
        t = source.table("condition_occurrence")
        keep = {
            "person_id": t.person_id.cast("int64"),
            "day": t.condition_start_date.cast("date"),
            "end": t.condition_start_date.cast("date"),
            "code": _code(t.condition_source_value, t.condition_concept_id),
        }
        rows = matching_rows(
            t,
            concept="condition_concept_id",
            source="condition_source_value",
            codes=rule.codes,
            vocabulary=vocabulary,
            keep=keep,
        )
    else:
        t = source.table("drug_exposure")
        if rule.measure == "iv_antibiotic_courses":
            t = t.filter(t.route_concept_id.cast("int64").isin(rule.item.iv_routes))
        start = t.drug_exposure_start_date.cast("date")
        supplied = start + (t.days_supply.cast("int64") - 1).as_interval("D")
        end = ibis.coalesce(t.drug_exposure_end_date.cast("date"), supplied, start)
        keep = {
            "person_id": t.person_id.cast("int64"),
            "day": start,
            "end": ibis.greatest(end, start),
            "code": _code(t.drug_source_value, t.drug_concept_id),
        }
        rows = matching_rows(
            t,
            concept="drug_concept_id",
            source="drug_source_value",
            codes=rule.codes,
            vocabulary=vocabulary,
            keep=keep,
        )
    return None if rows is None else rows.filter(rows.day <= as_of)


def _code(source_value: ir.Value, concept_id: ir.Value) -> ir.StringValue:
    """The code a row shows: its source value, else its concept id."""
    text = source_value.cast("string").strip()
    return ibis.cases((text.isnull() | (text == ""), concept_id.cast("int64").cast("string")), else_=text)


def _episode_counts(rule: SignRule, events: ir.Table) -> ir.Table:
    """``person_id, count, first, last`` of the persons whose episodes meet the rule."""
    episodes = events.select("person_id", "day").distinct()
    assert isinstance(rule.at_least, int)
    if rule.window is None:
        per = episodes.group_by("person_id").agg(
            count=episodes.day.count(), first=episodes.day.min(), last=episodes.day.max()
        )
        met = per["count"] >= rule.at_least
        if rule.min_span is not None:
            met &= per["last"] >= _after(per["first"], rule.min_span)
        return per.filter(met)
    other = episodes.rename(other_person="person_id", other_day="day")
    pairs = episodes.join(
        other,
        [
            episodes.person_id == other.other_person,
            other.other_day >= episodes.day,
            other.other_day < _after(episodes.day, rule.window),
        ],
    )
    windows = pairs.group_by("person_id", first=pairs.day).agg(
        count=pairs.other_day.count(), last=pairs.other_day.max()
    )
    order = ibis.row_number().over(group_by="person_id", order_by=[ibis.desc("count"), "first"])
    best = windows.mutate(order=order)
    return best.filter((best["order"] == 0) & (best["count"] >= rule.at_least)).drop("order")


def _antibiotic_days(rule: SignRule, events: ir.Table) -> ir.Table:
    """``person_id, count (days), first, last`` of the persons whose antibiotic days reach the rule's."""
    assert isinstance(rule.at_least, Duration)
    days = events.end.delta(events.day, unit="day") + 1
    per = (
        events.mutate(days=days)
        .group_by("person_id")
        .agg(count=ibis._.days.sum().cast("int64"), first=ibis._.day.min(), last=ibis._.end.max())
    )
    needed = _after(per["first"], rule.at_least).delta(per["first"], unit="day")
    return per.filter(per["count"] >= needed)


def sign_table(
    rule: SignRule, source: Omop, vocabulary: Vocabulary, persons: ir.Table, as_of: date
) -> ir.Table | None:
    """One row per person meeting the rule: ``sign, person_id, count, first, last, codes``.

    ``persons`` has ``person_id, birth``; only those in the rule's population count. ``None`` when
    no code of the rule can match in this source.
    """
    events = _events(rule, source, vocabulary, as_of)
    if events is None:
        return None
    people = persons_in(persons, rule.population, as_of).select("person_id")
    events = events.semi_join(people, "person_id")
    met = (
        _antibiotic_days(rule, events) if rule.measure == "antibiotic_days" else _episode_counts(rule, events)
    )
    inside = events.join(met, "person_id").filter(
        (ibis._.day >= ibis._["first"]) & (ibis._.day <= ibis._["last"])
    )
    codes = inside.group_by("person_id").agg(codes=inside.code.collect(distinct=True))
    joined = met.join(codes, "person_id")
    return joined.select(
        sign=ibis.literal(rule.item.id),
        person_id=joined.person_id,
        count=joined["count"].cast("int64"),
        first=joined["first"],
        last=joined["last"],
        codes=joined.codes,
    )

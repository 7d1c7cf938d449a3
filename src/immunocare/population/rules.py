"""The case-finding rules as Ibis expressions, written once for every engine.

:func:`sign_rules` reads the ``case_finding`` items of the knowledge base into :class:`SignRule`
values (the counts and windows come from the warning signs they name, the codes from the
``coded_conditions`` items). :func:`sign_table` gives, for one rule, one row per person who meets
it: ``sign, sign_list, person_id, count, first, last, codes``, over every person; the screen keeps
the rows of each person's own list (:func:`persons_in`) with one join after the union.

Episodes are distinct condition (or intravenous course start) dates: the knowledge base holds no
gap within which repeated codes make one episode, so every date counts. "≥ n within a window" holds
when some window ``[d, d + window)`` starting at an episode ``d`` holds ``n`` episodes (the
``n``-th episode from ``d`` falls before ``d + window``: one window function, no self-join); the
row reports the earliest such window, with every episode in it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir

from immunocare.domain.ages import Duration
from immunocare.knowledge.topics._criteria import AgeRange, AntibioticDays, InfectionCount
from immunocare.knowledge.topics.case_finding import (
    CaseFindingList,
    CaseFindingSign,
    Measure,
    icd10_key,
    sign_criterion,
)
from immunocare.knowledge.topics.coded_conditions import AntimicrobialCodes, InfectionCodes
from immunocare.knowledge.topics.warning_signs import WarningSign, WarningSignList

from ._codes import Codes, Omop, Vocabulary, code_filter, concept_codes, icd10_column

if TYPE_CHECKING:
    from immunocare.knowledge import KnowledgeBase

__all__ = [
    "SIGN_COLUMNS",
    "Events",
    "SignRule",
    "after",
    "persons_in",
    "sign_rules",
    "sign_table",
]

SIGN_COLUMNS = ("sign", "sign_list", "person_id", "count", "first", "last", "codes")


@dataclass(frozen=True)
class SignRule:
    """One case-finding sign, ready to run.

    Attributes:
        item: the knowledge item.
        sign_list: the warning-sign list whose population it is checked in.
        population: the ages of that list.
        at_least: episodes needed, or the antibiotic duration to reach.
        window: the rolling window the episodes fall in, if any.
        min_span: the least time between the first and last episode, if any.
        codes: condition or drug codes counted.
    """

    item: CaseFindingSign
    sign_list: str
    population: AgeRange
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
        + tuple(("RxNorm", c) for code in chosen for c in code.rxnorm),
        names=tuple(name for code in chosen for name in code.names),
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
            window, span, codes = None, None, _drug_codes(kb, item)
        else:
            at_least, window, span = leaf.at_least, leaf.window, leaf.min_span
            codes = _drug_codes(kb, item) if item.antimicrobials else _infection_codes(kb, item, leaf)
        rules.append(
            SignRule(
                item,
                sign.sign_list,
                sign_list.population,
                at_least,
                window,
                span,
                codes + concept_codes(item.concepts),
            )
        )
    return tuple(rules)


def after(day: ir.DateValue, duration: Duration) -> ir.DateValue:
    """The date ``duration`` after ``day`` (months first, clamped to the month's end, then days)."""
    moved = day + ibis.interval(months=duration.total_months) if duration.total_months else day
    return moved + ibis.interval(days=duration.total_days) if duration.total_days else moved


def persons_in(persons: ir.Table, population: AgeRange, as_of: date) -> ir.BooleanValue:
    """Whether a person (a table with ``birth``) is of an age in the range at ``as_of``."""
    inside = ibis.literal(True)
    if population.min is not None:
        inside &= after(persons.birth, population.min) <= as_of
    if population.max is not None:
        inside &= after(persons.birth, population.max) > as_of
    return inside


def _code(source_value: ir.Value, concept_id: ir.Value) -> ir.StringValue:
    """The code a row shows: its source value, else its concept id."""
    text = source_value.cast("string").strip()
    return ibis.cases((text.isnull() | (text == ""), concept_id.cast("int64").cast("string")), else_=text)


def _all(codes: Iterable[Codes]) -> Codes:
    merged = Codes()
    for part in codes:
        merged += part
    return merged


@dataclass(frozen=True)
class Events:
    """The condition and drug rows any rule of the screen can count, each table read once.

    Every rule then filters these few rows (``person_id, day, end, code, concept, value`` and
    ``icd10`` for conditions, ``route`` for drugs) instead of the whole table. Each query of the
    screen would compute these rows again, so :meth:`cached` has the engine compute and keep them
    once: ``condition_occurrence`` and ``drug_exposure`` are then scanned once for the whole screen.
    ``icd10`` is the source value as ICD-10-CM prefixes match it, computed once per row rather than
    once per rule.
    """

    conditions: ir.Table | None
    drugs: ir.Table | None
    vocabulary: Vocabulary

    @classmethod
    def read(
        cls,
        source: Omop,
        vocabulary: Vocabulary,
        as_of: date,
        *,
        conditions: Iterable[Codes],
        drugs: Iterable[Codes] | None,
    ) -> Events:
        """The rows the code lists select, up to ``as_of``; ``drugs=None`` when drug_exposure is not read."""
        t = source.table("condition_occurrence")
        where = code_filter(t, concept="condition_concept_id", source="condition_source_value",
                            codes=_all(conditions), vocabulary=vocabulary)  # fmt: skip
        day = t.condition_start_date.cast("date")
        kept = (
            None
            if where is None
            else t.filter(where).select(
                person_id=t.person_id.cast("int64"),
                day=day,
                end=day,
                code=_code(t.condition_source_value, t.condition_concept_id),
                concept=t.condition_concept_id.cast("int64"),
                value=t.condition_source_value.cast("string").strip(),
                icd10=icd10_column(t.condition_source_value),
            )
        )
        return cls(
            None if kept is None else kept.filter(kept.day <= as_of),
            None if drugs is None else _drug_rows(source, _all(drugs), vocabulary, as_of),
            vocabulary,
        )

    @contextmanager
    def cached(self) -> Iterator[Events]:
        """These rows computed once and kept by the engine until the block ends (then released)."""
        with ExitStack() as kept:
            conditions, drugs = (
                None if rows is None else kept.enter_context(rows.cache())
                for rows in (self.conditions, self.drugs)
            )
            yield Events(conditions, drugs, self.vocabulary)

    def conditions_for(self, codes: Codes) -> ir.Table | None:
        """``person_id, day, end, code`` of the conditions the codes select, or ``None``."""
        return self._select(self.conditions, codes)

    def drugs_for(self, codes: Codes, routes: tuple[int, ...] = ()) -> ir.Table | None:
        """``person_id, day, end, code`` of the drug exposures the codes select (by ``routes`` if given)."""
        rows = self.drugs
        if rows is not None and routes:
            rows = rows.filter(rows.route.isin(routes))
        return self._select(rows, codes)

    def _select(self, rows: ir.Table | None, codes: Codes) -> ir.Table | None:
        if rows is None:
            return None
        key = "icd10" if "icd10" in rows.columns else None
        where = code_filter(
            rows, concept="concept", source="value", codes=codes, vocabulary=self.vocabulary, icd10=key
        )
        return None if where is None else rows.filter(where).select("person_id", "day", "end", "code")


def _drug_rows(source: Omop, codes: Codes, vocabulary: Vocabulary, as_of: date) -> ir.Table | None:
    t = source.table("drug_exposure")
    where = code_filter(
        t, concept="drug_concept_id", source="drug_source_value", codes=codes, vocabulary=vocabulary
    )
    if where is None:
        return None
    start = t.drug_exposure_start_date.cast("date")
    end = ibis.greatest(ibis.coalesce(t.drug_exposure_end_date.cast("date"), start), start)
    route = t.route_concept_id.cast("int64") if "route_concept_id" in t.columns else ibis.null("int64")
    rows = t.filter(where).select(
        person_id=t.person_id.cast("int64"),
        day=start,
        end=end,
        code=_code(t.drug_source_value, t.drug_concept_id),
        concept=t.drug_concept_id.cast("int64"),
        value=t.drug_source_value.cast("string").strip(),
        route=route,
    )
    return rows.filter(rows.day <= as_of)


def _episode_counts(rule: SignRule, events: ir.Table) -> ir.Table:
    """``person_id, count, first, last, codes`` of the persons whose episodes meet the rule."""
    assert isinstance(rule.at_least, int)
    if rule.window is None:
        per = events.group_by("person_id").agg(
            count=events.day.nunique(), first=events.day.min(), last=events.day.max()
        )
        met = per["count"] >= rule.at_least
        if rule.min_span is not None:
            met &= per["last"] >= after(per["first"], rule.min_span)
        return _with_codes(per.filter(met), events)
    days = events.select("person_id", "day").distinct()
    nth = days.day.lead(rule.at_least - 1).over(group_by="person_id", order_by="day")
    starts = days.mutate(nth=nth)
    starts = starts.filter(starts.nth.notnull() & (starts.nth < after(starts.day, rule.window)))
    first = starts.group_by("person_id").agg(start=starts.day.min())
    inside = events.join(first, "person_id")
    inside = inside.filter((inside.day >= inside.start) & (inside.day < after(inside.start, rule.window)))
    return inside.group_by("person_id").agg(
        count=inside.day.nunique(), first=inside.start.min(), last=inside.day.max(),
        codes=inside.code.collect(distinct=True),
    )  # fmt: skip


def _antibiotic_days(rule: SignRule, events: ir.Table) -> ir.Table:
    """``person_id, count (days), first, last, codes`` of the persons with a long enough stretch.

    A stretch is a run of exposures each starting at most the day after the latest end before it
    (overlapping or back-to-back courses); it lasts from its first start to its last end, both days
    included, and meets the rule when it lasts ``rule.at_least``. Separate courses are not added
    up. The first stretch long enough is reported, with the codes of its exposures.
    """
    assert isinstance(rule.at_least, Duration)
    order = {"group_by": "person_id", "order_by": ["day", "end"]}
    reach = events.mutate(reach=events.end.max().over(ibis.cumulative_window(**order)))
    before = reach.mutate(before=reach.reach.lag().over(ibis.window(**order)))
    starts = before.mutate(
        starts=(before.before.isnull() | (before.day > before.before + ibis.interval(days=1))).cast("int64")
    )
    numbered = starts.mutate(stretch=starts.starts.sum().over(ibis.cumulative_window(**order)))
    stretches = numbered.group_by(["person_id", "stretch"]).agg(
        first=numbered.day.min(), last=numbered.end.max()
    )
    days = stretches.mutate(count=(stretches["last"].delta(stretches["first"], unit="day") + 1).cast("int64"))
    long = days.filter(days["count"] >= after(days["first"], rule.at_least).delta(days["first"], unit="day"))
    earliest = long.group_by("person_id").agg(start=long["first"].min())
    met = long.join(earliest, [long.person_id == earliest.person_id, long["first"] == earliest.start])
    met = met.select(long.person_id, long["count"], long["first"], long["last"])
    inside = events.join(met, "person_id")
    inside = inside.filter((inside.day >= inside["first"]) & (inside.day <= inside["last"]))
    codes = inside.group_by("person_id").agg(codes=inside.code.collect(distinct=True))
    return met.join(codes, "person_id")


def _with_codes(met: ir.Table, events: ir.Table) -> ir.Table:
    """``met`` with the distinct codes of each person's events, gathered for the persons kept only."""
    kept = events.semi_join(met, "person_id")
    codes = kept.group_by("person_id").agg(codes=kept.code.collect(distinct=True))
    return met.join(codes, "person_id")


def sign_table(rule: SignRule, rows: Events) -> ir.Table | None:
    """One row per person meeting the rule (any age): ``SIGN_COLUMNS``; ``None`` if no code can match."""
    if rule.measure == "condition_episodes":
        events = rows.conditions_for(rule.codes)
    else:
        events = rows.drugs_for(rule.codes, rule.item.iv_routes)
    if events is None:
        return None
    met = (
        _antibiotic_days(rule, events) if rule.measure == "antibiotic_days" else _episode_counts(rule, events)
    )
    return met.select(
        sign=ibis.literal(rule.item.id),
        sign_list=ibis.literal(rule.sign_list),
        person_id=met.person_id,
        count=met["count"].cast("int64"),
        first=met["first"],
        last=met["last"],
        codes=met.codes,
    )

"""The case-finding rules as Ibis expressions, written once for every engine.

:func:`sign_rules` reads the ``case_finding`` items of the knowledge base into :class:`SignRule`
values (the counts and windows come from the warning signs they name, the codes from the
``coded_conditions`` items). :func:`sign_table` gives, for one rule, one row per person who meets
it: ``sign, sign_list, person_id, count, first, last, codes``, over the persons of the rule's list
only: the rows read once for the screen (:class:`Events`) carry each person's list
(:func:`sign_lists`), so a rule of the children's list never aggregates an adult's rows.

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

from immunocare.domain.ages import Duration, latest_birth
from immunocare.knowledge.topics._criteria import AgeRange, AntibioticDays, InfectionCount, PhenotypeTerm
from immunocare.knowledge.topics.case_finding import (
    CaseFindingList,
    CaseFindingSign,
    Measure,
    counts_conditions,
    icd10_key,
    sign_criterion,
)
from immunocare.knowledge.topics.coded_conditions import AntimicrobialCodes, InfectionCodes
from immunocare.knowledge.topics.warning_signs import WarningSign, WarningSignList

from ._codes import Codes, Omop, SourceColumn, Vocabulary, code_filter, concept_codes

if TYPE_CHECKING:
    from immunocare.knowledge import KnowledgeBase

__all__ = [
    "SIGN_COLUMNS",
    "Events",
    "Selection",
    "SignRule",
    "after",
    "persons",
    "persons_in",
    "shown_code",
    "sign_lists",
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

    @property
    def selection(self) -> Selection:
        """The rows the rule counts: its codes, of its list's persons (by its routes, if any)."""
        return Selection(self.codes, self.sign_list, self.item.iv_routes)


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
        elif isinstance(leaf, PhenotypeTerm):  # one coded record shows the phenotype
            at_least, window, span, codes = 1, None, None, Codes()
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
    """Whether a person (a table with ``birth``) is of an age in the range at ``as_of``.

    The ages are turned into birth dates here (:func:`latest_birth`), so each person costs one or
    two date comparisons, the same on every engine.
    """
    inside = ibis.literal(True)
    if population.min is not None:
        inside &= persons.birth <= latest_birth(as_of, population.min)
    if population.max is not None:
        inside &= persons.birth > latest_birth(as_of, population.max)
    return inside


def persons(source: Omop) -> ir.Table:
    """``person_id, birth`` of the persons with a year of birth.

    The birth date is ``year_of_birth`` with ``month_of_birth`` and ``day_of_birth``, the first of
    the month or year when these are missing.
    """
    p = source.table("person")
    columns = set(p.columns)
    month = (
        ibis.coalesce(p.month_of_birth.cast("int32"), 1) if "month_of_birth" in columns else ibis.literal(1)
    )
    day = ibis.coalesce(p.day_of_birth.cast("int32"), 1) if "day_of_birth" in columns else ibis.literal(1)
    born = p.filter(p.year_of_birth.notnull())
    return born.select(
        person_id=born.person_id.cast("int64"), birth=ibis.date(born.year_of_birth.cast("int32"), month, day)
    )


def sign_lists(source: Omop, rules: Iterable[SignRule], as_of: date) -> ir.Table:
    """``person_id, sign_list``: the warning-sign list of each person's age at ``as_of``.

    The lists' ages do not overlap (the knowledge base checks it), so a person has one list at most.
    """
    people = persons(source)
    ages = {rule.sign_list: rule.population for rule in rules}
    chosen = [(persons_in(people, population, as_of), name) for name, population in ages.items()]
    nobody = ibis.null("string")
    return people.select("person_id", sign_list=ibis.cases(*chosen, else_=nobody) if chosen else nobody)


def shown_code(rows: ir.Table) -> ir.StringValue:
    """The code a selected row shows: its source value, else its concept id, else its source concept id.

    Computed only where codes are gathered, for the persons who meet a rule, not for every row read.
    """
    text = rows.value.strip()
    return ibis.cases(
        (text.notnull() & (text != ""), text),
        (rows.concept.notnull() & (rows.concept != 0), rows.concept.cast("string")),
        else_=rows.source_concept.cast("string"),
    )


def _all(codes: Iterable[Codes]) -> Codes:
    merged = Codes()
    for part in codes:
        merged += part
    return merged


_CONDITIONS: SourceColumn = ("condition_occurrence", "condition_source_value")
_DRUGS: SourceColumn = ("drug_exposure", "drug_source_value")


@dataclass(frozen=True)
class Selection:
    """The rows one rule or list reads.

    Attributes:
        codes: the codes that select them.
        sign_list: only the rows of this list's persons, if given.
        routes: only the rows by one of these routes, if given.
    """

    codes: Codes
    sign_list: str | None = None
    routes: tuple[int, ...] = ()


@dataclass(frozen=True)
class Events:
    """The condition and drug rows the rules and lists of a screen read, each table read once.

    The rows (``person_id, day, end, concept, value, source_concept``, and ``route`` for drugs;
    ``value`` is the raw source value) are those any rule or list can select, and ``lists`` is
    :func:`sign_lists`. Each rule then filters these few rows instead of the whole table, keeping its
    own list's persons (:class:`Selection`). Each query of the screen would compute the rows again,
    so :meth:`cached` has the engine compute and keep them once: ``condition_occurrence`` and
    ``drug_exposure`` are then scanned once for the whole screen.
    """

    conditions: ir.Table | None
    drugs: ir.Table | None
    lists: ir.Table
    vocabulary: Vocabulary

    @classmethod
    def read(
        cls,
        source: Omop,
        vocabulary: Vocabulary,
        as_of: date,
        *,
        conditions: Iterable[Selection],
        drugs: Iterable[Selection] | None,
        lists: ir.Table,
    ) -> Events:
        """The rows selected, up to ``as_of``; ``drugs=None`` when drug_exposure is not read."""
        t = source.table("condition_occurrence")
        where = code_filter(
            t, _all(s.codes for s in conditions), vocabulary, concept="condition_concept_id",
            value="condition_source_value", source=_CONDITIONS, source_concept="condition_source_concept_id",
        )  # fmt: skip
        day = t.condition_start_date.cast("date")
        kept = (
            None
            if where is None
            else t.filter(where).select(
                person_id=t.person_id.cast("int64"),
                day=day,
                end=day,
                concept=t.condition_concept_id.cast("int64"),
                value=t.condition_source_value.cast("string"),
                source_concept=_column(t, "condition_source_concept_id"),
            )
        )
        return cls(
            None if kept is None else kept.filter(kept.day <= as_of),
            None if drugs is None else _drug_rows(source, _all(s.codes for s in drugs), vocabulary, as_of),
            lists,
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
            yield Events(conditions, drugs, kept.enter_context(self.lists.cache()), self.vocabulary)

    def conditions_for(self, selection: Selection) -> ir.Table | None:
        """The conditions selected (``person_id, day, end, concept, value, source_concept``), or ``None``."""
        return self._select(self.conditions, selection, _CONDITIONS)

    def drugs_for(self, selection: Selection) -> ir.Table | None:
        """The drug exposures selected (the columns of :meth:`conditions_for`), or ``None``."""
        rows = self.drugs
        if rows is not None and selection.routes:
            rows = rows.filter(rows.route.isin(selection.routes))
        return self._select(rows, selection, _DRUGS)

    def _select(self, rows: ir.Table | None, selection: Selection, source: SourceColumn) -> ir.Table | None:
        if rows is None:
            return None
        where = code_filter(rows, selection.codes, self.vocabulary, concept="concept", value="value",
                            source=source, source_concept="source_concept")  # fmt: skip
        if where is None:
            return None
        chosen = rows.filter(where).select("person_id", "day", "end", "concept", "value", "source_concept")
        if selection.sign_list is None:
            return chosen
        listed = self.lists.filter(self.lists.sign_list == selection.sign_list)
        return chosen.semi_join(listed, "person_id")


def _column(table: ir.Table, name: str) -> ir.IntegerValue:
    """A concept-id column of the table as int64, or nulls when the table lacks it."""
    return table[name].cast("int64") if name in table.columns else ibis.null("int64")


def _drug_rows(source: Omop, codes: Codes, vocabulary: Vocabulary, as_of: date) -> ir.Table | None:
    t = source.table("drug_exposure")
    where = code_filter(
        t, codes, vocabulary, concept="drug_concept_id", value="drug_source_value", source=_DRUGS
    )
    if where is None:
        return None
    start = t.drug_exposure_start_date.cast("date")
    end = ibis.greatest(ibis.coalesce(t.drug_exposure_end_date.cast("date"), start), start)
    rows = t.filter(where).select(
        person_id=t.person_id.cast("int64"),
        day=start,
        end=end,
        concept=t.drug_concept_id.cast("int64"),
        value=t.drug_source_value.cast("string"),
        source_concept=_column(t, "drug_source_concept_id"),
        route=_column(t, "route_concept_id"),
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
        codes=shown_code(inside).collect(distinct=True),
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
    events = events.semi_join(_may_stretch(events, rule.at_least), "person_id")
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
    codes = inside.group_by("person_id").agg(codes=shown_code(inside).collect(distinct=True))
    return met.join(codes, "person_id")


def _may_stretch(events: ir.Table, at_least: Duration) -> ir.Table:
    """The persons who may have a stretch lasting ``at_least``: the few the stretches are computed for.

    A stretch lasting ``at_least`` lasts at least ``n`` days (a month at least 28); its first ``n``
    days are covered by exposures that start within them, and these last ``n`` days together. Those
    ``n`` days fall in two consecutive buckets of ``n`` days, and the exposures starting in one of
    the two last ``n / 2`` days or more: so a person without a bucket whose exposures last that long
    has no such stretch. One aggregation, no window.
    """
    n = 28 * at_least.total_months + at_least.total_days
    bucket = events.day.delta(ibis.date(1970, 1, 1), unit="day") // n
    lasts = events["end"].delta(events.day, unit="day") + 1
    totals = events.group_by(events.person_id, bucket=bucket).agg(lasts=lasts.sum())
    return totals.filter(totals.lasts * 2 >= n).select("person_id").distinct()


def _with_codes(met: ir.Table, events: ir.Table) -> ir.Table:
    """``met`` with the distinct codes of each person's events, gathered for the persons kept only."""
    kept = events.semi_join(met, "person_id")
    codes = kept.group_by("person_id").agg(codes=shown_code(kept).collect(distinct=True))
    return met.join(codes, "person_id")


def sign_table(rule: SignRule, rows: Events) -> ir.Table | None:
    """One row per person of the rule's list meeting it: ``SIGN_COLUMNS``; ``None`` if no code can match."""
    if counts_conditions(rule.measure):
        events = rows.conditions_for(rule.selection)
    else:
        events = rows.drugs_for(rule.selection)
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

"""The population screen: every case-finding rule over an OMOP source, ranked and explained.

:func:`screen` builds one Ibis expression per sign (:mod:`.rules`), unions them into one table and
executes it once, so the engine aggregates (out of core on DuckDB, distributed on Spark) and only
the per-person result rows come back. The persons already coded with an immunodeficiency and the
surveillance gap are one query each (:mod:`._lists`); the count of persons screened is the fourth.
Before them, :class:`~._codes.Vocabulary` resolves every code list in two small queries, and the
condition and drug rows any of these can count are selected once and cached by the engine
(:meth:`~.rules.Events.cached`), so the large tables are scanned once, not by every query.

Each person is checked against the warning-sign list of their age at ``as_of`` (birth date from
``year_of_birth`` with ``month_of_birth`` and ``day_of_birth``, the first of the month or year when
these are missing; :func:`~.rules.sign_lists`). The score is the sum of the weights of the signs
met; a person is *to refer* at or above the threshold (the lists' ``signs_to_suspect``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
import pandas as pd
from rich.progress import Progress

from immunocare.knowledge import citation_ids
from immunocare.knowledge.topics.case_finding import (
    CaseFindingList,
    CaseFindingSign,
    CodedImmunodeficiency,
    SurveillanceGap,
    counts_conditions,
)
from immunocare.knowledge.topics.warning_signs import WarningSign, WarningSignList

from ._codes import Omop, Vocabulary
from ._lists import (
    already_coded,
    condition_selections,
    drug_selections,
    measurement_codes,
    surveillance_gap,
)
from ._output import already_coded_frame, gap_frame, ranked_frame, write_result
from .rules import SIGN_COLUMNS, Events, SignRule, persons, sign_lists, sign_rules, sign_table
from .sources import require_columns

if TYPE_CHECKING:
    from immunocare.knowledge import KnowledgeBase

__all__ = ["ScreenResult", "SignDefinition", "screen", "write_result"]

_NEEDED = {
    "person": ("person_id", "year_of_birth"),
    "condition_occurrence": (
        "person_id",
        "condition_concept_id",
        "condition_start_date",
        "condition_source_value",
    ),
}
_DRUG_COLUMNS = ("person_id", "drug_concept_id", "drug_exposure_start_date", "drug_source_value")
_CACHING = ("duckdb", "spark")  # Ibis 12 cannot drop a cached table on the other SQL backends
_UNITS = {  # what a sign's count counts, for one and for more
    "condition_episodes": ("episode", "episodes"),
    "condition_present": ("coded date", "coded dates"),
    "iv_antibiotic_courses": ("course", "courses"),
    "antibiotic_days": ("day", "days"),
}


@dataclass(frozen=True)
class SignDefinition:
    """A sign as the result shows it: its id, title, weight, whether verified, its sources."""

    id: str
    title: str
    weight: float
    verified: bool
    citations: tuple[str, ...]


@dataclass(frozen=True)
class ScreenResult:
    """A finished screen; see the module docstring and ``population/__init__`` for the frames."""

    as_of: date
    engine: str
    source: str
    kb_version: str
    persons_screened: int
    threshold: float
    signs: tuple[SignDefinition, ...]
    ranked: pd.DataFrame
    already_coded: pd.DataFrame
    surveillance_gap: pd.DataFrame
    notices: tuple[str, ...]


def _usable(rules: tuple[SignRule, ...], source: Omop) -> tuple[tuple[SignRule, ...], list[str], bool]:
    """The rules the source's drug_exposure allows, notices for the others, and whether drugs are read."""
    columns = set(source.table("drug_exposure").columns) if source.has("drug_exposure") else set()
    drugs, routes = set(_DRUG_COLUMNS) <= columns, "route_concept_id" in columns
    notices = []
    if not drugs:
        notices.append("drug_exposure is missing or lacks columns: the antibiotic signs are not checked")
    elif not routes:
        notices.append(
            "drug_exposure has no route_concept_id: the intravenous-antibiotic signs are not checked"
        )
    kept = tuple(
        rule
        for rule in rules
        if counts_conditions(rule.measure) or (drugs and (routes or rule.measure != "iv_antibiotic_courses"))
    )
    return kept, notices, drugs


def _empty(source: Omop, table: str) -> bool:
    return not source.has(table) or int(source.table(table).limit(1).count().execute()) == 0


def _vocabulary_notices(source: Omop, kb: KnowledgeBase) -> list[str]:
    notices = []
    if _empty(source, "concept"):
        notices.append("no concept rows: SNOMED CT, LOINC, ATC and RxNorm codes are not turned into concepts")
    if _empty(source, "concept_ancestor"):
        notices.append("no concept_ancestor rows: OMOP concepts match without their descendants")
    unverified = [
        item.id for item in (*kb.of(SurveillanceGap), *kb.of(CodedImmunodeficiency)) if not item.verified
    ]
    if unverified:  # the signs' own flags travel in ScreenResult.signs
        notices.append(f"unverified listing items (see their notes): {', '.join(unverified)}")
    lists = {item.sign_list for item in kb.of(CaseFindingList)}
    checked = {item.sign for item in kb.of(CaseFindingSign)}
    unchecked = [sign.id for sign in kb.of(WarningSign) if sign.sign_list in lists and sign.id not in checked]
    if unchecked:
        notices.append(f"warning signs coded rows cannot show, not checked: {', '.join(unchecked)}")
    return notices


def _threshold(kb: KnowledgeBase) -> float:
    lists = [kb.get(item.sign_list) for item in kb.of(CaseFindingList)]
    return float(max(item.signs_to_suspect for item in lists if isinstance(item, WarningSignList)))


def _signs_met(rules: tuple[SignRule, ...], events: Events) -> ir.Table | None:
    """Every rule's rows in one table."""
    tables = [t for rule in rules if (t := sign_table(rule, events)) is not None]
    return ibis.union(*tables) if tables else None


def _events(source: Omop, kb: KnowledgeBase, rules: tuple[SignRule, ...], as_of: date, drugs: bool) -> Events:
    """The vocabulary lookups (two small queries) and the rows every rule and list reads."""
    conditions = [
        *(r.selection for r in rules if counts_conditions(r.measure)),
        *condition_selections(kb),
    ]
    drug_lists = [*(r.selection for r in rules if not counts_conditions(r.measure)), *drug_selections(kb)]
    vocabulary = Vocabulary(source, [*(s.codes for s in (*conditions, *drug_lists)), *measurement_codes(kb)])
    return Events.read(
        source,
        vocabulary,
        as_of,
        conditions=conditions,
        drugs=drug_lists if drugs else None,
        lists=sign_lists(source, rules, as_of),
    )


@contextmanager
def _kept(events: Events, source: Omop) -> Iterator[Events]:
    """The events cached by the engine for the block, where Ibis can release them (DuckDB, Spark)."""
    if source.engine in _CACHING:
        with events.cached() as kept:
            yield kept
    else:
        yield events


def _run(backend_table: ir.Table | None, columns: tuple[str, ...]) -> pd.DataFrame:
    """The rows as a frame, through Arrow (list columns stay arrays, dates ``datetime64``)."""
    if backend_table is None:
        return pd.DataFrame(columns=list(columns))
    return backend_table.to_pyarrow().to_pandas(date_as_object=False)


@contextmanager
def _steps(show: bool) -> Iterator[Progress | None]:
    if not show:
        yield None
        return
    with Progress(transient=True) as progress:
        yield progress


def screen(source: Omop, kb: KnowledgeBase, *, as_of: date, progress: bool = False) -> ScreenResult:
    """Screen every person of ``source`` with the case-finding rules of ``kb`` as of ``as_of``.

    Raises:
        ValidationError: the source lacks ``person`` or ``condition_occurrence`` or a column the
            rules read (the field names ``omop.<table>.<column>``).
    """
    require_columns(source, _NEEDED)
    rules, notices, drugs = _usable(sign_rules(kb), source)
    notices += _vocabulary_notices(source, kb)
    with _steps(progress) as bar:
        task = bar.add_task("Screening", total=5) if bar is not None else None

        def advance(what: str) -> None:
            if bar is not None and task is not None:
                bar.update(task, advance=1, description=what)

        with _kept(_events(source, kb, rules, as_of, drugs), source) as events:
            advance("condition and drug rows")
            rows = _run(_signs_met(rules, events), SIGN_COLUMNS)
            advance("signs")
            coded = _run(already_coded(events, kb), ("person_id", "first_date", "codes"))
            advance("already coded")
            gap = _run(
                surveillance_gap(source, kb, events),
                ("person_id", "exposure", "first_date", "codes"),
            )
            advance("surveillance gap")
        screened = int(persons(source).count().execute())
        advance("persons")
    signs = tuple(
        SignDefinition(r.item.id, r.item.title, r.item.weight, r.item.verified, citation_ids(r.item))
        for r in rules
    )
    threshold = _threshold(kb)
    units = {rule.item.id: _UNITS[rule.measure] for rule in rules}
    already = already_coded_frame(coded)
    return ScreenResult(
        as_of=as_of,
        engine=source.engine,
        source=source.description,
        kb_version=kb.version,
        persons_screened=screened,
        threshold=threshold,
        signs=signs,
        ranked=ranked_frame(rows, signs, units, threshold, set(already["person_id"].tolist())),
        already_coded=already,
        surveillance_gap=gap_frame(gap),
        notices=tuple(notices),
    )

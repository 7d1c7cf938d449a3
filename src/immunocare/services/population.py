"""Population screens as the web page runs them: authorized, audited, in the background, browsable.

A screen reads one of the OMOP sources configured in ``Settings.population_sources`` (by name: the
spec, which may hold a host or a user, is never shown) and runs the knowledge base's case-finding
rules over it (:func:`run_screen`: ``open_source`` then ``screen``). A run can take minutes, so
:class:`PopulationScreens` runs it in a background thread, one at a time, and keeps the last few
results in memory for the page to browse; a page polls :meth:`PopulationScreens.get` for the state.

Access and audit: every call is authorized for the ``screen_population`` action (admins,
physicians and researchers: the results show pseudonymous person ids, no names). Each run leaves
two audit entries, one when it is started and one when it ends (``ok`` or ``failed``, with the
counts or the reason), both under the user who started it; downloading the ranked list leaves an
``export`` entry.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal, Protocol, get_args

import pandas as pd

from immunocare.errors import FieldIssue, ImmunocareError, NotFoundError, ValidationError
from immunocare.knowledge import KnowledgeBase
from immunocare.population.report import render_report, sign_entries

from ._context import Actor, ServiceContext, transaction
from .authz import Action, Outcome, audit, authorize

if TYPE_CHECKING:
    from immunocare.population.screen import ScreenResult

__all__ = [
    "ENGINES",
    "PAGE_SIZE",
    "SORTS",
    "Engine",
    "FramePage",
    "PopulationRun",
    "PopulationScreens",
    "RunState",
    "ScreenRunner",
    "frame_page",
    "ranked_page",
    "run_screen",
]

Engine = Literal["duckdb", "spark"]
ENGINES: tuple[Engine, ...] = get_args(Engine)
SORTS = ("score", "n_signs", "person_id")
"""The ranked list's columns a page may sort by."""
PAGE_SIZE = 50
_KEEP = 5
"""How many finished runs stay in memory (the oldest are dropped first)."""
_log = logging.getLogger(__name__)


class RunState(StrEnum):
    """Where a run is."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ScreenRunner(Protocol):
    """Runs one screen: a source spec, an engine, the knowledge base, the day and a memory limit in.

    The memory limit is ``Settings.population_memory_limit``; a result comes out.
    """

    def __call__(
        self, spec: str, *, engine: Engine, kb: KnowledgeBase, as_of: date, memory_limit: str | None
    ) -> ScreenResult:
        """Open the source and screen it."""
        ...


def run_screen(
    spec: str, *, engine: Engine, kb: KnowledgeBase, as_of: date, memory_limit: str | None
) -> ScreenResult:
    """The real runner: ``open_source(spec, engine=..., memory_limit=...)`` then ``screen(...)``.

    Ibis and its back ends are imported on the first run, not when the application starts.
    """
    from immunocare.population.screen import screen
    from immunocare.population.sources import open_source

    return screen(open_source(spec, engine=engine, memory_limit=memory_limit), kb, as_of=as_of)


@dataclass(frozen=True, slots=True)
class PopulationRun:
    """One screen run and, once done, its result.

    Attributes:
        id: an unguessable id (the page's address).
        source: the configured source's name (never its spec).
        engine: ``duckdb`` or ``spark``.
        as_of: the day screened as of.
        started_by: the username of who started it.
        started_at: when it was started.
        state: queued, running, done or failed.
        finished_at: when it ended.
        error: why it failed, for the person who started it.
        result: the screen's result, once done.
        signs_met: per row of ``result.ranked``, the ids of the signs met (for filtering).
        report: the result's HTML report (:func:`~immunocare.population.report.render_report`).
    """

    id: str
    source: str
    engine: Engine
    as_of: date
    started_by: str
    started_at: datetime
    state: RunState = RunState.QUEUED
    finished_at: datetime | None = None
    error: str | None = None
    result: ScreenResult | None = None
    signs_met: pd.Series | None = None
    report: str | None = None

    @property
    def finished(self) -> bool:
        """Whether the run has ended, well or not."""
        return self.state in (RunState.DONE, RunState.FAILED)

    def seconds(self, now: datetime) -> int:
        """How long it ran, or has been running until ``now``, in whole seconds."""
        return int(((self.finished_at or now) - self.started_at).total_seconds())


@dataclass(frozen=True, slots=True)
class FramePage:
    """One page of a result list: the rows (as dicts), the total and where the page is."""

    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int


def frame_page(frame: pd.DataFrame, *, page: int = 1, size: int = PAGE_SIZE) -> FramePage:
    """Rows ``(page - 1) * size`` up to ``page * size`` of ``frame``; a page past the end is empty."""
    if page < 1:
        raise ValidationError.single("page", "must be 1 or more")
    rows: list[dict[str, Any]] = frame.iloc[(page - 1) * size : page * size].to_dict(orient="records")
    return FramePage(rows, len(frame), page, max(1, math.ceil(len(frame) / size)))


def ranked_page(
    run: PopulationRun,
    *,
    sort: str = "score",
    descending: bool = True,
    sign: str | None = None,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> FramePage:
    """A page of the ranked list, sorted by one column (ties by rank) and optionally for one sign only.

    Each row also carries ``entries``: its signs met, read from the ``signs`` JSON.
    """
    if run.result is None or run.signs_met is None:
        raise ValidationError.single("run", f"run {run.id} has no result ({run.state.value})")
    ranked: pd.DataFrame = run.result.ranked
    issues = []
    if sort not in SORTS:
        issues.append(FieldIssue("sort", f"{sort!r}: use one of {', '.join(SORTS)}"))
    known = {s.id for s in run.result.signs}
    if sign and sign not in known:
        issues.append(FieldIssue("sign", f"{sign!r} is not a sign of this screen"))
    if issues:
        raise ValidationError(issues)
    frame = ranked[run.signs_met.map(lambda met: sign in met)] if sign else ranked
    order = frame.sort_values(sort, ascending=not descending, kind="stable")  # ties keep their rank
    found = frame_page(order, page=page, size=size)
    rows = [{**row, "entries": sign_entries(str(row["signs"]))} for row in found.rows]
    return dataclasses.replace(found, rows=rows)


def _counts(result: ScreenResult) -> str:
    ranked = result.ranked
    return (
        f"{result.persons_screened} persons screened, {len(ranked)} with signs, "
        f"{int(ranked['to_refer'].sum())} to refer, "
        f"{len(result.already_coded)} already coded, {len(result.surveillance_gap)} in the surveillance gap"
    )


class PopulationScreens:
    """The screens of this process: run in a background thread one at a time, the last few kept."""

    def __init__(self, runner: ScreenRunner = run_screen) -> None:
        self._runner = runner
        self._runs: dict[str, PopulationRun] = {}
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="population-screen")

    def sources(self, ctx: ServiceContext, *, actor: Actor | None) -> list[str]:
        """The names of the configured sources the actor may screen."""
        authorize(ctx, actor, Action.SCREEN_POPULATION)
        return sorted(ctx.settings.population_sources)

    def start(
        self, ctx: ServiceContext, *, actor: Actor | None, source: str, engine: str, as_of: date
    ) -> PopulationRun:
        """Queue a screen of a configured source as of a day, and audit that it was started.

        Raises:
            ValidationError: an unknown source or engine, or a day after today.
        """
        actor = authorize(ctx, actor, Action.SCREEN_POPULATION)
        chosen = _checked_engine(ctx, source, engine, as_of)
        run = PopulationRun(secrets.token_urlsafe(9), source, chosen, as_of, actor.username, ctx.now())
        with transaction(ctx) as session:
            detail = f"population screen {run.id} started: source {source!r} ({chosen}), as of {as_of}"
            audit(ctx, session, actor, Action.SCREEN_POPULATION, detail=detail)
        self._store(run)
        spec = ctx.settings.population_sources[source]
        self._executor.submit(self._work, ctx, actor, run, spec)
        return run

    def get(self, ctx: ServiceContext, *, actor: Actor | None, run_id: str) -> PopulationRun:
        """One run, as it is now.

        Raises:
            NotFoundError: no such run in this process (or it was dropped).
        """
        authorize(ctx, actor, Action.SCREEN_POPULATION)
        with self._lock:
            run = self._runs.get(run_id)
        if run is None:
            raise NotFoundError(f"no population screen {run_id!r} (runs are kept until the server restarts)")
        return run

    def runs(self, ctx: ServiceContext, *, actor: Actor | None) -> list[PopulationRun]:
        """The runs kept, newest first."""
        authorize(ctx, actor, Action.SCREEN_POPULATION)
        with self._lock:
            return sorted(self._runs.values(), key=lambda run: run.started_at, reverse=True)

    def exported(self, ctx: ServiceContext, *, actor: Actor | None, run_id: str) -> pd.DataFrame:
        """The ranked list of a finished run for download, with an ``export`` audit entry."""
        run = self.get(ctx, actor=actor, run_id=run_id)
        if run.result is None:
            raise ValidationError.single("run", f"run {run.id} has no result ({run.state.value})")
        with transaction(ctx) as session:
            detail = f"population screen {run.id}: ranked list downloaded ({len(run.result.ranked)} rows)"
            audit(ctx, session, actor, Action.EXPORT, detail=detail)
        frame: pd.DataFrame = run.result.ranked
        return frame

    def close(self) -> None:
        """Stop taking runs; a run in progress is left to end, queued ones are dropped."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _store(self, run: PopulationRun) -> None:
        with self._lock:
            self._runs[run.id] = run
            finished = sorted((r for r in self._runs.values() if r.finished), key=lambda r: r.started_at)
            for old in finished[: max(0, len(finished) - _KEEP)]:
                del self._runs[old.id]

    def _work(self, ctx: ServiceContext, actor: Actor, run: PopulationRun, spec: str) -> None:
        self._store(dataclasses.replace(run, state=RunState.RUNNING))
        try:
            result = self._runner(
                spec,
                engine=run.engine,
                kb=ctx.kb,
                as_of=run.as_of,
                memory_limit=ctx.settings.population_memory_limit,
            )
            met = result.ranked["signs"].map(lambda cell: frozenset(e.sign for e in sign_entries(str(cell))))
            report = render_report(result)
        except Exception as error:  # a failed run is shown and audited, never lost
            self._end(ctx, actor, run, error=_reason(error))
            return
        self._end(ctx, actor, run, result=result, met=met, report=report)

    def _end(
        self,
        ctx: ServiceContext,
        actor: Actor,
        run: PopulationRun,
        *,
        result: ScreenResult | None = None,
        met: pd.Series | None = None,
        report: str | None = None,
        error: str | None = None,
    ) -> None:
        state, outcome = (RunState.FAILED, Outcome.FAILED) if error else (RunState.DONE, Outcome.OK)
        counts = _counts(result) if result is not None else ""
        detail = f"population screen {run.id} " + (f"failed: {error}" if error else f"done: {counts}")
        try:
            with transaction(ctx) as session:
                audit(ctx, session, actor, Action.SCREEN_POPULATION, outcome=outcome, detail=detail)
        except Exception:  # an unaudited result is withheld, not shown
            _log.exception("population screen %s: the audit entry could not be written", run.id)
            state, result, met, report = RunState.FAILED, None, None, None
            error = "the end of the run could not be written to the audit log, so its result is withheld"
        ended = dataclasses.replace(
            run, state=state, finished_at=ctx.now(), error=error, result=result, signs_met=met, report=report
        )
        self._store(ended)


def _reason(error: Exception) -> str:
    if isinstance(error, ImmunocareError):
        return str(error)
    _log.exception("population screen failed")
    return f"the screen stopped on an unexpected {type(error).__name__}; the server log has the details"


def _checked_engine(ctx: ServiceContext, source: str, engine: str, as_of: date) -> Engine:
    issues = []
    if source not in ctx.settings.population_sources:
        known = ", ".join(sorted(ctx.settings.population_sources)) or "none is configured"
        issues.append(FieldIssue("source", f"{source!r} is not a configured source ({known})"))
    if engine not in ENGINES:
        issues.append(FieldIssue("engine", f"{engine!r}: use {' or '.join(ENGINES)}"))
    if as_of > ctx.today():
        issues.append(FieldIssue("as_of", f"{as_of} is after today"))
    if issues:
        raise ValidationError(issues)
    return next(e for e in ENGINES if e == engine)

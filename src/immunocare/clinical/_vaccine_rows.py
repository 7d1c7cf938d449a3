"""The rows of a vaccine challenge: one antigen's samples around a dose, and what they show.

The pre-vaccination sample is the latest on or before the day of the dose; the post-vaccination
sample is the first inside the sample window, else (a window that names a day) the one nearest
that day, else the first after the dose, flagged as early or late. Values are the laboratory
reading layer's (:mod:`immunocare.clinical.labs`): in the analyte's unit, or with the reason they
could not be converted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from immunocare.domain import Comparator, Evidence, Vaccination
from immunocare.domain.ages import add_duration, duration_label
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.analytes import Analyte
from immunocare.knowledge.topics.diagnostic_vaccination import (
    PairedResponse,
    ProtectiveLevel,
    ResponderStatus,
    SampleWindow,
)

from .labs import LabReading

__all__ = [
    "POLYSACCHARIDE",
    "AntigenRow",
    "Timing",
    "antigen_row",
    "describe",
    "fold_rise",
    "protective",
    "rules_for",
    "timing",
    "window_text",
]

POLYSACCHARIDE = "pneumococcal_polysaccharide"
"""The sample-window target of the pneumococcal polysaccharide response."""

_BELOW = (Comparator.LT, Comparator.LE)
_ABOVE = (Comparator.GT, Comparator.GE)


class Timing(StrEnum):
    """When the post-vaccination sample was drawn, against the sample window."""

    IN_WINDOW = "in_window"
    EARLY = "early"
    LATE = "late"
    TARGET_DAY = "target_day"


@dataclass(frozen=True, slots=True, kw_only=True)
class AntigenRow:
    """One antigen of a challenge: a table row with its samples and what they show.

    Attributes:
        analyte: the knowledge-base analyte id.
        antigen: the antigen in words (``Serotype 14``, or the analyte's title).
        unit: the unit of the values (the analyte's).
        pre: the pre-vaccination sample, if any.
        post: the post-vaccination sample, if any.
        days_after: days from the dose to the post sample.
        timing: the post sample against the window.
        fold_rise: post / pre (infinite over a zero baseline).
        protective: the post level meets the protective level (``None``: no level, or cannot tell).
        responder: the paired rule's responder status, with both samples.
        excluded: why a serotype is left out of the grading (a conjugate vaccine covered it).
        problem: why the samples could not be read (e.g. a titre in a unit that does not convert).
        approximate: a bound ("< 0.1") was used as a value.
    """

    analyte: str
    antigen: str
    unit: str
    pre: LabReading | None = None
    post: LabReading | None = None
    days_after: int | None = None
    timing: Timing | None = None
    fold_rise: float | None = None
    protective: bool | None = None
    responder: ResponderStatus | None = None
    excluded: str | None = None
    problem: str | None = None
    approximate: bool = False

    @property
    def judged(self) -> bool:
        """Whether the row counts: a readable post value, not left out."""
        return self.excluded is None and self.problem is None and self.post is not None

    def evidence(self) -> tuple[Evidence, ...]:
        """The laboratory results of the row."""
        return tuple(e for reading in (self.pre, self.post) if reading for e in reading.evidence())


def window_text(window: SampleWindow) -> str:
    """A sample window in words: ``4 weeks to 8 weeks after vaccination``."""
    if window.earliest and window.latest:
        return f"{duration_label(window.earliest)} to {duration_label(window.latest)} after vaccination"
    if window.earliest or window.latest:
        bound = window.earliest or window.latest
        assert bound is not None
        return f"{'from' if window.earliest else 'by'} {duration_label(bound)} after vaccination"
    assert window.target is not None
    return f"{duration_label(window.target)} after vaccination"


def antigen_row(
    readings: list[LabReading],
    vaccination: Vaccination,
    analyte: Analyte,
    window: SampleWindow,
    rules: tuple[ProtectiveLevel | None, PairedResponse | None],
    until: date | None = None,
) -> AntigenRow:
    """One antigen's row: its samples around the dose (before ``until``, the next dose) and what they show.

    Args:
        readings: the analyte's readings, oldest first.
        vaccination: the dose.
        analyte: the antigen's analyte.
        window: the sample window of the dose's target.
        rules: the analyte's protective level and paired responder rule, where the knowledge base has them.
        until: the day of the next dose of the same target, if any.
    """
    dose_day = vaccination.given_on
    before = [r for r in readings if r.day <= dose_day]
    after = [r for r in readings if r.day > dose_day and (until is None or r.day < until)]
    antigen = f"Serotype {analyte.serotype}" if analyte.serotype else analyte.title
    row = AntigenRow(
        analyte=analyte.id, antigen=antigen, unit=analyte.unit, pre=before[-1] if before else None
    )
    post = _post(after, dose_day, window)
    if post is None:
        return row
    row = replace(
        row, post=post, days_after=(post.day - dose_day).days, timing=timing(window, dose_day, post.day)
    )
    problem = next((r.problem for r in (row.pre, post) if r is not None and r.problem), None)
    if problem is None and post.value is None:
        problem = f"the post-vaccination result {post.shown!r} has no number"
    if problem:
        return replace(row, problem=problem)
    return _judge(row, post, rules)


def _judge(
    row: AntigenRow, post: LabReading, rules: tuple[ProtectiveLevel | None, PairedResponse | None]
) -> AntigenRow:
    level, paired = rules
    pre = row.pre if row.pre is not None and row.pre.value is not None else None
    responder = None
    if paired is not None and pre is not None:
        responder = paired.status(_in(pre, paired.unit), _in(post, paired.unit))
    return replace(
        row,
        fold_rise=fold_rise(post, pre),
        protective=protective(level, post) if level else None,
        responder=responder,
        approximate=any(r is not None and r.comparator is not None for r in (pre, post)),
    )


def _in(reading: LabReading, unit: str) -> float:
    assert reading.value is not None
    return reading.value.value_in(unit)


def fold_rise(post: LabReading, pre: LabReading | None) -> float | None:
    """Post / pre in the analyte's unit (infinite over a zero baseline); ``None`` without a pre value."""
    if pre is None or pre.value is None or post.value is None:
        return None
    return post.value.value / pre.value.value if pre.value.value else math.inf


def protective(level: ProtectiveLevel, reading: LabReading) -> bool | None:
    """Whether the level is protective; ``None`` when a bound or a gap between the thresholds cannot tell."""
    value = _in(reading, level.unit)
    holds = level.protective.holds(value)
    if (reading.comparator in _BELOW and holds) or (reading.comparator in _ABOVE and not holds):
        return None
    if holds:
        return True
    if level.not_protective is not None and not level.not_protective.holds(value):
        return None
    return False


def timing(window: SampleWindow, dose_day: date, day: date) -> Timing:
    """A sample drawn on ``day`` against the window of a dose given on ``dose_day``."""
    if window.earliest is None and window.latest is None:
        return Timing.TARGET_DAY
    if window.earliest is not None and day < add_duration(dose_day, window.earliest):
        return Timing.EARLY
    if window.latest is not None and day > add_duration(dose_day, window.latest):
        return Timing.LATE
    return Timing.IN_WINDOW


def _post(after: list[LabReading], dose_day: date, window: SampleWindow) -> LabReading | None:
    """The first sample inside the window; else the one nearest a target day; else the first after."""
    inside = [r for r in after if timing(window, dose_day, r.day) is Timing.IN_WINDOW]
    if inside:
        return inside[0]
    if window.target is not None and window.earliest is None and window.latest is None:
        target = add_duration(dose_day, window.target)
        return min(after, key=lambda r: (abs((r.day - target).days), r.day), default=None)
    return after[0] if after else None


def describe(row: AntigenRow, window: SampleWindow) -> str:
    """The row in one line, for explanations."""
    if row.excluded:
        return f"{row.antigen}: left out, {row.excluded}"
    if row.problem:
        return f"{row.antigen}: {row.problem}"
    if row.post is None:
        before = f" (the latest, on {row.pre.day.isoformat()}, is before it)" if row.pre else ""
        return f"{row.antigen}: no sample after the vaccination{before}"
    text = f"{row.antigen}: {row.post.shown} on day {row.days_after}"
    if row.pre is not None:
        text += f", {row.pre.shown} before"
    if row.fold_rise is not None:
        text += f", {row.fold_rise:.1f}-fold rise" if math.isfinite(row.fold_rise) else ", rise from zero"
    text += {True: ", protective", False: ", not protective", None: ""}[row.protective]
    text += f", responder status {row.responder}" if row.responder else ""
    if row.timing in (Timing.EARLY, Timing.LATE):
        text += f" (drawn {row.timing.value}: the window is {window_text(window)})"
    elif row.timing is Timing.TARGET_DAY and window.target and row.days_after is not None:
        shortest, longest = window.target.span_in_days()
        if not shortest <= row.days_after <= longest:
            text += f" (the source draws it {window_text(window)})"
    return text


def rules_for(kb: KnowledgeBase, analyte: str) -> tuple[ProtectiveLevel | None, PairedResponse | None]:
    """The analyte's protective level and paired responder rule, where the knowledge base has them."""
    level = next((item for item in kb.of(ProtectiveLevel) if analyte in item.analytes), None)
    return level, next((item for item in kb.of(PairedResponse) if analyte in item.analytes), None)

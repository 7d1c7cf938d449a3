"""Leaves over laboratory results: against the age-related reference, against a fixed threshold."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date

from immunocare.domain import Comparator, Finding, Quantity
from immunocare.domain.units import UNITS
from immunocare.errors import ValidationError
from immunocare.knowledge.topics._criteria import LabReference, LabThreshold

from ..labs import LabReading
from ._common import MET, NOT_MET, UNDETERMINED, leaf_finding
from ._evaluation import Evaluation

__all__ = ["lab_reference", "lab_threshold"]

_BELOW = (Comparator.LT, Comparator.LE)
_ABOVE = (Comparator.GT, Comparator.GE)

Verdict = bool | None
"""Whether one reading qualifies: yes, no, or cannot tell."""


def _below(reading: LabReading, limit: float | None) -> Verdict:
    if limit == -math.inf:
        return False
    if limit is None or reading.value is None:
        return None
    value, comparator = reading.value.value, reading.comparator
    if comparator in _BELOW:
        return True if value <= limit else None
    if comparator in _ABOVE:
        return False if value >= limit else None
    return value < limit


def _above(reading: LabReading, limit: float | None) -> Verdict:
    if limit == math.inf:
        return False
    if limit is None or reading.value is None:
        return None
    value, comparator = reading.value.value, reading.comparator
    if comparator in _ABOVE:
        return True if value >= limit else None
    if comparator in _BELOW:
        return False if value <= limit else None
    return value > limit


def _negate(verdict: Verdict) -> Verdict:
    return None if verdict is None else not verdict


def _low(reading: LabReading) -> float | None:
    """The lower limit; minus infinity for a reference without one (nothing is below it)."""
    if reading.reference is None:
        return None
    return -math.inf if reading.reference.low is None else reading.reference.low


def _high(reading: LabReading) -> float | None:
    """The upper limit; infinity for a reference without one (nothing is above it)."""
    if reading.reference is None:
        return None
    return math.inf if reading.reference.high is None else reading.reference.high


def _scaled(limit: float | None, factor: float) -> float | None:
    return None if limit is None else factor * limit


def _central(reading: LabReading, factor: float) -> float | None:
    reference = reading.reference
    if reference is None or reference.low is None or reference.high is None:
        return None
    return factor * (reference.low + reference.high) / 2


def _within(reading: LabReading) -> Verdict:
    under, over = _below(reading, _low(reading)), _above(reading, _high(reading))
    if under is None or over is None:
        return None
    return not under and not over


_SIMPLE: dict[str, Callable[[LabReading], Verdict]] = {
    "below_lower_limit": lambda r: _below(r, _low(r)),
    "at_or_above_lower_limit": lambda r: _negate(_below(r, _low(r))),
    "above_upper_limit": lambda r: _above(r, _high(r)),
    "within_limits": _within,
}


def _reference_test(
    leaf: LabReference, evaluation: Evaluation
) -> tuple[Callable[[LabReading], Verdict], str, bool]:
    """The per-reading test of a relation, how it is read, and whether that reading is verified."""
    factor = leaf.value or 0.0
    if leaf.relation in ("below_sd", "at_or_above_sd"):
        reading = evaluation.sd_readings.get(factor)
        if reading is None:
            return (lambda r: None), f"no reading of {factor:g} SD against a reference interval", True
        below: Callable[[LabReading], Verdict] = _SIMPLE["below_lower_limit"]
        test = below if leaf.relation == "below_sd" else _SIMPLE["at_or_above_lower_limit"]
        return test, f"read as: {reading.title.lower()}", reading.verified
    if leaf.relation == "above_times_upper_limit":
        return (lambda r: _above(r, _scaled(_high(r), factor))), f"{factor:g} × the upper limit", True
    if leaf.relation == "below_fraction_of_central":
        return (lambda r: _below(r, _central(r, factor))), f"{factor:.0%} of the middle of the interval", True
    return _SIMPLE[leaf.relation], "", True


def _usable(leaf: LabReference | LabThreshold, evaluation: Evaluation) -> tuple[list[LabReading], str, bool]:
    """The analyte's readings up to the evaluation day, without those a treatment confounds."""
    readings = evaluation.labs.of_analyte(leaf.analyte, until=evaluation.as_of)
    confound = evaluation.confounded_from.get(leaf.analyte)
    if confound is None:
        return readings, "", True
    start, item = confound
    kept = [r for r in readings if r.day < start]
    dropped = len(readings) - len(kept)
    if not dropped:
        return kept, "", True
    note = f"{dropped} result(s) from {start.isoformat()} on are not used: {item.title.lower()}"
    return kept, note, item.verified


def _judge(
    leaf: LabReference | LabThreshold,
    evaluation: Evaluation,
    readings: list[LabReading],
    verdict_of: Callable[[LabReading], Verdict],
    context: list[str],
    verified: bool,
) -> Finding:
    """A laboratory leaf's finding from per-reading verdicts and the number of separate days it needs."""
    verdicts = [(reading, verdict_of(reading)) for reading in readings]
    qualifying = [r for r, v in verdicts if v is True]
    decided = [r for r, v in verdicts if v is not None]
    days = sorted({r.day for r in qualifying})
    test = evaluation.tests_by_analyte.get(leaf.analyte)
    orders = (test.id,) if test else ()
    analyte = evaluation.kb.get(leaf.analyte).title
    note = "; ".join(part for part in context if part)

    def why(text: str) -> str:
        return text + (f" ({note})" if note else "")

    def evidence(chosen: list[LabReading]) -> tuple:  # type: ignore[type-arg]
        return tuple(e for r in chosen for e in r.evidence())

    if len(days) >= leaf.times:
        shown = "; ".join(r.describe() for r in qualifying)
        return leaf_finding(leaf, MET, why(shown), evidence=evidence(qualifying), verified=verified)
    if not readings:
        return leaf_finding(
            leaf,
            UNDETERMINED,
            why(f"no {analyte} result"),
            missing=(leaf.analyte,),
            orders=orders,
            verified=verified,
        )
    if not decided:
        shown = "; ".join(r.describe() for r in readings)
        return leaf_finding(
            leaf,
            UNDETERMINED,
            why(f"cannot compare: {shown}"),
            evidence=evidence(readings),
            missing=(f"a reference for {analyte} at this age",),
            verified=verified,
        )
    if days:
        text = f"{len(days)} of the {leaf.times} results on separate days needed: " + "; ".join(
            r.describe() for r in qualifying
        )
        return leaf_finding(
            leaf,
            UNDETERMINED,
            why(text),
            evidence=evidence(qualifying),
            missing=(f"a repeat {analyte} on another day",),
            orders=orders,
            verified=verified,
        )
    shown = "; ".join(r.describe() for r in decided)
    return leaf_finding(leaf, NOT_MET, why(shown), evidence=evidence(decided), verified=verified)


def lab_reference(leaf: LabReference, evaluation: Evaluation) -> Finding:
    """Results compared with the age-related reference of their analyte."""
    readings, dropped, confound_verified = _usable(leaf, evaluation)
    verdict_of, reading_note, reading_verified = _reference_test(leaf, evaluation)
    references_verified = all(r.reference.verified for r in readings if r.reference)
    verified = confound_verified and reading_verified and references_verified
    return _judge(leaf, evaluation, readings, verdict_of, [reading_note, dropped], verified)


def _threshold_at(leaf: LabThreshold, birth: date, day: date) -> float | None:
    for band in leaf.bands:
        if band.age.contains(birth, day):
            return band.value
    return None


def lab_threshold(leaf: LabThreshold, evaluation: Evaluation) -> Finding:
    """Results strictly below or above a fixed, possibly age-banded threshold."""
    readings, dropped, verified = _usable(leaf, evaluation)
    birth = evaluation.record.patient.birth_date
    unit = UNITS[leaf.unit].display

    def verdict(reading: LabReading) -> Verdict:
        threshold = _threshold_at(leaf, birth, reading.day)
        if threshold is None or reading.value is None:
            return False if threshold is None else None
        try:
            converted = Quantity(reading.value.value, reading.value.unit).to(leaf.unit)
        except ValidationError:
            return None
        moved = LabReading(
            reading.result,
            reading.analyte,
            reading.collected_at,
            converted,
            reading.comparator,
            reading.reference,
            reading.flag,
        )
        return (_below if leaf.relation == "below" else _above)(moved, threshold)

    limits = ", ".join(f"{band.value:g} {unit}" for band in leaf.bands)
    return _judge(
        leaf, evaluation, readings, verdict, [f"{leaf.relation} {limits} for the age", dropped], verified
    )

"""The work-up page's content arranged for reading.

Results by analyte with their plots, the plan by protocol, and every recommendation in one list,
the most urgent first.
"""

from __future__ import annotations

import math
import typing
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from immunocare.clinical.labs import Flag, LabReading
from immunocare.clinical.workup import ClinicalDiagnosis, PatternPlan, PlannedStage
from immunocare.domain import Finding, Patient, Quantity, Recommendation, Urgency
from immunocare.domain.ages import add_duration
from immunocare.domain.units import UNITS
from immunocare.knowledge import KnowledgeBase
from immunocare.knowledge.topics.analytes import Analyte
from immunocare.knowledge.topics.reference_intervals import ReferenceTable, preferred_table
from immunocare.services.assessments import PatientWorkup

from .plot import Band, Chart, Marker, Point, svg

__all__ = ["AnalyteResults", "LabRow", "ProtocolPlan", "WorkupPage", "fold", "workup_page"]

_OUTSIDE = (Flag.LOW, Flag.HIGH)


@dataclass(frozen=True, slots=True)
class LabRow:
    """One reading, and whether it was sampled on immunoglobulin replacement (the rules leave it out)."""

    reading: LabReading
    on_replacement: bool


@dataclass(frozen=True, slots=True)
class AnalyteResults:
    """One analyte's readings, newest first, with its plot when it has two values or more.

    ``table`` is the reference table whose age bands the plot shades.
    """

    key: str
    title: str
    rows: tuple[LabRow, ...]
    plot: Markup | None = None
    table: ReferenceTable | None = None


@dataclass(frozen=True, slots=True)
class ProtocolPlan:
    """A protocol of the work-up plan, with every presenting pattern that leads to it."""

    title: str
    urgency: Urgency
    reasons: tuple[Finding, ...]
    stages: tuple[PlannedStage, ...]
    next_stage: PlannedStage | None
    diagnosis: ClinicalDiagnosis | None


@dataclass(frozen=True, slots=True)
class WorkupPage:
    """What the work-up template lays out."""

    analytes: tuple[AnalyteResults, ...]
    protocols: tuple[ProtocolPlan, ...]
    recommendations: tuple[Recommendation, ...]


def _in_unit(value: float | None, unit: str, target: str) -> float | None:
    return None if value is None else Quantity(value, unit).value_in(target)


def _bands(
    kb: KnowledgeBase, analyte: Analyte, patient: Patient
) -> tuple[tuple[Band, ...], ReferenceTable | None]:
    """The preferred table's bands for the patient's sex, as the dates the patient is in each."""
    table = preferred_table(kb, analyte.id)
    if table is None:
        return (), None
    born = patient.birth_date
    bands = tuple(
        Band(
            start=add_duration(born, band.age_from),
            end=add_duration(born, band.age_to) if band.age_to is not None else None,
            low=_in_unit(band.low, table.unit, analyte.unit),
            high=_in_unit(band.high, table.unit, analyte.unit),
            label=band.label,
        )
        for band in table.bands
        if band.sex in ("any", patient.sex.value)
    )
    return bands, table


def _label(row: LabRow) -> str:
    reading = row.reading
    text = f"{reading.shown} on {reading.day:%d %b %Y}"
    if reading.flag in _OUTSIDE:
        text += f", {reading.flag.value}" + (f" ({reading.distance})" if reading.distance else "")
    return text + (", on immunoglobulin replacement" if row.on_replacement else "")


def _point(row: LabRow) -> Point | None:
    reading = row.reading
    if reading.value is None or reading.problem is not None:
        return None
    return Point(
        day=reading.day,
        value=reading.value.value,
        label=_label(row),
        outside=reading.flag in _OUTSIDE,
        bound=reading.comparator is not None,
    )


def _plot(rows: list[LabRow], analyte: Analyte, workup: PatientWorkup, kb: KnowledgeBase) -> AnalyteResults:
    points = tuple(point for row in rows if (point := _point(row)) is not None)
    bands, table = _bands(kb, analyte, workup.record.patient)
    key = analyte.id
    results = AnalyteResults(key, analyte.title, tuple(reversed(rows)), table=table)
    if len(points) < 2:
        return results
    start = workup.confounded_from.get(analyte.id)
    chart = Chart(
        title=analyte.title,
        unit=UNITS[analyte.unit].display,
        points=points,
        bands=bands,
        band_source=table.title if table else None,
        markers=(Marker(start[0], f"First immunoglobulin infusion, {start[0]:%d %b %Y}"),) if start else (),
    )
    return AnalyteResults(key, analyte.title, results.rows, svg(chart, ident=f"plot-{key}"), table)


def _on_replacement(reading: LabReading, confounded_from: dict[str, tuple[date, str]]) -> bool:
    start = confounded_from.get(reading.analyte_id or "")
    return start is not None and reading.day >= start[0]


def _analytes(workup: PatientWorkup, kb: KnowledgeBase) -> tuple[AnalyteResults, ...]:
    """Every analyte's results by group (immunoglobulins first), then in the knowledge base's order."""
    grouped: dict[str, list[LabRow]] = defaultdict(list)
    for reading in workup.readings:
        grouped[reading.analyte_id or reading.name].append(
            LabRow(reading, _on_replacement(reading, workup.confounded_from))
        )
    groups = typing.get_args(Analyte.model_fields["group"].annotation)
    order = {a.id: (groups.index(a.group), index) for index, a in enumerate(kb.of(Analyte))}
    found = []
    for key in sorted(grouped, key=lambda k: (order.get(k, (len(groups), 0)), k)):
        rows = grouped[key]
        analyte = rows[0].reading.analyte
        if analyte is None:
            found.append(AnalyteResults(key, rows[0].reading.name, tuple(reversed(rows))))
        else:
            found.append(_plot(rows, analyte, workup, kb))
    return tuple(found)


def _protocols(plans: tuple[PatternPlan, ...]) -> tuple[ProtocolPlan, ...]:
    """The plans of one protocol together: the stages once, every pattern that led to them."""
    by_protocol: dict[str, list[PatternPlan]] = defaultdict(list)
    for plan in plans:
        by_protocol[plan.protocol].append(plan)
    return tuple(
        ProtocolPlan(
            title=group[0].title,
            urgency=max((plan.urgency for plan in group), key=list(Urgency).index),
            reasons=tuple(plan.finding for plan in group),
            stages=group[0].stages,
            next_stage=group[0].next_stage,
            diagnosis=group[0].diagnosis,
        )
        for group in by_protocol.values()
    )


def _recommendations(workup: PatientWorkup) -> tuple[Recommendation, ...]:
    """Every recommendation of the page, each once, the most urgent first."""
    recognition = workup.recognition
    every = (
        *recognition.referral_advice,
        *workup.plan.recommendations,
        *(advice.recommendation for advice in workup.plan.imaging if advice.recommendation),
        *workup.family_testing,
        *workup.vaccines.recommendations,
        *recognition.secondary_advice,
    )
    unique: dict[str, Recommendation] = {}
    for recommendation in every:
        unique.setdefault(recommendation.text, recommendation)
    return tuple(sorted(unique.values(), key=lambda r: list(Urgency).index(r.urgency), reverse=True))


def fold(rise: float | None) -> str:
    """A fold rise as a table shows it.

    >>> fold(8.0), fold(math.inf), fold(None)
    ('8.0×', 'from zero', '—')
    """
    if rise is None:
        return "—"
    return f"{rise:.1f}×" if math.isfinite(rise) else "from zero"


def workup_page(workup: PatientWorkup, kb: KnowledgeBase) -> WorkupPage:
    """The work-up page of one patient."""
    return WorkupPage(
        analytes=_analytes(workup, kb),
        protocols=_protocols(workup.plan.plans),
        recommendations=_recommendations(workup),
    )

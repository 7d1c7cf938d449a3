"""Server-rendered SVG plots of one analyte over time against its age-banded reference.

A :class:`Chart` holds the points (each flagged when outside its reference), the reference bands as
dated segments (the band steps where the patient moves from one age band to the next) and dated
markers (the start of a treatment). :func:`svg` draws it as inline SVG with a ``<title>`` and a
``<desc>`` that says in words what the picture shows; every point carries its own ``<title>``.
No JavaScript, no dependency.

>>> from datetime import date
>>> chart = Chart(
...     title="IgG",
...     unit="g/L",
...     points=(Point(date(2024, 1, 5), 3.1, "3.1 g/L on 5 Jan 2024, low", outside=True),
...             Point(date(2024, 3, 5), 3.3, "3.3 g/L on 5 Mar 2024, low", outside=True)),
...     bands=(Band(date(2000, 1, 1), None, 7.67, 15.9, "≥18 years"),),
... )
>>> html = svg(chart, ident="igg")
>>> html.startswith('<svg') and 'role="img"' in html and "<desc" in html
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup

__all__ = ["Band", "Chart", "Marker", "Point", "date_ticks", "nice_ticks", "svg"]

_WIDTH, _HEIGHT = 560, 240
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 16, 28, 44
_MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60, 120)
_VALUE_TICKS = 5
_DATE_TICKS = 7
_MIN_PAD_DAYS = 20
_HEADROOM = 1.15
_HALF_CHAR = 4
"""About half the width of a tick label's character, in the plot's units."""


@dataclass(frozen=True, slots=True)
class Point:
    """One result: its day, value (in the chart's unit), a label for people, and whether it is flagged."""

    day: date
    value: float
    label: str
    outside: bool = False
    bound: bool = False


@dataclass(frozen=True, slots=True)
class Band:
    """A reference band from ``start`` to ``end`` (``None``: open-ended); a missing limit is unbounded."""

    start: date
    end: date | None
    low: float | None
    high: float | None
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Marker:
    """A dated event drawn as a vertical line (the first immunoglobulin infusion)."""

    day: date
    label: str


@dataclass(frozen=True, slots=True)
class Chart:
    """What one plot shows."""

    title: str
    unit: str
    points: tuple[Point, ...]
    bands: tuple[Band, ...] = ()
    band_source: str | None = None
    markers: tuple[Marker, ...] = ()


def nice_ticks(top: float) -> list[float]:
    """Round tick values from 0 to at least ``top`` (steps of 1, 2 or 5 times a power of ten).

    >>> nice_ticks(17)
    [0, 5, 10, 15, 20]
    >>> nice_ticks(2.4)
    [0, 0.5, 1.0, 1.5, 2.0, 2.5]
    >>> nice_ticks(0.9)
    [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    """
    if top <= 0:
        return [0, 1]
    raw = top / _VALUE_TICKS
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    count = math.ceil(top / step - 1e-9)
    return [0, *(round(step * i, 12) for i in range(1, count + 1))]


def _months(day: date) -> int:
    return day.year * 12 + day.month - 1


def date_ticks(first: date, last: date) -> list[tuple[date, str]]:
    """Calendar ticks between two days: month starts (``Mar 2024``) or year starts (``2024``).

    >>> [label for _, label in date_ticks(date(2020, 1, 10), date(2026, 6, 1))]
    ['2021', '2022', '2023', '2024', '2025', '2026']
    """
    span = _months(last) - _months(first) + 1
    step = next((s for s in _MONTH_STEPS if span / s <= _DATE_TICKS), _MONTH_STEPS[-1])
    start = _months(first) + 1
    ticks = []
    for index in range(start, _months(last) + 1):
        if index % step:
            continue
        day = date(index // 12, index % 12 + 1, 1)
        ticks.append((day, str(day.year) if step >= 12 else day.strftime("%b %Y")))
    return ticks or [(first, first.strftime("%d %b %Y"))]


@dataclass(frozen=True)
class _Frame:
    """The plot area and its scales."""

    first: date
    last: date
    top: float

    def x(self, day: date) -> float:
        span = max((self.last - self.first).days, 1)
        return _LEFT + (day - self.first).days / span * (_WIDTH - _LEFT - _RIGHT)

    def y(self, value: float) -> float:
        return _HEIGHT - _BOTTOM - value / self.top * (_HEIGHT - _TOP - _BOTTOM)

    def shows(self, band: Band) -> bool:
        return band.start < self.last and (band.end is None or band.end > self.first)


def _frame(chart: Chart) -> _Frame:
    days = [p.day for p in chart.points] + [m.day for m in chart.markers]
    first, last = min(days), max(days)
    pad = timedelta(days=max((last - first).days // 20, _MIN_PAD_DAYS))
    first, last = first - pad, last + pad
    in_view = [b for b in chart.bands if b.start < last and (b.end is None or b.end > first)]
    limits = [limit for band in in_view for limit in (band.low, band.high) if limit is not None]
    top = max([p.value for p in chart.points] + limits) * _HEADROOM
    return _Frame(first, last, nice_ticks(top)[-1])


def _number(value: float) -> str:
    return f"{value:.4g}"


_LINE = Markup('<line class="{}" x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}"/>')
_TEXT = Markup('<text class="{}" x="{:.1f}" y="{:.1f}" text-anchor="{}">{}</text>')


def _axes(chart: Chart, frame: _Frame) -> list[Markup]:
    bottom, right = _HEIGHT - _BOTTOM, _WIDTH - _RIGHT
    parts = [_LINE.format("axis", _LEFT, bottom, right, bottom)]
    for value in nice_ticks(frame.top):
        y = frame.y(value)
        parts.append(_LINE.format("grid", _LEFT, y, right, y))
        parts.append(_TEXT.format("tick", _LEFT - 6, y + 4, "end", _number(value)))
    for day, label in date_ticks(frame.first, frame.last):
        x = frame.x(day)
        if x + len(label) * _HALF_CHAR > _WIDTH:
            continue
        parts.append(_LINE.format("axis", x, bottom, x, bottom + 5))
        parts.append(_TEXT.format("tick", x, bottom + 18, "middle", label))
    parts.append(_TEXT.format("unit", _LEFT - 6, _TOP - 10, "end", chart.unit))
    parts.append(_TEXT.format("unit", right, _HEIGHT - 6, "end", "date of sample"))
    return parts


def _bands(chart: Chart, frame: _Frame) -> list[Markup]:
    parts = []
    for band in filter(frame.shows, chart.bands):
        start, end = max(band.start, frame.first), min(band.end or frame.last, frame.last)
        x1, x2 = frame.x(start), frame.x(end)
        high = frame.y(band.high) if band.high is not None else float(_TOP)
        low = frame.y(band.low) if band.low is not None else frame.y(0)
        parts.append(
            Markup(
                '<rect class="band" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}">'
                "<title>{}</title></rect>"
            ).format(x1, high, x2 - x1, max(low - high, 0), _band_text(chart, band))
        )
        parts += [
            _LINE.format("limit", x1, frame.y(v), x2, frame.y(v))
            for v in (band.low, band.high)
            if v is not None
        ]
    return parts


def _band_text(chart: Chart, band: Band) -> str:
    low, high = band.low, band.high
    if low is not None and high is not None:
        limits = f"{_number(low)}–{_number(high)}"
    elif low is not None:
        limits = f"≥ {_number(low)}"
    else:
        limits = f"≤ {_number(high or 0)}"
    return f"reference {limits} {chart.unit}" + (f" ({band.label})" if band.label else "")


def _markers(chart: Chart, frame: _Frame) -> list[Markup]:
    parts = []
    for marker in chart.markers:
        x = frame.x(marker.day)
        left = x > _WIDTH / 2
        parts.append(_LINE.format("marker", x, _TOP, x, _HEIGHT - _BOTTOM))
        parts.append(
            _TEXT.format(
                "marker-label", x - 4 if left else x + 4, _TOP - 10, "end" if left else "start", marker.label
            )
        )
    return parts


def _points(chart: Chart, frame: _Frame) -> list[Markup]:
    coords = [(frame.x(p.day), frame.y(p.value)) for p in chart.points]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    parts = [Markup('<polyline class="trend" points="{}"/>').format(line)] if len(coords) > 1 else []
    for point, (x, y) in zip(chart.points, coords, strict=True):
        kind = ("outside" if point.outside else "inside") + (" bound" if point.bound else "")
        parts.append(
            Markup(
                '<circle class="point {}" cx="{:.1f}" cy="{:.1f}" r="{}"><title>{}</title></circle>'
            ).format(kind, x, y, 5 if point.outside else 4, point.label)
        )
    return parts


def _description(chart: Chart, frame: _Frame) -> str:
    outside = sum(p.outside for p in chart.points)
    first, last = chart.points[0].day, chart.points[-1].day
    text = (
        f"{len(chart.points)} results of {chart.title} from {first:%d %b %Y} to {last:%d %b %Y}, "
        f"{outside} outside the reference: " + "; ".join(p.label for p in chart.points) + "."
    )
    bands = list(filter(frame.shows, chart.bands))
    if bands:
        text += " Shaded: " + "; then ".join(_band_text(chart, b) for b in bands)
        text += f", from {chart.band_source}." if chart.band_source else "."
    return text + "".join(f" {m.label}." for m in chart.markers)


def svg(chart: Chart, *, ident: str) -> Markup:
    """The chart as an inline ``<svg>`` element; ``ident`` makes its element ids unique on the page.

    Raises:
        ValueError: the chart has no point.
    """
    if not chart.points:
        raise ValueError("a chart needs at least one point")
    frame = _frame(chart)
    body = _bands(chart, frame) + _axes(chart, frame) + _markers(chart, frame) + _points(chart, frame)
    head = Markup(
        '<svg class="plot" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-desc" '
        'xmlns="http://www.w3.org/2000/svg"><title id="{}-title">{} over time ({})</title>'
        '<desc id="{}-desc">{}</desc>'
    ).format(_WIDTH, _HEIGHT, ident, ident, ident, chart.title, chart.unit, ident, _description(chart, frame))
    return head + Markup("").join(body) + Markup("</svg>")

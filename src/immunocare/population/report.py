"""The screen's HTML report: one self-contained page a referral team can file or mail.

:func:`render_report` turns a :class:`~immunocare.population.screen.ScreenResult` into HTML with no
external resource (no CDN, no script, no web font): the run's stamp (knowledge-base version, as-of
day, engine, source), its notices (signs resting on unverified knowledge are named), the sign
definitions with their weights and sources, three plots drawn by matplotlib as inline SVG (the
score distribution, how many persons met each sign, the top persons' scores) and the top persons
with the signs they met and the reasons. Persons appear by their pseudonymous ``person_id`` only;
the report never shows a name, because the result holds none.

:func:`sign_entries` reads one person's ``signs`` cell (the JSON list of the contract), and
:func:`persons_per_sign` counts the persons who met each sign; the web page uses both as well.
"""

from __future__ import annotations

import io
import json
import re
import textwrap
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import matplotlib
import pandas as pd
from jinja2 import Environment, StrictUndefined, Template
from markupsafe import Markup
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from immunocare.population.screen import (
        ScreenResult,
        SignDefinition,
    )

__all__ = ["SignEntry", "persons_per_sign", "render_report", "sign_entries"]

_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
"""matplotlib's RDF block (creator, format): nothing a reader needs, and it names outside schemas."""
_ACCENT, _WARN = "#2b6a8a", "#8a5300"
_INCH_WIDTH = 7.2
_BAR_INCHES = 0.32
_MIN_HEIGHT_INCHES = 2.4
_HEADER_INCHES = 1.1
_MAX_SCORE_BARS = 40
"""Up to this many distinct scores, each gets its own bar; more, and they are binned."""
_BAR_FILL = 0.75
_LABEL_WIDTH = 40
"""Characters per line of a sign's label in the plots."""
_TOP_BARS = 25
"""How many of the top persons the third plot shows (the table shows ``top``)."""
_LIST_ROWS = 20
"""How many rows of the surveillance-gap and already-coded lists the report shows."""


@dataclass(frozen=True, slots=True)
class SignEntry:
    """One sign a person met: how often, first and last day, and the codes that triggered it."""

    sign: str
    title: str
    count: int
    first: str
    last: str
    codes: tuple[str, ...]


def sign_entries(cell: str) -> tuple[SignEntry, ...]:
    """The signs of one ``ranked`` row, from its JSON ``signs`` cell.

    >>> cell = '[{"sign": "pneumonia", "title": "Pneumonia", "count": 2, "first": "2025-01-04",'
    >>> cell += ' "last": "2025-09-30", "codes": ["J18.9", "255848"]}]'
    >>> [(s.sign, s.count, s.codes) for s in sign_entries(cell)]
    [('pneumonia', 2, ('J18.9', '255848'))]
    """
    items: list[dict[str, Any]] = json.loads(cell) if cell else []
    return tuple(
        SignEntry(
            sign=str(item["sign"]),
            title=str(item.get("title", item["sign"])),
            count=int(item.get("count", 0)),
            first=str(item.get("first", "")),
            last=str(item.get("last", "")),
            codes=tuple(str(code) for code in item.get("codes", ())),
        )
        for item in items
    )


def persons_per_sign(ranked: pd.DataFrame) -> Counter[str]:
    """How many persons of ``ranked`` met each sign (by sign id)."""
    return Counter(entry.sign for cell in ranked["signs"] for entry in sign_entries(str(cell)))


def _svg(figure: Figure) -> Markup:
    buffer = io.StringIO()
    # text stays text in the SVG (searchable, small); ids are stable from run to run
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "immunocare-population-report"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = _METADATA.sub("", buffer.getvalue())
    return Markup(text[text.index("<svg") :])  # noqa: S704 - matplotlib's own SVG, no user markup


def _axes(height: float, title: str) -> tuple[Figure, Any]:
    figure = Figure(figsize=(_INCH_WIDTH, height), layout="constrained")
    axes = figure.add_subplot()
    axes.set_title(title, loc="left", fontsize=11)
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _label(sign: SignDefinition) -> str:
    """A sign's title for a plot, wrapped, with an unverified sign said so."""
    return textwrap.fill(sign.title + ("" if sign.verified else " (unverified)"), _LABEL_WIDTH)


def score_plot(result: ScreenResult) -> Markup | None:
    """How many persons have each score (a histogram when scores take many values), threshold marked."""
    scores = result.ranked["score"].astype(float)
    if scores.empty:
        return None
    figure, axes = _axes(_MIN_HEIGHT_INCHES + _BAR_INCHES * 2, "Score distribution (persons with any sign)")
    tally = scores.value_counts().sort_index()
    if len(tally) > _MAX_SCORE_BARS:
        axes.hist(scores, bins="auto", color=_ACCENT)
    else:
        steps = tally.index.to_series().diff().dropna()
        width = _BAR_FILL * (float(steps.min()) if len(steps) else 1.0)
        bars = axes.bar(tally.index, tally.to_numpy(), width=width, color=_ACCENT)
        axes.bar_label(bars, padding=2, fontsize=8)
        axes.set_xticks(tally.index)
    label = f"refer at ≥ {result.threshold:g}"
    axes.axvline(result.threshold, color=_WARN, linestyle="--", zorder=3, label=label)
    axes.set_xlabel("score")
    axes.set_ylabel("persons")
    axes.legend(frameon=False)
    return _svg(figure)


def sign_plot(result: ScreenResult, counts: Counter[str]) -> Markup | None:
    """A horizontal bar per sign: how many persons met it (unverified signs are labelled so)."""
    if not counts:
        return None
    signs = [s for s in result.signs if counts[s.id]]
    labels = [_label(s) for s in signs]
    values = [counts[s.id] for s in signs]
    lines = sum(1 + label.count("\n") for label in labels)
    height = max(_MIN_HEIGHT_INCHES, _HEADER_INCHES + _BAR_INCHES * lines)
    figure, axes = _axes(height, "Persons meeting each sign")
    bars = axes.barh(labels, values, color=[_ACCENT if s.verified else _WARN for s in signs])
    axes.bar_label(bars, padding=3, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlabel("persons")
    return _svg(figure)


def top_plot(result: ScreenResult, top: pd.DataFrame) -> Markup | None:
    """The top persons' scores (by pseudonymous id), each bar split into the weights of the signs met."""
    shown = top.head(_TOP_BARS)
    if shown.empty:
        return None
    weights = {s.id: s.weight for s in result.signs}
    met = [{e.sign for e in sign_entries(str(cell))} for cell in shown["signs"]]
    signs = [s for s in result.signs if any(s.id in person for person in met)]
    height = max(_MIN_HEIGHT_INCHES, _HEADER_INCHES + _BAR_INCHES * len(shown) / 2)
    figure, axes = _axes(height, f"Top {len(shown)} persons: score by sign")
    labels = [str(person) for person in shown["person_id"]]
    left = [0.0] * len(shown)
    palette = matplotlib.colormaps["tab20"]
    for index, sign in enumerate(signs):
        widths = [weights[sign.id] if sign.id in person else 0.0 for person in met]
        axes.barh(labels, widths, left=left, color=palette(index % palette.N), label=_label(sign))
        left = [a + b for a, b in zip(left, widths, strict=True)]
    axes.axvline(result.threshold, color=_WARN, linestyle="--", linewidth=1)
    axes.invert_yaxis()
    axes.tick_params(axis="y", labelsize=7)
    axes.set_xlabel("score (sum of the weights of the signs met)")
    axes.set_ylabel("person_id")
    figure.legend(loc="outside lower center", frameon=False, fontsize=7, ncols=2)
    return _svg(figure)


@cache
def _template() -> Template:
    text = (files("immunocare.population") / "report.html.j2").read_text(encoding="utf-8")
    environment = Environment(
        autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    return environment.from_string(text)


def _rows(frame: pd.DataFrame, limit: int) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = frame.head(limit).to_dict(orient="records")
    return records


def _unverified(signs: Iterable[SignDefinition]) -> list[str]:
    """The titles of the unverified signs, each once (lists for two ages share titles)."""
    return list(dict.fromkeys(s.title for s in signs if not s.verified))


def render_report(result: ScreenResult, *, top: int = 50) -> str:
    """The whole report as one self-contained HTML document.

    Args:
        result: a finished screen.
        top: how many of the highest-ranked persons the table and the third plot show.
    """
    counts = persons_per_sign(result.ranked)
    head = result.ranked.head(top)
    to_refer = int(result.ranked["to_refer"].sum())
    top_rows = [{**row, "entries": sign_entries(str(row["signs"]))} for row in _rows(head, top)]
    return _template().render(
        result=result,
        to_refer=to_refer,
        counts=counts,
        unverified=_unverified(result.signs),
        plots=[p for p in (score_plot(result), sign_plot(result, counts), top_plot(result, head)) if p],
        top_rows=top_rows,
        gap_rows=_rows(result.surveillance_gap, _LIST_ROWS),
        coded_rows=_rows(result.already_coded, _LIST_ROWS),
        list_rows=_LIST_ROWS,
    )

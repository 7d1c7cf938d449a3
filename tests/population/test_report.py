"""The HTML report of a screen: self-contained, stamped, plotted, pseudonymous, honest about weights."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser

from immunocare.population.report import persons_per_sign, render_report
from tests.population.builders import SIGNS, SignDefinition, make_result, person


class _Collector(HTMLParser):
    """The tags and attributes of a page, to look for anything fetched from elsewhere."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = _Collector()
    collector.feed(html)
    return collector.tags


def test_the_report_is_self_contained_with_three_inline_svg_plots() -> None:
    html = render_report(make_result())

    tags = _tags(html)
    assert not [t for t, _ in tags if t in ("script", "link", "img", "iframe")]
    fetched = [a for _, attrs in tags for k, a in attrs.items() if k in ("src", "href") and a]
    assert not [a for a in fetched if not a.startswith("#")], fetched
    assert "http://" not in html.replace("http://www.w3.org/", "")
    assert html.count("<figure><svg") == 3
    assert (
        "Score distribution" in html
        and "Persons meeting each sign" in html
        and "Top 2 persons: score by sign" in html
    )


def test_the_report_carries_the_stamp_and_the_notices() -> None:
    html = render_report(make_result())

    assert '<dd id="as-of">2026-11-01</dd>' in html
    assert '<dd id="engine">duckdb</dd>' in html
    assert '<dd id="source">DuckDB file synthetic.duckdb</dd>' in html
    assert '<dd id="kb-version">2026.11-test</dd>' in html
    assert '<dd id="screened">2,694</dd>' in html and '<dd id="to-refer">1</dd>' in html
    assert "no concept_ancestor: standard concepts matched without descendants" in html


def test_unverified_weights_are_shown_as_unverified() -> None:
    twin = SignDefinition("deep_abscess_child", "Deep-seated abscess", 3.0, False, ())
    html = render_report(make_result(signs=(*SIGNS, twin)))  # two lists' signs share a title

    assert (
        "Signs resting on unverified knowledge (a code set or reading not checked against a source that "
        "was read; see each item's note): Deep-seated abscess." in html
    )
    row = re.search(r"<tr>\s*<td><strong>Deep-seated abscess</strong>.*?</tr>", html, re.S)
    assert row is not None and 'class="badge unverified"' in row.group(0)
    assert "Deep-seated abscess (unverified)" in html  # the plot's label


def test_the_top_table_lists_persons_by_rank_with_signs_and_reasons() -> None:
    rows = [person(i, otitis_media=1) for i in range(100, 160)] + [person(9, deep_abscess=1, pneumonia=3)]
    html = render_report(make_result(rows), top=10)

    table = html.split('<section id="top">', 1)[1].split("</section>", 1)[0]
    ids = re.findall(r"<td><code>(\d+)</code>", table)
    assert ids == ["9", *[str(i) for i in range(100, 109)]]
    assert "Top 10 persons" in table and 'class="badge refer">to refer' in table
    assert "Pneumonia ×3" in table and "Deep-seated abscess: 1 episodes in 12 months; Pneumonia" in table


def test_only_the_contract_columns_are_shown_and_markup_is_escaped() -> None:
    rows = [person(3, pneumonia=1) | {"reasons": "<script>alert(1)</script>"}]
    result = make_result(rows, source="Parquet folder <b>/data</b>")
    with_name = dataclasses.replace(result, ranked=result.ranked.assign(family_name="Doe-Synthetic"))

    html = render_report(with_name)

    assert "Doe-Synthetic" not in html and "family_name" not in html
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;/data&lt;/b&gt;" in html


def test_an_empty_screen_still_renders() -> None:
    html = render_report(make_result([], notices=()))

    assert "No person met any sign, so there is nothing to plot." in html
    assert "<svg" not in html and 'id="notices"' in html  # the unverified sign is still noticed


def test_persons_are_counted_once_per_sign() -> None:
    result = make_result([person(1, pneumonia=4, otitis_media=1), person(2, pneumonia=1)])

    assert persons_per_sign(result.ranked) == {"pneumonia": 2, "otitis_media": 1}

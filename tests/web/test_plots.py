"""The SVG plot of an analyte over time: scales, ticks, the stepped reference band, accessibility."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from immunocare.web.plot import Band, Chart, Marker, Point, date_ticks, nice_ticks, svg

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(chart: Chart, ident: str = "p") -> ET.Element:
    return ET.fromstring(str(svg(chart, ident=ident)))  # noqa: S314 - our own output, not untrusted data


def igg_chart(**overrides: object) -> Chart:
    """An infant's IgG falling through the age bands of a table (values made up)."""
    fields: dict[str, object] = {
        "title": "IgG",
        "unit": "g/L",
        "points": (
            Point(date(2024, 1, 10), 6.0, "6 g/L on 10 Jan 2024"),
            Point(date(2024, 9, 10), 2.1, "2.1 g/L on 10 Sep 2024, low", outside=True),
        ),
        "bands": (
            Band(date(2023, 11, 1), date(2024, 5, 1), 2.5, 9.0, "0-6 months"),
            Band(date(2024, 5, 1), date(2025, 11, 1), 3.0, 11.0, "6-24 months"),
            Band(date(2025, 11, 1), None, 5.0, 14.0, "2-5 years"),
        ),
        "band_source": "Serum IgG by age",
    }
    return Chart(**(fields | overrides))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (17, [0, 5, 10, 15, 20]),
        (2.4, [0, 0.5, 1.0, 1.5, 2.0, 2.5]),
        (0.06, [0, 0.02, 0.04, 0.06]),
        (1500, [0, 500, 1000, 1500]),
        (0, [0, 1]),
    ],
    ids=["igg-g-per-l", "iga-g-per-l", "tetanus-iu-per-ml", "cd4-cells-per-ul", "all-zero"],
)
def test_value_ticks_are_round_and_reach_the_top(top: float, ticks: list[float]) -> None:
    assert nice_ticks(top) == ticks


@pytest.mark.parametrize(
    ("first", "last", "labels"),
    [
        (date(2026, 7, 20), date(2026, 11, 10), ["Aug 2026", "Sep 2026", "Oct 2026", "Nov 2026"]),
        (date(2024, 2, 1), date(2026, 11, 1), ["Jul 2024", "Jan 2025", "Jul 2025", "Jan 2026", "Jul 2026"]),
        (date(2020, 1, 10), date(2026, 6, 1), ["2021", "2022", "2023", "2024", "2025", "2026"]),
        (date(1990, 3, 1), date(2026, 6, 1), ["2000", "2010", "2020"]),
        (date(2026, 3, 3), date(2026, 3, 20), ["03 Mar 2026"]),
    ],
    ids=["four-months", "three-years", "six-years", "decades", "within-one-month"],
)
def test_date_ticks_follow_the_calendar(first: date, last: date, labels: list[str]) -> None:
    assert [label for _, label in date_ticks(first, last)] == labels


def test_the_plot_is_accessible_svg_with_a_title_and_a_description() -> None:
    root = parse(igg_chart(), ident="igg")

    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "igg-title igg-desc"
    title, desc = root.find("svg:title", NS), root.find("svg:desc", NS)
    assert title is not None and title.text == "IgG over time (g/L)"
    assert desc is not None and desc.text is not None
    assert "2 results of IgG from 10 Jan 2024 to 10 Sep 2024, 1 outside the reference" in desc.text
    assert "reference 2.5–9 g/L (0-6 months); then reference 3–11 g/L (6-24 months)" in desc.text
    assert "2-5 years" not in desc.text  # a band after the plotted period is not described


def test_the_reference_band_steps_where_the_age_band_changes() -> None:
    root = parse(igg_chart())

    bands = root.findall("svg:rect[@class='band']", NS)
    assert [band.find("svg:title", NS).text for band in bands] == [  # type: ignore[union-attr]
        "reference 2.5–9 g/L (0-6 months)",
        "reference 3–11 g/L (6-24 months)",
    ]
    first, second = (float(b.get("x", "0")) for b in bands)
    first_end = first + float(bands[0].get("width", "0"))
    assert first_end == pytest.approx(second)  # the second band starts where the first ends
    assert float(bands[1].get("y", "0")) < float(bands[0].get("y", "0"))  # its upper limit is higher


@pytest.mark.parametrize(
    ("point", "css"),
    [
        (Point(date(2024, 3, 1), 1.2, "1.2 g/L, low", outside=True), "point outside"),
        (Point(date(2024, 3, 1), 6.0, "6 g/L"), "point inside"),
        (Point(date(2024, 3, 1), 0.07, "< 0.07 g/L, low", outside=True, bound=True), "point outside bound"),
    ],
    ids=["below-the-band", "within-the-band", "below-the-detection-limit"],
)
def test_points_outside_their_reference_are_flagged(point: Point, css: str) -> None:
    chart = igg_chart(points=(point, Point(date(2024, 4, 1), 6.5, "6.5 g/L")))

    circle = parse(chart).findall("svg:circle", NS)[0]

    assert circle.get("class") == css
    assert circle.find("svg:title", NS).text == point.label  # type: ignore[union-attr]


def test_a_marker_and_labels_are_escaped_text() -> None:
    chart = igg_chart(
        title="IgG <b>",
        markers=(Marker(date(2024, 6, 1), "first immunoglobulin infusion 01 Jun 2024"),),
    )

    text = str(svg(chart, ident="x"))
    root = ET.fromstring(text)  # noqa: S314 - our own output, not untrusted data

    assert "<b>" not in text and "IgG &lt;b&gt;" in text
    labels = [t.text for t in root.findall("svg:text[@class='marker-label']", NS)]
    assert labels == ["first immunoglobulin infusion 01 Jun 2024"]
    assert len(root.findall("svg:line[@class='marker']", NS)) == 1


def test_the_value_axis_starts_at_zero_and_covers_the_band() -> None:
    chart = igg_chart(points=(Point(date(2024, 6, 1), 1.0, "1"), Point(date(2024, 7, 1), 1.5, "1.5")))

    ticks = [t.text for t in parse(chart).findall("svg:text[@class='tick']", NS)]

    assert ticks[0] == "0"
    assert "15" in ticks  # 11 g/L, the band's upper limit, is inside the axis


def test_a_chart_without_points_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one point"):
        svg(igg_chart(points=()), ident="empty")

"""The small SVG chart drawing: axes, gaps, markers, matrix marks, escaping."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from entdrill.review.svg import (
    Axis,
    Line,
    Mark,
    Rule,
    line_chart,
    log_ticks,
    matrix_chart,
    nice_ticks,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(text: str) -> ET.Element:
    """Parse a chart this test drew itself (trusted text)."""
    return ET.fromstring(text)  # noqa: S314


def test_nice_ticks_are_round_steps_covering_the_range() -> None:
    assert nice_ticks(0, 100, 5) == [0, 20, 40, 60, 80, 100]
    assert nice_ticks(0, 4200, 5) == [0, 1000, 2000, 3000, 4000]


def test_log_ticks_are_1_2_5_per_decade() -> None:
    assert log_ticks(40, 2500) == [50, 100, 200, 500, 1000, 2000]


def test_a_log_axis_places_decades_evenly() -> None:
    axis = Axis("x", 10, 1000, (), log=True)
    assert axis.place(100, 0, 200) == pytest.approx(100)
    assert axis.place(10, 0, 200) == 0 and axis.place(1000, 0, 200) == 200


def test_a_line_chart_is_valid_svg_with_title_desc_and_a_gap_for_missing_values() -> None:
    text = line_chart(
        "fig-t",
        "Latency <&> load",
        "A description",
        Axis("load", 0, 4, ((0, "0"), (4, "4"))),
        Axis("ms", 0, 100, ((0, "0"), (100, "100"))),
        [Line("p95", ((0, 10.0), (1, 20.0), (2, None), (3, 40.0), (4, 50.0)))],
        [Rule(80, "budget")],
    )
    root = parse(text)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "fig-t-title fig-t-desc"
    assert root.find(f"{SVG}title").text == "Latency <&> load"
    assert root.find(f"{SVG}desc").text == "A description"
    polylines = root.findall(f".//{SVG}polyline")
    assert len(polylines) == 2  # the None splits the line in two
    assert "budget" in text and "<script" not in text


def test_series_differ_by_dash_and_marker_as_well_as_colour() -> None:
    text = line_chart(
        "fig-m",
        "t",
        "d",
        Axis("x", 0, 1, ()),
        Axis("y", 0, 1, ()),
        [Line("a", ((0, 0.1), (1, 0.2))), Line("b", ((0, 0.3), (1, 0.4)))],
    )
    root = parse(text)
    dashes = {p.get("stroke-dasharray") for p in root.findall(f".//{SVG}polyline")}
    assert len(dashes) == 2
    assert root.findall(f".//{SVG}circle") and root.findall(f".//{SVG}rect")


def test_matrix_cells_carry_a_drawn_mark_and_a_tooltip_for_each_outcome() -> None:
    text = matrix_chart(
        "fig-x",
        "Channels",
        "d",
        ["slack", "sms"],
        ["2026-03-02", "2026-05-12"],
        [
            [Mark("worked", "slack ok"), Mark("degraded", "slack late")],
            [Mark("failed", "sms down"), Mark(None, "sms not used")],
        ],
    )
    root = parse(text)
    tips = [t.text for t in root.iter(f"{SVG}title")]
    assert {"slack ok", "slack late", "sms down", "sms not used"} <= set(tips)
    marks = [p.get("d") for p in root.iter(f"{SVG}path")]
    assert len(set(marks)) == 3  # check, tilde and cross, in the cells and the legend
    assert re.search(r">worked<|>degraded<|>failed<", text)

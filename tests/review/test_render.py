"""Rendering: a self-contained, accessible HTML page and a Markdown page, saying the same."""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

import pytest

from entdrill.review import build_review, render_html, render_markdown
from entdrill.review import wording as say

from .support import NOW, at, data, drill, reach, result
from .test_build import two_drills

VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "source", "wbr"}
SVG_VOID = {"line", "polyline", "polygon", "circle", "rect", "path"}


class Checker(HTMLParser):
    """Balanced tags, every figure read back, every external reference noted."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.figures: dict[str, str] = {}
        self.current: str | None = None
        self.refs: list[str] = []
        self.ids: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append(tag)
        for name in ("src", "href", "xlink:href"):
            if values.get(name):
                self.refs.append(values[name] or "")
        if values.get("id"):
            self.ids.append(values["id"] or "")
        if tag in VOID:
            return
        self.stack.append(tag)
        if "data-figure" in values:
            self.current = values["data-figure"]
            self.figures[self.current or ""] = ""

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
        self.stack.pop()
        self.current = None

    def handle_data(self, data: str) -> None:
        if self.current is not None:
            self.figures[self.current] += data


def check(page: str) -> Checker:
    checker = Checker()
    checker.feed(page)
    checker.close()
    assert checker.stack == [], f"unclosed: {checker.stack}"
    return checker


def test_the_html_page_is_self_contained_balanced_and_printable() -> None:
    page = render_html(build_review(two_drills(), generated_at=NOW, source="/x/records.db"))
    checker = check(page)
    assert page.startswith("<!DOCTYPE html>")
    assert all(r.startswith("#") for r in checker.refs), "no external reference: links stay in"
    assert {r[1:] for r in checker.refs} <= set(checker.ids), "every link reaches a section"
    assert not {"script", "link", "img", "iframe", "object"} & set(checker.tags)
    assert "url(" not in page and "@import" not in page
    assert "@media print" in page and "break-before: page" in page
    assert re.search(r"<title>Continuity readiness review: .+</title>", page)
    assert len(checker.ids) == len(set(checker.ids)), "ids are unique"


def test_every_chart_has_a_title_a_description_and_its_table() -> None:
    page = render_html(build_review(two_drills(), generated_at=NOW))
    charts = re.findall(r"<svg .*?</svg>", page, flags=re.S)
    assert len(charts) >= 4
    for chart in charts:
        assert 'role="img"' in chart and "<title id=" in chart and "<desc id=" in chart
    assert page.count("<figure") == page.count('class="figure-data"')
    assert '<th scope="col"' in page and '<th scope="row"' in page and "<caption>" in page


def test_the_key_figures_in_the_page_are_the_models() -> None:
    review = build_review(two_drills(), generated_at=NOW, as_of=at(120))
    figures = check(render_html(review)).figures
    assert figures["overall-score"] == say.score(review.overall.value)
    assert figures["score-login"] == "67"
    assert figures["login-held-multiple"] == "100x"
    assert figures["login-held-p95"] == "800 ms"
    assert figures["ack-share-slack"] == "50.0%"
    assert figures["delivery-share-slack"] == "75.0%"
    assert figures["open-findings"] == "2 findings"
    assert figures["unowned-findings"] == "1"


def test_the_formula_is_stated_in_the_page() -> None:
    review = build_review(two_drills(), generated_at=NOW)
    page = render_html(review)
    for line in review.formula:
        assert f"<p>{escape(line)}</p>" in page


def test_names_from_the_records_are_escaped() -> None:
    records = data(
        [drill("d1")],
        results=[result("d1", "<b>sms</b>", "failed")],
        rows=[reach("d1", "<script>x</script>", "<b>sms</b>", failed=2)],
    )
    page = render_html(build_review(records, generated_at=NOW))
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "<b>sms</b>" not in page
    check(page)


def test_an_empty_period_says_so_in_both_formats() -> None:
    review = build_review(data([]), generated_at=NOW)
    page = render_html(review)
    assert check(page).figures["no-drills"] == "No drills in this period."
    text, files = render_markdown(review, "charts")
    assert "**No drills in this period.**" in text and files == {}


def test_markdown_gives_each_chart_as_a_table_and_optionally_as_an_svg_file() -> None:
    review = build_review(two_drills(), generated_at=NOW)
    plain, none = render_markdown(review)
    text, files = render_markdown(review, "review-charts")
    assert none == {} and "![" not in plain
    assert files and all(p.startswith("review-charts/") and p.endswith(".svg") for p in files)
    for path in files:
        assert f"]({path})" in text
    assert "**Overall readiness: " + say.score(review.overall.value) + " / 100**" in text
    assert "Logins held up to **100x** normal load" in text
    tables = [b for b in text.split("\n\n") if b.startswith("| ")]
    assert len(tables) >= 6
    for block in tables:
        widths = {len(re.findall(r"(?<!\\)\|", row)) for row in block.splitlines()}
        assert len(widths) == 1, block


@pytest.mark.parametrize("name", ["a|b", "back\\slash"])
def test_markdown_escapes_table_separators(name: str) -> None:
    records = data([drill("d1")], results=[result("d1", name, "worked")])
    text, _ = render_markdown(build_review(records, generated_at=NOW))
    assert name.replace("\\", "\\\\").replace("|", "\\|") in text

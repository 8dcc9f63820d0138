"""Names from the records are text, never markup: a hostile string put in every text field of
the view model comes out escaped in the HTML (parsed back, it reads as it was written) and in
the Markdown (tables keep their columns; rendered by a Markdown parser, it reads as written)."""

from __future__ import annotations

import itertools
import re
from dataclasses import fields, is_dataclass, replace
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote

import pytest
from markdown_it import MarkdownIt

from entdrill.review import build_review
from entdrill.review import html as review_html
from entdrill.review import markdown as review_markdown
from entdrill.review.view import ReviewView, build_view

from .support import NOW, drill, experiment, finding
from .test_build import two_drills
from .test_detection import FOUND
from .test_headroom import search

#: Fields only the HTML shows (classes, figure names for scripts, the page's title).
HTML_ONLY = {"figure", "css", "key", "grade_class", "slug", "page_title"}
#: Markup in the view model on purpose: the SVG charts, drawn and escaped by ``svg``.
MARKUP_FIELDS = {"svgs"}


def hostile(n: int) -> str:
    return (
        f"# F{n:03d} <script>alert(1)</script> \"q\" 'a' &amp; & *b* _c_ [d](#e) | f \\ `g`"
        "\n- h <b>i</b> ~~j~~ 1. k"
    )


class Poisoned:
    """A view model with every text replaced by a distinct hostile string."""

    def __init__(self, view: ReviewView) -> None:
        self.numbers = itertools.count()
        self.strings: list[str] = []
        self.fields: list[str] = []
        self.view: ReviewView = self._poison(view, "")

    def _poison(self, value: Any, name: str) -> Any:
        if isinstance(value, str):
            text = hostile(next(self.numbers))
            self.strings.append(text)
            self.fields.append(name)
            return text
        if is_dataclass(value) and not isinstance(value, type):
            changes = {
                f.name: self._poison(getattr(value, f.name), f.name)
                for f in fields(value)
                if f.name not in MARKUP_FIELDS
            }
            return replace(value, **changes)
        if isinstance(value, list):
            return [self._poison(v, name) for v in value]
        if isinstance(value, dict):
            return {k: self._poison(v, name) for k, v in value.items()}
        return value


class Reader(HTMLParser):
    """Every tag, attribute name, attribute value and text of a page, as a browser reads them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.values: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            self.attributes.add(name)
            if value is not None:
                self.values.append(unquote(value[1:]) if name == "href" else value)

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    def reads(self, text: str) -> bool:
        return any(text in t for t in (*self.texts, *self.values))


def read(page: str) -> Reader:
    reader = Reader()
    reader.feed(page)
    reader.close()
    return reader


def every_section_review() -> ReviewView:
    """A review with every section, row and optional part filled in."""
    records = two_drills()
    records.drills.append(drill("d3", 121, "running"))
    records.experiments.append(search("c1", 0, 150, 200))
    records.experiments.append(experiment("l3", "d3", "server_loss", {"survived": False}, 121))
    records.findings.append(replace(finding("f3", "d2", "portal slow", day=120), detail="p95 3 s"))
    records.open_findings.append(records.findings[-1])
    view = build_view(build_review(records, generated_at=NOW, detections=FOUND))
    assert view.decision is not None and view.decision.reasons and view.decision.running
    assert view.channels is not None and view.channels.people and view.channels.missed
    assert view.trends is not None and view.login.capacity_table is not None
    assert view.detection is not None and view.detection.figure is not None
    assert view.findings.rows and any(r.storms and r.searches for r in view.drills.rows)
    return view


@pytest.fixture(scope="module")
def poisoned() -> Poisoned:
    return Poisoned(every_section_review())


def test_every_text_field_is_poisoned(poisoned: Poisoned) -> None:
    assert len(poisoned.strings) > 150
    assert all(s.startswith("# F") for s in poisoned.strings)


def test_hostile_strings_come_out_of_the_html_as_text(poisoned: Poisoned) -> None:
    clean = read(review_html.render_view(every_section_review()))
    page = review_html.render_view(poisoned.view)
    assert "<script" not in page and "<b>" not in page
    reader = read(page)
    assert reader.tags <= clean.tags, "no tag comes from the data"
    assert reader.attributes <= clean.attributes, "no attribute is broken open by a quote"
    missing = [s for s in poisoned.strings if not reader.reads(s)]
    assert not missing, f"{len(missing)} strings do not read back, the first: {missing[0]!r}"


def unescaped_pipes(line: str) -> int:
    count, escaped = 0, False
    for char in line:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "|":
            count += 1
    return count


def test_markdown_tables_keep_their_columns_with_hostile_strings(poisoned: Poisoned) -> None:
    text, _ = review_markdown.render_view(poisoned.view)
    tables = [b for b in text.split("\n\n") if b.startswith("| ")]
    assert len(tables) >= 8
    for block in tables:
        lines = block.splitlines()
        assert len({unescaped_pipes(line) for line in lines}) == 1, block
        assert len(lines) >= 3


def test_hostile_strings_come_out_of_the_markdown_as_text(poisoned: Poisoned) -> None:
    text, _ = review_markdown.render_view(poisoned.view)
    outside_code = re.sub(r"(`+).*?\1", "", text)
    assert not re.search(r"(?<!\\)<(script|b>)", outside_code)
    parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    clean = read(parser.render(review_markdown.render_view(every_section_review())[0]))
    rendered = parser.render(text)
    assert "<script" not in rendered
    reader = read(rendered)
    assert reader.tags <= clean.tags, "no tag comes from the data"
    assert not {"script", "b", "s", "ol"} & reader.tags
    shown = [
        s
        for s, name in zip(poisoned.strings, poisoned.fields, strict=True)
        if name not in HTML_ONLY
    ]
    assert len(shown) > 100
    missing = [s for s in shown if not (reader.reads(" ".join(s.splitlines())) or reader.reads(s))]
    assert not missing, f"{len(missing)} strings do not read back, the first: {missing[0]!r}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pre_holiday", "pre_holiday"),
        ("~ at risk", "~ at risk"),
        ("~~gone~~", "\\~\\~gone\\~\\~"),
        ("_y_ and *x*", "\\_y\\_ and \\*x\\*"),
        ("# title", "\\# title"),
        ("- item", "\\- item"),
        ("12. item", "12\\. item"),
        ("1.50 headroom", "1.50 headroom"),
        ("a|b\nc", "a\\|b c"),
        ("<b>&</b>", "\\<b\\>\\&\\</b\\>"),
        ("[a](b) `c` \\", "\\[a\\](b) \\`c\\` \\\\"),
    ],
)
def test_md_escapes_what_markdown_would_read_as_markup(text: str, expected: str) -> None:
    assert review_markdown.md(text) == expected


def test_code_spans_are_fenced_longer_than_the_backticks_they_hold() -> None:
    assert review_markdown.code("d1") == "`d1`"
    assert review_markdown.code("a`b|c") == "``a`b\\|c``"
    assert review_markdown.code("`x") == "`` `x ``"

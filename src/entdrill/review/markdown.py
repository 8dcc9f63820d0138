"""The review as Markdown for a wiki (pure): the same sections and figures as the HTML, from the
same view model (``view.build_view``), each chart given as its table; with ``chart_dir``, also as
an SVG image whose file the caller writes next to the page (``render_markdown`` returns the
files' relative paths and contents).

The page is ``templates/review.md.j2``. Every value goes through ``md`` (or ``code`` for an
identifier), so a name from the records cannot start a heading, a list or a quote, break a
table's columns, or open emphasis, a link, a code span or raw HTML.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache

import jinja2

from entdrill.review.model import Review
from entdrill.review.template_files import PackageTemplates
from entdrill.review.view import ReviewView, build_view

TEMPLATE = "review.md.j2"
#: Characters Markdown reads as markup anywhere in a line, escaped with a backslash.
_ANYWHERE = re.compile(r"[\\`*\[\]<>|&]")
#: An underscore opens or closes emphasis only at a word's edge (``pre_holiday`` stays as is).
_EDGE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
#: A tilde strikes text through when it touches a word or another tilde (``~ at risk`` and
#: ``(✓, ~, ✗)`` stay as they are).
_TOUCHING_TILDE = re.compile(r"~(?=[\w~])|(?<=[\w~])~")
#: Text with none of the characters above (most of it) goes through as it is.
_PLAIN = re.compile(r"[^\\`*\[\]<>|&_~\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]*")
#: What makes a line a heading, a list item, a setext underline or an ordered list item.
_LINE_START = re.compile(r"^(\s*)(#|[=+-](?=[\s=+-]|$)|\d+(?=[.)](?:\s|$)))")


@dataclass(frozen=True)
class Image:
    alt: str
    path: str


def render_markdown(review: Review, chart_dir: str | None = None) -> tuple[str, dict[str, str]]:
    """The page, and the chart files it links (``{relative path: svg}``, empty without
    ``chart_dir``)."""
    return render_view(build_view(review), chart_dir)


def render_view(view: ReviewView, chart_dir: str | None = None) -> tuple[str, dict[str, str]]:
    """The page of a view model, and its chart files."""
    images, chart_files = _charts(view, chart_dir)
    text = _environment().get_template(TEMPLATE).render(v=view, columns=view.columns, images=images)
    return text, chart_files


def md(text: str) -> str:
    """``text`` as Markdown that reads as that text: on one line, with markup characters
    backslash-escaped (also ``|``, so a table cell keeps its columns)."""
    text = str(text)
    if _PLAIN.fullmatch(text) and not _LINE_START.match(text):
        return text
    text = " ".join(text.splitlines())
    text = _ANYWHERE.sub(lambda m: "\\" + m.group(), text)
    text = _EDGE_UNDERSCORE.sub(r"\\_", text)
    text = _TOUCHING_TILDE.sub(r"\\~", text)
    return _LINE_START.sub(_escape_start, text, count=1)


def code(text: str) -> str:
    """``text`` as a code span, fenced by more backticks than it holds (``|`` escaped, as a
    table cell needs even there)."""
    text = " ".join(str(text).splitlines()).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def attr(text: str) -> str:
    """``text`` as a raw HTML attribute value inside Markdown: escaped, on one line, and with
    no ``|`` that would split a table cell."""
    return html.escape(" ".join(str(text).splitlines())).replace("|", "&#124;")


def _escape_start(match: re.Match[str]) -> str:
    space, mark = match.groups()
    if mark.isdigit():
        return f"{space}{mark}\\"
    return f"{space}\\{mark}"


def _charts(
    view: ReviewView, chart_dir: str | None
) -> tuple[dict[str, list[Image]], dict[str, str]]:
    """The image links of each figure, and the files they point to."""
    images: dict[str, list[Image]] = {}
    chart_files: dict[str, str] = {}
    if chart_dir is None:
        return images, chart_files
    figures = [*view.login.figures]
    if view.channels is not None:
        figures += view.channels.figures
    if view.trends is not None:
        figures += view.trends.figures
    if view.empty:
        figures = []
    for figure in figures:
        for index, svg in enumerate(figure.svgs):
            suffix = f"-{index + 1}" if len(figure.svgs) > 1 else ""
            path = f"{chart_dir}/{figure.key}{suffix}.svg"
            chart_files[path] = svg
            images.setdefault(figure.key, []).append(Image(f"{figure.title}{suffix}", path))
    return images, chart_files


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=PackageTemplates(),
        autoescape=False,  # noqa: S701 - Markdown, escaped by the md and code filters
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = md
    env.filters["code"] = code
    env.filters["attr"] = attr
    env.filters["dash"] = lambda _: "---"
    return env

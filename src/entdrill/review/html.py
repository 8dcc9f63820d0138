"""The review as one self-contained HTML page (pure): inline CSS and SVG, no script, no font,
no image fetched; light colours, page breaks and repeated table headers when printed.

The page is ``templates/review.html.j2`` rendered from the view model (``view.build_view``)
with Jinja2's autoescape on: every value is text and comes out escaped; only the stylesheet and
the SVG charts (drawn and escaped by ``svg``) go in as markup.

Key figures carry ``data-figure="NAME"`` (``overall-score``, ``score-login``,
``login-held-multiple``, ``ack-share-slack``...), so scripts and tests can read them back.
"""

from __future__ import annotations

import html
from functools import cache
from importlib.resources import files

import jinja2
from markupsafe import Markup

from entdrill.review.model import Review
from entdrill.review.template_files import PackageTemplates, joined_lines
from entdrill.review.view import ReviewView, build_view

TEMPLATE = "review.html.j2"


@cache
def stylesheet() -> str:
    return files("entdrill.review").joinpath("review.css").read_text(encoding="utf-8")


def render_html(review: Review) -> str:
    """The whole page."""
    return render_view(build_view(review))


def render_view(view: ReviewView) -> str:
    """The page of a view model."""
    return (
        _environment()
        .get_template(TEMPLATE)
        .render(
            v=view,
            columns=view.columns,
            stylesheet=Markup(stylesheet()),  # noqa: S704 - our own CSS file
        )
    )


def _as_text(value: object) -> object:
    """Values reach the page escaped as ``html.escape`` spells it (``&#x27;``, ``&quot;``), as
    the page always has; markup (``Markup``: macros, the SVG charts) goes through as it is.
    Autoescape stays on for anything this does not turn into markup."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return Markup(html.escape(value))  # noqa: S704 - escaped on this very line
    return value


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=PackageTemplates(joined_lines),
        autoescape=True,
        finalize=_as_text,
        undefined=jinja2.StrictUndefined,
    )
    env.globals["nl"] = Markup("\n")
    return env

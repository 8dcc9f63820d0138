"""The continuity readiness review: what held, what broke, at which load, which channels worked,
drill after drill, with a readiness score whose formula the report states.

::

    where, (data, series, reach, detections) = read_review(url, since, until)
    review = build_review(
        data, series, reach=reach, detections=detections, generated_at=now, source=where
    )
    page = render_html(review)                       # or render_markdown(review, "charts")

``source`` reads the inputs from the records (the period's data, the charted series, and the
reach rows folded by ``reach`` as they stream). The model is pure (records data in, dataclasses
out): ``measures`` (what an experiment record says), ``services`` (login under storm, server loss, session store, video), ``headroom``
(capacity searches and the headroom against the required multiple), ``channels`` (shares, time
to acknowledge, never reached, acknowledgement curves, matrix), ``trends``, ``findings``,
``score`` (the formula), ``decision`` (the requirement, and ready / at risk / not ready with its
reasons), ``quantiles``; ``build`` assembles the ``model.Review``. Rendering is pure too (model
in, text out): ``charts`` (figures: SVG and table), ``svg`` (the small chart drawing),
``headlines`` and ``wording`` (sentences and figures), ``view`` (the page as plain data, read
once from the model), then ``html`` and ``markdown`` lay that view out through their Jinja2
templates (``templates/``). ``period`` reads ``--since``/``--until``/``--as-of``.
"""

from typing import TYPE_CHECKING

from entdrill import lazy

if TYPE_CHECKING:
    from entdrill.review.build import build_review, only_drill, series_wanted
    from entdrill.review.html import render_html
    from entdrill.review.markdown import render_markdown
    from entdrill.review.model import (
        AckCurve,
        CapacityRun,
        ChannelMatrix,
        ChannelReadiness,
        Coverage,
        Decision,
        FindingGroup,
        Headroom,
        LoginReadiness,
        PersonCount,
        Reason,
        Requirement,
        Review,
        ServiceScore,
        StormStep,
        Trend,
        TrialReadiness,
    )
    from entdrill.review.period import parse_as_of, parse_period
    from entdrill.review.score import FORMULA, Score
    from entdrill.review.source import PendingReach, load_review, read_review
    from entdrill.review.wording import TITLE

# Loaded on first use: the review command starts reading the records before it imports
# the model and the templates.
_EXPORTS = {
    "TITLE": ("entdrill.review.wording", "TITLE"),
    "build_review": ("entdrill.review.build", "build_review"),
    "only_drill": ("entdrill.review.build", "only_drill"),
    "series_wanted": ("entdrill.review.build", "series_wanted"),
    "render_html": ("entdrill.review.html", "render_html"),
    "render_markdown": ("entdrill.review.markdown", "render_markdown"),
    "AckCurve": ("entdrill.review.model", "AckCurve"),
    "CapacityRun": ("entdrill.review.model", "CapacityRun"),
    "ChannelMatrix": ("entdrill.review.model", "ChannelMatrix"),
    "ChannelReadiness": ("entdrill.review.model", "ChannelReadiness"),
    "Coverage": ("entdrill.review.model", "Coverage"),
    "Decision": ("entdrill.review.model", "Decision"),
    "FindingGroup": ("entdrill.review.model", "FindingGroup"),
    "Headroom": ("entdrill.review.model", "Headroom"),
    "LoginReadiness": ("entdrill.review.model", "LoginReadiness"),
    "PersonCount": ("entdrill.review.model", "PersonCount"),
    "Reason": ("entdrill.review.model", "Reason"),
    "Requirement": ("entdrill.review.model", "Requirement"),
    "Review": ("entdrill.review.model", "Review"),
    "ServiceScore": ("entdrill.review.model", "ServiceScore"),
    "StormStep": ("entdrill.review.model", "StormStep"),
    "Trend": ("entdrill.review.model", "Trend"),
    "TrialReadiness": ("entdrill.review.model", "TrialReadiness"),
    "parse_as_of": ("entdrill.review.period", "parse_as_of"),
    "parse_period": ("entdrill.review.period", "parse_period"),
    "FORMULA": ("entdrill.review.score", "FORMULA"),
    "Score": ("entdrill.review.score", "Score"),
    "load_review": ("entdrill.review.source", "load_review"),
    "read_review": ("entdrill.review.source", "read_review"),
    "PendingReach": ("entdrill.review.source", "PendingReach"),
}


__all__ = [
    "FORMULA",
    "TITLE",
    "AckCurve",
    "CapacityRun",
    "ChannelMatrix",
    "ChannelReadiness",
    "Coverage",
    "Decision",
    "FindingGroup",
    "Headroom",
    "LoginReadiness",
    "PendingReach",
    "PersonCount",
    "Reason",
    "Requirement",
    "Review",
    "Score",
    "ServiceScore",
    "StormStep",
    "Trend",
    "TrialReadiness",
    "build_review",
    "load_review",
    "only_drill",
    "parse_as_of",
    "parse_period",
    "read_review",
    "render_html",
    "render_markdown",
    "series_wanted",
]

__getattr__ = lazy.loader(__name__, _EXPORTS, globals())

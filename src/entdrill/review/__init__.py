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

from entdrill.review.build import TITLE, build_review, only_drill, series_wanted
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
from entdrill.review.source import load_review, read_review

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

"""What a user sees does not change by accident: the HTML and Markdown of every review scene the
tests build (hand-made records, the decision's shapes, hostile names, an empty period, a fleet of
fixture drills) are compared byte for byte with the pages checked in under ``golden/``.

A deliberate change of the pages regenerates them: ``ENTDRILL_GOLDEN=write pytest
tests/review/test_golden.py``, then review the diff of ``golden/`` like any other change.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from entdrill import __version__
from entdrill.records import open_records
from entdrill.records.fixtures import make_drills
from entdrill.review import (
    Review,
    build_review,
    only_drill,
    render_html,
    render_markdown,
    series_wanted,
)
from entdrill.review.period import parse_as_of

from .support import NOW, at, data, drill, experiment, finding, reach, result, storm
from .test_build import two_drills
from .test_decision import AS_OF, channel, everything
from .test_headroom import search

GOLDEN = Path(__file__).parent / "golden"
WRITE = os.environ.get("ENTDRILL_GOLDEN") == "write"


def _not_ready() -> Review:
    records = everything(
        experiments=[
            search("c1", 29, 47, 62),
            experiment("v1", "d1", "video_bridge_outage", {"fallback_worked": True}, 29),
        ],
        channel_results=[
            channel("d1", "staff-slack", "worked", 0.8, 0.5),
            channel("d1", "staff-sms", "degraded", 0.17, 0.5),
        ],
    )
    return build_review(records, generated_at=NOW, as_of=AS_OF)


def _running() -> Review:
    records = everything()
    records.drills.append(drill("d2", 30, "running"))
    records.experiments.append(experiment("l2", "d2", "server_loss", {"survived": False}, 30))
    return build_review(records, generated_at=NOW, as_of=AS_OF, source="/srv/records.db")


def _hostile() -> Review:
    records = data(
        [drill("d1", plan_name="<i>plan</i> | *x*")],
        [storm("s1", "d1", 100, 8000.0, success=0.7)],
        results=[result("d1", "<b>sms</b>", "failed"), result("d1", "a|b", "worked")],
        rows=[
            reach("d1", "<script>x</script>", "<b>sms</b>", failed=2),
            reach("d1", "back\\slash", "a|b", failed=1),
        ],
        findings=[
            finding("f1", "d1", "<script>alert(1)</script> | *x*", owner="a&b \"q\" 'r'"),
            finding("f2", "d1", "[link](#x) _y_", severity="critical", owner=None),
        ],
    )
    return build_review(records, generated_at=NOW, source="/x/<records>.db")


def _standalone_storm_in_a_drill() -> Review:
    records = two_drills()
    records.standalone_experiments.append(storm("s3", None, 300, 900.0, day=121))
    return build_review(only_drill(records, "d1"), generated_at=NOW, drill_id="d1")


SCENES: dict[str, Callable[[], Review]] = {
    "two-drills": lambda: build_review(two_drills(), generated_at=NOW, source="/x/records.db"),
    "two-drills-as-of": lambda: build_review(two_drills(), generated_at=NOW, as_of=at(120)),
    "one-drill": _standalone_storm_in_a_drill,
    "ready": lambda: build_review(everything(), generated_at=NOW, as_of=AS_OF),
    "not-ready": _not_ready,
    "stale": lambda: build_review(
        everything(), generated_at=NOW, as_of=parse_as_of("2026-09-15", NOW)
    ),
    "stricter": lambda: build_review(
        everything(), generated_at=NOW, as_of=AS_OF, required_multiple=300, zone="A"
    ),
    "no-zone": lambda: build_review(
        everything(drills=[drill("d1", 29, "met")]), generated_at=NOW, as_of=AS_OF
    ),
    "running": _running,
    "only-running": lambda: build_review(data([drill("d2", 30, "running")]), generated_at=NOW),
    "empty": lambda: build_review(data([]), generated_at=NOW),
    "hostile": _hostile,
}


@pytest.fixture(scope="module")
def fleet_review(tmp_path_factory: pytest.TempPathFactory) -> Review:
    """60 fixture drills over two school years (the seed fixes every record)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('golden') / 'records.db'}"
    with open_records(url) as records:
        make_drills(records, 60, seed=7, keep=False)
        loaded = records.load_review_data(ledger=True)
        series = records.load_series(series_wanted(loaded))
    return build_review(loaded, series, generated_at=NOW, source="/srv/records.db")


def _pages(review: Review) -> dict[str, str]:
    """The files of a scene: the page, the Markdown without and with chart files."""
    plain, _ = render_markdown(review)
    linked, files = render_markdown(review, "charts")
    digests = {path: hashlib.sha256(svg.encode()).hexdigest() for path, svg in files.items()}
    pages = {
        "html": render_html(review),
        "md": plain,
        "charts.md": linked,
        "charts.json": json.dumps(digests, indent=1, sort_keys=True) + "\n",
    }
    stamp = f"entdrill {__version__} ·"
    return {k: v.replace(stamp, "entdrill VERSION ·") for k, v in pages.items()}


def _compare(name: str, review: Review) -> None:
    for suffix, text in _pages(review).items():
        path = GOLDEN / f"{name}.{suffix}"
        if WRITE:
            path.write_bytes(text.encode("utf-8"))
            continue
        assert path.exists(), f"{path} is missing: ENTDRILL_GOLDEN=write writes it"
        expected = path.read_bytes().decode("utf-8")
        assert text == expected, f"{path.name} changed (ENTDRILL_GOLDEN=write rewrites it)"


@pytest.mark.parametrize("name", sorted(SCENES))
def test_every_scene_renders_exactly_as_its_golden_pages(name: str) -> None:
    _compare(name, SCENES[name]())


def test_a_fleet_of_fixture_drills_renders_exactly_as_its_golden_pages(
    fleet_review: Review,
) -> None:
    _compare("fleet", fleet_review)

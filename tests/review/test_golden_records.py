"""The review's pages, byte for byte: every scene of the review's tests (hand-made records, the
300-drill fleet on SQLite and on PostgreSQL, a window, one drill, the CLI's 30 drills) rendered
as HTML and as Markdown with its SVG charts, compared with the files under ``golden_records/``.

The golden files were written by the review as it was before it aggregated in the database, so
this test holds the database path and the in-memory path to the same bytes, on both backends.
After a deliberate change of the pages, rewrite them with ``ENTDRILL_GOLDEN=write``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from entdrill.cli.review import _review
from entdrill.records import open_records
from entdrill.records.fixtures import make_drills
from entdrill.review import Review, build_review, only_drill, render_html, render_markdown
from entdrill.review.period import parse_as_of, parse_period

from .support import NOW, at, data
from .test_build import two_drills
from .test_decision import AS_OF, everything

GOLDEN = Path(__file__).with_name("golden_records")
WRITE = os.environ.get("ENTDRILL_GOLDEN") == "write"
FLEET_NOW = datetime(2026, 7, 1, tzinfo=UTC)
SOURCE = "records (golden)"


def compare(name: str, review: Review) -> None:
    """The review's HTML, Markdown and SVG files against ``golden_records/name.*``."""
    text, files = render_markdown(review, "charts")
    outputs = {
        f"{name}.html": render_html(review),
        f"{name}.md": text,
        f"{name}.svg.txt": "".join(f"=== {path}\n{svg}\n" for path, svg in sorted(files.items())),
    }
    for file, produced in outputs.items():
        path = GOLDEN / file
        if WRITE:
            path.parent.mkdir(exist_ok=True)
            path.write_text(produced, encoding="utf-8")
            continue
        expected = path.read_text(encoding="utf-8")
        assert produced == expected, f"{file} differs from the golden file"


HAND: dict[str, Callable[[], Review]] = {
    "hand-two-drills": lambda: build_review(two_drills(), generated_at=NOW, as_of=at(120)),
    "hand-two-drills-default-date": lambda: build_review(two_drills(), generated_at=NOW),
    "hand-one-drill": lambda: build_review(
        only_drill(two_drills(), "d1"), generated_at=NOW, drill_id="d1"
    ),
    "hand-everything": lambda: build_review(everything(), generated_at=NOW, as_of=AS_OF),
    "hand-empty": lambda: build_review(data([]), generated_at=NOW),
}


@pytest.mark.parametrize("name", sorted(HAND))
def test_hand_made_scenes_render_the_golden_bytes(name: str) -> None:
    compare(name, HAND[name]())


def from_records(
    url: str, since: str | None = None, until: str | None = None, **options: object
) -> Review:
    """The review as ``entdrill review`` builds it from the records at ``url``."""
    start, stop = parse_period(since, until)
    values = {
        "generated_at": FLEET_NOW,
        "as_of": parse_as_of(None, FLEET_NOW),
        "required_multiple": None,
        "normal_rate": None,
        "zone": None,
        "drill_id": None,
        "title": "Continuity readiness review",
        **options,
    }
    return replace(_review(url, start, stop, values), source=SOURCE)


def test_the_fleet_renders_the_golden_bytes_on_each_backend(fleet: str) -> None:
    compare("fleet", from_records(fleet))


def test_a_window_of_the_fleet_renders_the_golden_bytes_on_each_backend(fleet: str) -> None:
    compare(
        "fleet-window",
        from_records(fleet, "2025-09-01", "2025-12-31", as_of=parse_as_of("2026-01-05", FLEET_NOW)),
    )


def test_one_drill_of_the_fleet_renders_the_golden_bytes_on_each_backend(fleet: str) -> None:
    with open_records(fleet) as records:
        drill = records.list_drills(status="not_met")[-1]
    compare("fleet-one-drill", from_records(fleet, drill_id=drill.id))


def test_a_required_multiple_and_zone_render_the_golden_bytes_on_each_backend(fleet: str) -> None:
    compare("fleet-required", from_records(fleet, required_multiple=150.0, zone="C"))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('golden-small') / 'records.db'}"
    with open_records(url) as records:
        make_drills(records, 30, seed=3, keep=False)
    return url


def test_thirty_drills_render_the_golden_bytes(small: str) -> None:
    compare("small", from_records(small))

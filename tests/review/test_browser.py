"""The review renders in headless Chromium (Debian's ``chromium``, installed by ``.ci/run``): a
screenshot is taken and is not blank, the key figures are in the DOM Chromium rendered, and the
page prints on several A4 pages."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from entdrill.records import open_records
from entdrill.review import build_review, render_html, series_wanted
from entdrill.review import wording as say

from .test_render import check

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
WIDTH, HEIGHT = 1280, 2200
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)

if CHROMIUM is None:
    pytest.skip(
        "Debian's chromium is not installed (apt-get install chromium); CI installs it in .ci/run",
        allow_module_level=True,
    )


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    done = subprocess.run(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return done


@pytest.fixture(scope="module")
def page(fleet_sqlite: str, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The review of the 300-drill fleet, as the model and as a file Chromium can open."""
    with open_records(fleet_sqlite) as records:
        data = records.load_review_data()
        series = records.load_series(series_wanted(data))
    review = build_review(data, series, generated_at=datetime(2026, 7, 1, tzinfo=UTC))
    path = tmp_path_factory.mktemp("page") / "review.html"
    path.write_text(render_html(review), encoding="utf-8")
    return review, path


def test_a_screenshot_of_the_review_is_taken_and_shows_the_page(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    _, path = page
    shot = tmp_path / "review.png"
    chromium(tmp_path, f"--window-size={WIDTH},{HEIGHT}", f"--screenshot={shot}", path.as_uri())
    assert shot.stat().st_size > 10_000
    with Image.open(shot) as image:
        assert image.format == "PNG" and image.size == (WIDTH, HEIGHT)
        rgb = image.convert("RGB")
        data = rgb.resize((WIDTH // 4, HEIGHT // 4)).tobytes()
    pixels = list(zip(data[0::3], data[1::3], data[2::3], strict=True))
    inked = sum(1 for r, g, b in pixels if r + g + b < 600)
    coloured = sum(1 for r, g, b in pixels if max(r, g, b) - min(r, g, b) > 60)
    assert inked > 0.02 * len(pixels), "the page is not blank: text and charts are drawn"
    assert coloured > 50, "the charts' coloured lines and marks are drawn"
    assert len(set(pixels)) > 50


def test_the_key_figures_are_in_the_dom_chromium_rendered(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    review, path = page
    dom = chromium(tmp_path, "--dump-dom", path.as_uri()).stdout.decode()
    figures = check(dom).figures
    assert figures["overall-score"] == say.score(review.overall.value)
    held = review.login.highest_held
    assert held is not None
    assert figures["login-held-multiple"] == say.multiple(held.multiple)
    slack = next(c for c in review.channels if c.name == "slack")
    assert figures["ack-share-slack"] == say.pct(slack.ack_share)
    assert re.search(r"<svg [^>]*role=\"img\"", dom)
    assert dom.count("<svg") >= 8


def test_the_review_prints_on_several_pages(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, path = page
    pdf = tmp_path / "review.pdf"
    chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", path.as_uri())
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes()))
    assert pages >= 6, "each main section starts a page"

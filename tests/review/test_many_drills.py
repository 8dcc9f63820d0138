"""The review of 300 fixture drills, on SQLite and PostgreSQL: its figures match what a plain
reading of the raw records gives, and both backends give the same review."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from entdrill.cli import cli
from entdrill.records import open_records
from entdrill.review import build_review, render_html, render_markdown, series_wanted

from .conftest import FLEET_DRILLS

NOW = datetime(2026, 7, 1, tzinfo=UTC)


def review_of(url: str, **window):  # type: ignore[no-untyped-def]
    with open_records(url) as records:
        data = records.load_review_data(ledger=True, **window)
        series = records.load_series(series_wanted(data))
    return data, build_review(data, series, generated_at=NOW)


def test_the_login_ladder_matches_the_raw_storm_measures(fleet: str) -> None:
    data, review = review_of(fleet)
    assert review.drills == FLEET_DRILLS
    latest: dict[float, tuple[datetime, bool, float]] = {}
    for x in [*data.experiments, *data.standalone_experiments]:
        if x.kind == "login_storm" and x.status == "completed":
            m = x.measures
            held = (
                m["success_ratio"] >= 0.99 and m["login_p95_ms"] <= m["tolerance"]["login_p95_ms"]
            )
            multiple = float(m["storm_multiple"])
            if multiple not in latest or x.started_at >= latest[multiple][0]:
                latest[multiple] = (x.started_at, held, m["login_p95_ms"])
    held = max(m for m, (_, ok, _) in latest.items() if ok)
    assert review.login.highest_held is not None
    assert review.login.highest_held.multiple == held
    assert review.login.highest_held.latest.p95_ms == latest[held][2]
    broken = [m for m, (_, ok, _) in latest.items() if not ok]
    assert (review.login.first_broken.multiple if review.login.first_broken else None) == (
        min(broken) if broken else None
    )
    assert len(review.login.series) == len([held, *broken[:1]])


def test_channel_shares_match_the_raw_ledger(fleet: str) -> None:
    data, review = review_of(fleet)
    states: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for entry in data.ledger:
        states[(entry.drill_id, entry.person, entry.channel)].add(entry.state)
    for channel in review.channels:
        if channel.wide:
            continue
        mine = [
            s for (_, _, c), s in states.items() if c == channel.name and s & {"sent", "failed"}
        ]
        delivered = [s for s in mine if s & {"delivered", "acknowledged"}]
        acked = [s for s in mine if "acknowledged" in s]
        assert channel.sent == len(mine)
        assert channel.delivery_share == pytest.approx(len(delivered) / len(mine))
        if channel.asks_ack:
            assert channel.ack_share == pytest.approx(len(acked) / len(mine))
    slack = next(c for c in review.channels if c.name == "slack")
    assert slack.asks_ack and slack.median_ack_s is not None
    assert slack.p90_ack_s is not None and slack.p90_ack_s >= slack.median_ack_s


def test_open_findings_and_scores_are_all_there(fleet: str) -> None:
    data, review = review_of(fleet)
    assert review.open_findings == len(data.open_findings) > 0
    assert sum(g.open_count for g in review.findings) == review.open_findings
    assert review.overall.value is not None and 0 <= review.overall.value <= 100
    assert {s.service for s in review.services} >= {
        "login",
        "server_loss",
        "session_store",
        "video_fallback",
        "channels",
    }
    assert review.matrix.total > len(review.matrix.columns) == 30
    assert len(review.drill_rows) == 40
    assert review.trends[0].bucket == "quarter"


def test_a_window_reviews_only_its_drills(fleet: str) -> None:
    since, until = datetime(2025, 9, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
    data, review = review_of(fleet, since=since, until=until)
    assert 0 < review.drills < FLEET_DRILLS
    assert all(since <= d.started_at < until for d in data.drills)
    assert review.first_at is not None and review.first_at >= since


@pytest.mark.postgres
def test_both_backends_give_the_same_review(fleet_sqlite: str, fleet_postgres: str) -> None:
    _, on_sqlite = review_of(fleet_sqlite)
    _, on_postgres = review_of(fleet_postgres)
    assert on_sqlite == on_postgres
    assert render_html(on_sqlite) == render_html(on_postgres)
    assert render_markdown(on_sqlite, "c") == render_markdown(on_postgres, "c")


def test_the_command_reviews_the_fleet_on_each_backend(fleet: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "review.md"
    result = CliRunner().invoke(
        cli,
        [
            "review",
            "--db",
            fleet,
            "--since",
            "2025-09-01",
            "--until",
            "2026-07-04",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    with open_records(fleet) as records:
        expected = len(
            records.list_drills(
                datetime(2025, 8, 31, 22, tzinfo=UTC), datetime(2026, 7, 4, 22, tzinfo=UTC)
            )
        )
    assert f"Review of {expected} drills written to {out}" in result.output
    text = out.read_text()
    assert text.startswith("# Continuity readiness review")
    assert f"{expected} drills:" in text
    assert (tmp_path / "review-charts" / "storm-latency.svg").is_file()


def test_never_reached_agrees_with_the_records_ledger_helper(fleet_sqlite: str) -> None:
    from collections import Counter

    from entdrill.records import never_reached
    from entdrill.review.channels import is_sent, never_reached_anywhere

    with open_records(fleet_sqlite) as records:
        reach = records.load_review_data().reach
    # Without the email channel (which reaches nearly everyone), some people are missed.
    rows = [r for r in reach if r.channel != "email"]
    expected = Counter(p.person for p in never_reached(r for r in rows if is_sent(r)))
    found = never_reached_anywhere(rows)
    assert sum(expected.values()) >= 5
    assert {p.person: p.drills for p in found} == dict(expected)


def test_one_drill_of_the_fleet_is_reviewed_alone_on_each_backend(fleet: str) -> None:
    with open_records(fleet) as records:
        drill = records.list_drills(status="not_met")[-1]
        detail = records.get_drill(drill.id)
    result = CliRunner().invoke(
        cli, ["review", "--db", fleet, "--drill", drill.id, "--format", "md"]
    )
    assert result.exit_code == 0, result.output
    assert f"Drill {drill.id}, started" in result.output
    assert "1 drill: 1 not met." in result.output
    for channel in detail.channel_results:
        assert f"| {channel.channel} |" in result.output

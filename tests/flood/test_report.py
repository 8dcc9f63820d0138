"""Shard reports merge exactly, and only when they come from the same schedule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from entdrill.cli import cli
from entdrill.errors import InvalidArgument
from entdrill.flood import report as report_module
from entdrill.flood.stats import add_values, new_histogram
from tests.flood.conftest import flood
from tests.flood.servers import LiveServer


def test_the_shards_of_a_run_merge_into_the_whole_schedule(server: LiveServer) -> None:
    common = {"target": server.url, "scenario": "http-get", "profile": "ramp", "duration": 1.0}
    shards = [flood(rate=10, to=30, shard=f"{i}/3", **common) for i in range(3)]
    merged = report_module.merge(shards)
    assert merged["shards"] == {"count": 3, "indices": [0, 1, 2], "complete": True}
    assert merged["totals"]["asked"] == 20 == merged["schedule"]["total"]
    assert merged["totals"]["completed"] == 20 == len(server.state.load())
    assert merged["series"]["asked"][0] == sum(s["series"]["asked"][0] for s in shards) == 20
    journey = merged["scenarios"]["http-get"]["journey"]["latency_ms"]
    assert journey["count"] == 20
    assert journey["max"] == max(
        s["scenarios"]["http-get"]["journey"]["latency_ms"]["max"] for s in shards
    )


def test_reports_of_different_schedules_are_refused(server: LiveServer) -> None:
    a = flood(target=server.url, scenario="http-get", rate=10, duration=0.5, seed=1, shard="0/2")
    b = flood(target=server.url, scenario="http-get", rate=10, duration=0.5, seed=2, shard="1/2")
    with pytest.raises(InvalidArgument, match="they come from different schedules"):
        report_module.merge([a, b], ["a.json", "b.json"])


def test_the_same_shard_twice_is_refused(server: LiveServer) -> None:
    a = flood(target=server.url, scenario="http-get", rate=10, duration=0.5, shard="0/2")
    with pytest.raises(InvalidArgument, match="shard 0 is already in another report"):
        report_module.merge([a, a])


def test_flood_merge_command_writes_the_merged_report(server: LiveServer, tmp_path: Path) -> None:
    paths = []
    for i in range(2):
        path = tmp_path / f"shard-{i}.json"
        report_module.write(
            flood(target=server.url, scenario="http-get", rate=12, duration=0.5, shard=f"{i}/2"),
            path,
        )
        paths.append(str(path))
    result = CliRunner().invoke(cli, ["flood", "merge", *paths, "-o", str(tmp_path / "all.json")])
    assert result.exit_code == 0, result.output
    merged = json.loads((tmp_path / "all.json").read_text())
    assert merged["totals"]["completed"] == 6 and merged["shards"]["complete"]
    other = tmp_path / "other.json"
    report_module.write(
        flood(target=server.url, scenario="http-get", rate=14, duration=0.5, shard="1/2"), other
    )
    result = CliRunner().invoke(cli, ["flood", "merge", paths[0], str(other)])
    assert result.exit_code == 2
    assert "different schedules" in result.output


@settings(deadline=None, max_examples=200)
@given(st.lists(st.integers(min_value=1, max_value=3_600_000_000), max_size=300))
def test_the_summary_gives_the_histograms_own_percentiles(values: list[int]) -> None:
    histogram = new_histogram()
    add_values(histogram, values)
    expected: dict[str, float] = {"count": len(values)}
    for p in report_module.PERCENTILES:
        expected[f"p{p:g}"] = histogram.get_value_at_percentile(p) / 1000 if values else 0.0
    expected["max"] = histogram.get_max_value() / 1000 if values else 0.0
    assert report_module.summary(histogram) == expected


def _written(tmp_path: Path, name: str, report: dict[str, object]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(report))
    return path


def test_a_report_read_back_has_its_whole_shape_checked(server: LiveServer, tmp_path: Path) -> None:
    report = flood(target=server.url, scenario="http-get", rate=4, duration=1)
    assert report_module.read(_written(tmp_path, "ok.json", report))["totals"] == report["totals"]
    broken = {
        "no schedule": ({k: v for k, v in report.items() if k != "schedule"}, "schedule"),
        "a count as text": ({**report, "max_in_flight": "3"}, "max_in_flight"),
        "shard out of range": (
            {**report, "shards": {"count": 1, "indices": [4], "complete": True}},
            "shards.indices[0]",
        ),
        "a foreign series": ({**report, "series": {"asked": [1], "bogus": [1]}}, "series"),
        "a garbled histogram": (
            {**report, "dispatch_lag": {"histogram": "SElTVEZBQUFB"}},
            "dispatch_lag.histogram: the histogram cannot be decoded",
        ),
    }
    for label, (data, field) in broken.items():
        with pytest.raises(InvalidArgument) as caught:
            report_module.read(_written(tmp_path, "bad.json", data))
        assert f"bad.json: {field}" in str(caught.value), label


def test_a_histogram_with_other_settings_is_refused_before_it_is_allocated() -> None:
    from hdrh.histogram import HdrHistogram

    wide = HdrHistogram(1, 10**15, 5)  # decoding it whole would allocate far more
    wide.record_value(7)
    with pytest.raises(InvalidArgument, match="tracks 1 to 1000000000000000 with 5 figures"):
        report_module.report_shape.decode_histogram(wide.encode().decode("ascii"))
    with pytest.raises(InvalidArgument, match="at most 65536 characters"):
        report_module.report_shape.decode_histogram("A" * 70_000)

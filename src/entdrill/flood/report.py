"""The flood report (JSON), and the exact merge of the reports of a run's shards.

The schema is documented in docs/login-storms.md ("The flood report"). Histograms travel as
HdrHistogram's compressed base64 encoding, so merging shards adds the histograms themselves, not
percentiles: the merged p99 is the p99 of every latency recorded by every shard. Counts and
per-second series add up; the in-flight series (sampled at the end of each second) adds up too.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from hdrh.histogram import HdrHistogram

from entdrill import outfile, redact, textfile
from entdrill.errors import InvalidArgument
from entdrill.flood import report_shape
from entdrill.flood.stats import Series, Stats, new_histogram

FORMAT = "entdrill-flood-report/1"
PERCENTILES = (50.0, 90.0, 95.0, 99.0)

Report = dict[str, Any]


def summary(histogram: HdrHistogram) -> dict[str, float]:
    """count, p50, p90, p95, p99 and max in milliseconds.

    The values of ``HdrHistogram.get_value_at_percentile``, found in one pass over the buckets
    that hold values (``get_value_at_percentile`` walks every bucket in Python, per percentile).
    """
    count = histogram.get_total_count()
    out: dict[str, float] = {"count": count}
    values = dict.fromkeys(PERCENTILES, 0.0)
    if count:
        counts = histogram.counts[: histogram.counts_len]
        targets = [(p, histogram.get_target_count_at_percentile(p)) for p in PERCENTILES]
        targets.sort(key=lambda target: target[1])
        total, next_target = 0, 0
        for index in itertools.compress(range(len(counts)), counts):
            total += counts[index]
            while next_target < len(targets) and total >= targets[next_target][1]:
                value = histogram.get_value_from_index(index)
                values[targets[next_target][0]] = histogram.get_highest_equivalent_value(value)
                next_target += 1
            if next_target == len(targets):
                break
    for p in PERCENTILES:
        out[f"p{p:g}"] = values[p] / 1000
    out["max"] = histogram.get_max_value() / 1000 if count else 0.0
    return out


def _histogram_entry(histogram: HdrHistogram) -> dict[str, Any]:
    return {"latency_ms": summary(histogram), "histogram": histogram.encode().decode("ascii")}


def _decode(entries: list[str]) -> HdrHistogram:
    histogram = new_histogram()
    for encoded in entries:
        histogram.add(report_shape.decode_histogram(encoded))
    return histogram


def build(
    stats: Stats,
    *,
    target: str,
    schedule: dict[str, Any],
    shard: tuple[int, int],
    started_at: float,
    ended_at: float,
    stopped_by: str,
) -> Report:
    """The report of one process (one shard)."""
    scenarios: dict[str, Any] = {}
    totals = dict.fromkeys(("asked", "started", "completed", "failed"), 0)
    errors: dict[str, int] = {}
    stats.flush()
    for s in stats.scenarios:
        steps: dict[str, Any] = {}
        step_histograms = s.step_histograms
        for step, histogram in step_histograms.items():
            steps[step] = {"count": histogram.get_total_count(), "errors": {}}
            steps[step].update(_histogram_entry(histogram))
        scenario_errors: dict[str, int] = {}
        for (step, cause), count in sorted(s.errors.items()):
            steps.setdefault(step, {"count": 0, "errors": {}})["errors"][cause] = count
            scenario_errors[cause] = scenario_errors.get(cause, 0) + count
            errors[cause] = errors.get(cause, 0) + count
        journey = (
            s.journey.histogram if s.journey is not None else step_histograms[s.scenario.steps[0]]
        )
        scenarios[s.scenario.name] = {
            "asked": s.asked,
            "started": s.started,
            "completed": s.completed,
            "failed": s.failed,
            "errors": scenario_errors,
            "steps": steps,
            "login": _histogram_entry(s.login.histogram) if s.login is not None else None,
            "journey": _histogram_entry(journey),
        }
        for key in totals:
            totals[key] += getattr(s, key)
    series = stats.series.values
    totals["achieved"] = sum(series["achieved"])
    totals["refused"] = errors.get("refused", 0)
    totals["unfinished"] = errors.get("unfinished", 0)
    return {
        "format": FORMAT,
        "target": redact.redact(target),
        "schedule": schedule,
        "shards": {"count": shard[1], "indices": [shard[0]], "complete": shard[1] == 1},
        "started_at": started_at,
        "ended_at": ended_at,
        "stopped_by": stopped_by,
        "totals": totals,
        "errors": dict(sorted(errors.items())),
        "scenarios": scenarios,
        "dispatch_lag": _histogram_entry(stats.dispatch_lag.histogram),
        "series": {name: list(values) for name, values in series.items()},
        "max_in_flight": stats.max_in_flight,
    }


def merge(reports: list[Report], names: list[str] | None = None) -> Report:
    """One report of every shard; refuses reports of different schedules or repeated shards."""
    if not reports:
        raise InvalidArgument("flood merge needs at least one report")
    names = names or [f"report {i + 1}" for i in range(len(reports))]
    first = reports[0]
    for name, report in zip(names, reports, strict=True):
        if report.get("format") != FORMAT:
            raise InvalidArgument(f"{name} is not an entdrill flood report (format {FORMAT})")
        if report["schedule"]["fingerprint"] != first["schedule"]["fingerprint"]:
            raise InvalidArgument(
                f"cannot merge {names[0]} and {name}: they come from different schedules "
                f"({first['schedule']['fingerprint']} and {report['schedule']['fingerprint']}); "
                "merge only the shard reports of one run"
            )
        if sorted(report["scenarios"]) != sorted(first["scenarios"]):
            raise InvalidArgument(
                f"cannot merge {names[0]} and {name}: they hold different scenarios "
                f"({', '.join(sorted(first['scenarios']))} and "
                f"{', '.join(sorted(report['scenarios']))})"
            )
        if report["shards"]["count"] != first["shards"]["count"]:
            raise InvalidArgument(
                f"cannot merge {names[0]} and {name}: one run split in "
                f"{first['shards']['count']} shards, the other in {report['shards']['count']}"
            )
    indices: list[int] = []
    for name, report in zip(names, reports, strict=True):
        repeated = set(indices) & set(report["shards"]["indices"])
        if repeated:
            raise InvalidArgument(
                f"cannot merge {name}: shard {sorted(repeated)[0]} is already in another report"
            )
        indices.extend(report["shards"]["indices"])
    merged: Report = {
        "format": FORMAT,
        "target": first["target"],
        "schedule": first["schedule"],
        "shards": {
            "count": first["shards"]["count"],
            "indices": sorted(indices),
            "complete": len(indices) == first["shards"]["count"],
        },
        "started_at": min(r["started_at"] for r in reports),
        "ended_at": max(r["ended_at"] for r in reports),
        "stopped_by": "; ".join(sorted({r["stopped_by"] for r in reports if r["stopped_by"]})),
        "totals": _add_counts([r["totals"] for r in reports]),
        "errors": _add_counts([r["errors"] for r in reports]),
        "scenarios": {},
        "dispatch_lag": _merge_histograms([r["dispatch_lag"] for r in reports]),
        "series": _add_series([r["series"] for r in reports]),
        "max_in_flight": sum(r["max_in_flight"] for r in reports),
    }
    for name in first["scenarios"]:
        parts = [r["scenarios"][name] for r in reports]
        steps: dict[str, Any] = {}
        for step in parts[0]["steps"]:
            pieces = [p["steps"][step] for p in parts if step in p["steps"]]
            entry = {
                "count": sum(p["count"] for p in pieces),
                "errors": _add_counts([p["errors"] for p in pieces]),
            }
            if any("histogram" in p for p in pieces):
                entry.update(_merge_histograms([p for p in pieces if "histogram" in p]))
            steps[step] = entry
        merged["scenarios"][name] = {
            **_add_counts(
                [{k: p[k] for k in ("asked", "started", "completed", "failed")} for p in parts]
            ),
            "errors": _add_counts([p["errors"] for p in parts]),
            "steps": steps,
            "login": _merge_histograms([p["login"] for p in parts if p["login"] is not None])
            if any(p["login"] is not None for p in parts)
            else None,
            "journey": _merge_histograms([p["journey"] for p in parts]),
        }
    return merged


def _add_counts(parts: list[dict[str, int]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for part in parts:
        for key, value in part.items():
            out[key] = out.get(key, 0) + value
    return dict(sorted(out.items()))


def _add_series(parts: list[dict[str, list[int]]]) -> dict[str, list[int]]:
    length = max(len(p["asked"]) for p in parts)
    out = {name: [0] * length for name in Series.NAMES}
    for part in parts:
        for name, values in part.items():
            for i, value in enumerate(values):
                out[name][i] += value
    return out


def _merge_histograms(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return _histogram_entry(_decode([e["histogram"] for e in entries]))


def write(report: Report, path: Path, option: str = "--report") -> None:
    """Write ``report`` to ``path`` atomically, secrets masked; no temporary file is left."""
    outfile.write(path, json.dumps(redact.redact(report), indent=1) + "\n", option)


def read(path: Path) -> Report:
    """A flood report written by entdrill (its whole shape checked before anything uses it)."""
    text = textfile.read_text(path, kind="report")
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        raise InvalidArgument(f"{path} is not JSON: {error}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidArgument(f"{path} is not an entdrill flood report (format {FORMAT})")
    return report_shape.check(data, str(path))


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def headline(report: Report) -> dict[str, Any]:
    """A short summary for journals, logs and the end of a run (latencies over every scenario)."""
    totals = report["totals"]
    seconds = max(1e-9, report["ended_at"] - report["started_at"])
    scenarios = report["scenarios"].values()
    logins = [
        s["login"]["histogram"] for s in scenarios if s["login"] and "histogram" in s["login"]
    ]
    journeys = [s["journey"]["histogram"] for s in scenarios if "histogram" in s["journey"]]
    return {
        "asked": totals["asked"],
        "achieved": totals["achieved"],
        "completed": totals["completed"],
        "failed": totals["failed"],
        "errors": report["errors"],
        "achieved_rate": round(totals["achieved"] / seconds, 2),
        "login_ms": summary(_decode(logins)) if logins else None,
        "journey_ms": summary(_decode(journeys)) if journeys else None,
        "stopped_by": report["stopped_by"],
    }

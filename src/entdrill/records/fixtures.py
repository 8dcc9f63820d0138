"""Realistic records of many drills, for tests and benchmarks (shipped, like ``entdrill.testing``).

``make_drills(records, n, seed)`` writes ``n`` drills of several schools spread over two school
years, in batches: each with its hash-chained events, a login storm at some multiple of normal
load (p95 and success ratio following the school's capacity, which improves over time), server
loss, video-bridge outage and session-store loss experiments, the fallback channels (Slack DMs,
email, SMS escalation for those who did not acknowledge on Slack, backup video room, status page),
a communications ledger per person, channel results consistent with that ledger, and findings
(older ones mostly closed). Some standalone experiments are added too. The same seed gives the
same records on either backend.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from entdrill.population import FIRST_NAMES, LAST_NAMES, SCHOOL_NAMES
from entdrill.records.fixture_scenes import Scene, channel_results, experiments, ledger
from entdrill.records.models import (
    ChannelResult,
    DrillDetail,
    DrillRecord,
    DrillStatus,
    Event,
    ExperimentRecord,
    Finding,
)
from entdrill.records.store import Records
from entdrill.records.tables import new_id

PARIS = ZoneInfo("Europe/Paris")
DEFAULT_END = datetime(2026, 6, 30, tzinfo=UTC)
ORGANISERS = ("U0ORGDANE1", "U0ORGDSI02")
GROUPS = ("direction", "direction", "vie-scolaire", "numerique") + ("enseignants",) * 8
OWNERS = {"slack": "dane", "email": "dsi", "sms": "dsi", "video": "astreinte-ent"}


def make_drills(
    records: Records,
    n: int,
    seed: int = 0,
    *,
    end: datetime = DEFAULT_END,
    span_days: int = 730,
    batch_size: int = 500,
    standalone_every: int = 10,
    keep: bool = True,
) -> list[DrillDetail]:
    """Write ``n`` drills ending before ``end`` (plus one standalone experiment per
    ``standalone_every`` drills); return them as stored (empty when ``keep`` is False)."""
    kept: list[DrillDetail] = []
    batch: list[DrillDetail] = []
    for detail in build_drills(n, seed, end=end, span_days=span_days):
        batch.append(detail)
        if len(batch) >= batch_size:
            stored = records.import_drills(batch)
            kept.extend(stored if keep else ())
            batch = []
    if batch:
        stored = records.import_drills(batch)
        kept.extend(stored if keep else ())
    if standalone_every:
        records.import_experiments(
            build_standalone(n // standalone_every, seed, end=end, span_days=span_days)
        )
    return kept


def build_drills(
    n: int, seed: int = 0, *, end: datetime = DEFAULT_END, span_days: int = 730
) -> Iterator[DrillDetail]:
    """``n`` drills, oldest first, without touching any database (their events are chained
    when written: ``seq`` 0 and empty hashes until then)."""
    rng = random.Random(seed)
    rosters = {school: _roster(rng, school) for school in SCHOOL_NAMES}
    start = end - timedelta(days=span_days)
    for index in range(n):
        progress = index / max(n - 1, 1)
        school = SCHOOL_NAMES[index % len(SCHOOL_NAMES)]
        started = _school_morning(start + timedelta(days=span_days * progress), end)
        yield _drill(rng, index, progress, school, rosters[school], started, end)


def build_standalone(
    count: int, seed: int = 0, *, end: datetime = DEFAULT_END, span_days: int = 730
) -> list[ExperimentRecord]:
    """Experiments run with ``chaos run`` outside any drill."""
    rng = random.Random(seed + 1)
    start = end - timedelta(days=span_days)
    found: list[ExperimentRecord] = []
    for index in range(count):
        progress = index / max(count - 1, 1)
        at = _school_morning(start + timedelta(days=span_days * progress), end) - timedelta(
            hours=rng.randint(1, 5)
        )
        scene = Scene(rng, _new_id(rng, at), at, _capacity(rng, progress), progress)
        found.extend(experiments(scene, kinds=(rng.choice(("login_storm", "smoke")),), drill=None))
    return found


def _drill(
    rng: random.Random,
    index: int,
    progress: float,
    school: str,
    roster: list[tuple[str, str]],
    started: datetime,
    end: datetime,
) -> DrillDetail:
    drill_id = _new_id(rng, started)
    scene = Scene(rng, drill_id, started, _capacity(rng, progress), progress)
    roll = rng.random()
    dry_run, aborted, interrupted = roll < 0.05, 0.05 <= roll < 0.09, 0.09 <= roll < 0.12
    plan_version = index // 40
    events: list[tuple[datetime, str, str, dict[str, Any]]] = []

    def event(offset_s: float, phase: str, kind: str, data: dict[str, Any]) -> None:
        events.append((started + timedelta(seconds=offset_s), phase, kind, data))

    plan = {
        "plan_name": f"pre_holiday_{school.replace('-', '_')}",
        "plan_path": "drills/pre_holiday.yaml",
        "plan_digest": hashlib.sha256(f"{school}:{plan_version}".encode()).hexdigest(),
        "target": "sandbox" if rng.random() < 0.7 else "http://127.0.0.1:8800",
    }
    people = rng.sample(roster, rng.randint(min(8, len(roster)), len(roster)))
    event(0, "drill", "created", {**plan, "organisers": list(ORGANISERS)})
    event(2, "announce", "posted", {"channel": "#continuite", "people": len(people)})
    kinds = [] if dry_run else _kinds(rng)
    if aborted or interrupted:
        kinds = kinds[:1]
    runs = experiments(scene, kinds=tuple(kinds), drill=drill_id)
    for run in runs:
        offset = (run.started_at - started).total_seconds()
        event(offset, "inject", "experiment_started", {"kind": run.kind, "path": run.path})
        finished = (run.ended_at or run.started_at) - started
        event(finished.total_seconds(), "inject", "experiment_finished", _verdict(run))
    entries = [] if dry_run or aborted else ledger(scene, people)
    results = [] if dry_run or aborted else channel_results(scene, entries, runs)
    last = max((e[0] for e in events), default=started)
    for result in results:
        offset = (last - started).total_seconds() + 5
        event(offset, "fallbacks", "channel_activated", {"channel": result.channel})
    for entry_time in sorted({e.at for e in entries})[-1:]:
        last = max(last, entry_time)
    for result in results:
        event((last - started).total_seconds() + 30, "verify", "channel_outcome", _outcome(result))
    status, exit_code, reason = _status(rng, runs, results, dry_run, aborted, interrupted)
    ended = started + timedelta(seconds=(last - started).total_seconds() + 120)
    if not interrupted:
        event((ended - started).total_seconds() - 60, "recover", "faults_reverted", {"faults": 0})
        event(
            (ended - started).total_seconds() - 30, "debrief", "posted", {"channel": "#continuite"}
        )
    end_kind = "interrupted" if interrupted else "finished"
    event(
        (ended - started).total_seconds(),
        "drill",
        end_kind,
        {"status": status, "exit_code": exit_code, "reason": reason},
    )
    unchained = [
        Event(drill_id, 0, at, phase, kind, data, "", "") for at, phase, kind, data in events
    ]
    drill = DrillRecord(
        id=drill_id,
        plan_name=plan["plan_name"],
        plan_path=plan["plan_path"],
        plan_digest=plan["plan_digest"],
        target=plan["target"],
        started_at=started,
        status=status,
        ended_at=ended,
        exit_code=exit_code,
        reason=reason,
        pid=rng.randint(1000, 60000),
        host=f"drill-runner-{rng.randint(1, 3)}",
        organisers=ORGANISERS,
        summary={
            "school": school,
            "people": len(people),
            "experiments": len(runs),
            "channels": {r.channel: r.outcome for r in results},
        },
    )
    return DrillDetail(
        drill=drill,
        events=unchained,
        experiments=runs,
        channel_results=results,
        ledger=entries,
        findings=_findings(rng, drill_id, started, runs, results, end),
    )


def _status(
    rng: random.Random,
    runs: list[ExperimentRecord],
    results: list[ChannelResult],
    dry_run: bool,
    aborted: bool,
    interrupted: bool,
) -> tuple[DrillStatus, int | None, str | None]:
    if dry_run:
        return "dry_run", 0, None
    if aborted:
        return "aborted", 2, f"STOP DRILL posted by {rng.choice(ORGANISERS)}"
    if interrupted:
        return "interrupted", None, "runner process died (found by drill recover)"
    if any(r.deviated for r in runs) or any(c.outcome != "worked" for c in results):
        return "not_met", 1, None
    return "met", 0, None


def _findings(
    rng: random.Random,
    drill_id: str,
    started: datetime,
    runs: list[ExperimentRecord],
    results: list[ChannelResult],
    end: datetime,
) -> list[Finding]:
    found: list[tuple[str, str, str, str, str]] = []
    for run in runs:
        if run.deviated:
            multiple = run.measures.get("storm_multiple")
            what = f" at {multiple}x" if multiple else ""
            found.append(
                (
                    f"{run.kind}:deviated",
                    "high",
                    f"{run.title} did not hold{what}",
                    "astreinte-ent",
                    "",
                )
            )
    for result in results:
        if result.outcome != "worked":
            severity = "high" if result.outcome == "failed" else "medium"
            title = f"{result.channel} channel {result.outcome}"
            owner = OWNERS.get(result.channel, "referent-numerique")
            found.append(
                (
                    f"channel:{result.channel}:{result.outcome}",
                    severity,
                    title,
                    owner,
                    result.cause or "",
                )
            )
    findings = []
    for key, severity, title, owner, detail in found:
        created = started + timedelta(hours=2)
        closed = created + timedelta(days=rng.expovariate(1 / 30))
        is_closed = closed < end and rng.random() < 0.8
        findings.append(
            Finding(
                id=_new_id(rng, created),
                drill_id=drill_id,
                severity=severity,  # type: ignore[arg-type]
                title=title,
                detail=detail,
                owner=owner,
                status="closed" if is_closed else "open",
                created_at=created,
                closed_at=closed if is_closed else None,
                resolution="fixed during the holiday" if is_closed else None,
                key=key,
            )
        )
    return findings


def _verdict(run: ExperimentRecord) -> dict[str, Any]:
    return {"kind": run.kind, "status": run.status, "deviated": run.deviated}


def _outcome(result: ChannelResult) -> dict[str, Any]:
    return {"channel": result.channel, "outcome": result.outcome, "cause": result.cause}


def _kinds(rng: random.Random) -> list[str]:
    kinds = ["login_storm"]
    for kind, chance in (
        ("server_loss", 0.7),
        ("video_bridge_outage", 0.6),
        ("session_store_loss", 0.3),
        ("video_bridge_degraded", 0.2),
    ):
        if rng.random() < chance:
            kinds.append(kind)
    return kinds


def _capacity(rng: random.Random, progress: float) -> float:
    """The storm multiple the school's ENT holds: about 40x at first, 400x two years on."""
    return 40 * math.exp(progress * math.log(10)) * rng.lognormvariate(0, 0.25)


def _roster(rng: random.Random, school: str) -> list[tuple[str, str]]:
    people: dict[str, str] = {}
    while len(people) < 24:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{first}.{last}@{school}.example".lower()
        people.setdefault(email, GROUPS[len(people) % len(GROUPS)])
    return sorted(people.items())


def _school_morning(day: datetime, end: datetime) -> datetime:
    """07:45 Paris time on the last weekday at or before ``day`` that starts before ``end``
    (a non-decreasing function of ``day``, so drills stay in order)."""
    local: date = min(day, end).astimezone(PARIS).date()
    while True:
        moment = datetime.combine(local, time(7, 45), tzinfo=PARIS).astimezone(UTC)
        if local.weekday() < 5 and moment < end:
            return moment
        local -= timedelta(days=1)


def _new_id(rng: random.Random, at: datetime) -> str:
    return new_id(int(at.timestamp() * 1000), rng.getrandbits(74))

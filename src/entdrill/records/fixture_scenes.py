"""What happens inside one fixture drill: the experiments' measures, the ledger of each person
on each channel, and the channel results judged from that ledger (used by ``fixtures``).

A ``Scene`` carries the drill's random source, its start, the storm multiple its ENT holds and a
clock (seconds since the start) that the experiments advance and the fallbacks start from.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from entdrill.records.models import (
    ChannelOutcome,
    ChannelResult,
    ExperimentRecord,
    LedgerEntry,
    LedgerState,
)
from entdrill.records.tables import new_id

MULTIPLES = (10, 30, 100, 300, 1000)
NORMAL_RATE_PER_S = 4.0
STORM_S = 60
P95_TOLERANCE_MS = 2000.0
DEADLINE_S = 900.0
ESCALATE_AFTER_S = 600.0
EXPECTATIONS: dict[str, dict[str, float]] = {
    "slack": {"delivered_share": 0.95, "acknowledged_share": 0.7, "deadline_s": DEADLINE_S},
    "email": {"delivered_share": 0.9},
    "sms": {"delivered_share": 0.75, "acknowledged_share": 0.5, "deadline_s": DEADLINE_S},
    "video": {"joinable": 1.0},
    "statuspage": {"shown_within_s": 60.0},
}
TITLES = {
    "login_storm": "Login storm at {multiple}x normal load",
    "server_loss": "Loss of one ENT replica",
    "session_store_loss": "Loss of the session store",
    "video_bridge_outage": "Video bridge outage, classes move to the backup room",
    "video_bridge_degraded": "Video bridge degraded (slow joins)",
    "smoke": "Smoke test of the staging ENT",
}


@dataclass
class Scene:
    rng: random.Random
    drill_id: str
    started: datetime
    capacity: float
    #: How far through the fixture's span (0 to 1): teams get better at this over time.
    progress: float = 0.5
    clock_s: float = 60.0

    def at(self, offset_s: float) -> datetime:
        return self.started + timedelta(milliseconds=round(offset_s * 1000))

    def new_id(self, at: datetime | None = None) -> str:
        moment = at or self.started
        return new_id(int(moment.timestamp() * 1000), self.rng.getrandbits(74))


def experiments(scene: Scene, *, kinds: Sequence[str], drill: str | None) -> list[ExperimentRecord]:
    """One experiment run per kind, one after the other from the scene's clock."""
    runs = []
    for kind in kinds:
        measures, series, deviated, duration = _MEASURES[kind](scene)
        multiple = measures.get("storm_multiple", "")
        title = TITLES[kind].format(multiple=multiple)
        start = scene.clock_s
        scene.clock_s += duration + 30
        status = "completed"
        journal = {
            "chaoslib-version": "1.44.0",
            "experiment": {"title": title, "tags": ["ent", kind]},
            "status": status,
            "deviated": deviated,
            "duration": duration,
            "steady_states": {"before": {"steady_state_met": True}},
        }
        runs.append(
            ExperimentRecord(
                id=scene.new_id(),
                drill_id=drill,
                title=title,
                path=f"experiments/{kind}.json",
                kind=kind,
                status=status,
                deviated=deviated,
                started_at=scene.at(start),
                ended_at=scene.at(start + duration),
                measures=measures,
                series=series,
                journal=journal,
            )
        )
    return runs


Measured = tuple[dict[str, Any], dict[str, Any] | None, bool, float]


def _login_storm(scene: Scene) -> Measured:
    rng = scene.rng
    multiple = rng.choices(MULTIPLES, weights=(1, 3, 8, 3, 1))[0]
    load = multiple / scene.capacity
    p95 = min(30000.0, 180.0 * (1 + 4 * load**4) * rng.lognormvariate(0, 0.1))
    success = 1.0 if load <= 1 else max(0.05, 1 / load**0.8)
    offered = NORMAL_RATE_PER_S * multiple
    requests = int(offered * STORM_S)
    failed = int(requests * (1 - success))
    held = p95 <= P95_TOLERANCE_MS and success >= 0.99
    measures = {
        "storm_multiple": multiple,
        "normal_rate_per_s": NORMAL_RATE_PER_S,
        "offered_rate_per_s": offered,
        "achieved_rate_per_s": round(offered * min(1.0, 1 / max(load, 1e-9)), 1),
        "login_p50_ms": round(p95 / 2.5, 1),
        "login_p95_ms": round(p95, 1),
        "login_p99_ms": round(p95 * 1.6, 1),
        "success_ratio": round(success, 4),
        "requests": requests,
        "errors": {
            "timeout": failed * 6 // 10,
            "refused": failed * 3 // 10,
            "http_5xx": failed // 10,
        },
        "held": held,
        "tolerance": {"login_p95_ms": P95_TOLERANCE_MS, "success_ratio": 0.99},
    }
    ramp = [min(1.0, (t + 1) / 15) for t in range(STORM_S)]
    series = {
        "t_s": list(range(STORM_S)),
        "offered_per_s": [round(offered * r, 1) for r in ramp],
        "p95_ms": [round(min(30000.0, 180 * (1 + 4 * (load * r) ** 4)), 1) for r in ramp],
        "errors_per_s": [
            round(offered * r * (1 - min(1.0, 1 / max(load * r, 1e-9)))) for r in ramp
        ],
    }
    return measures, series, not held, float(STORM_S)


def _server_loss(scene: Scene) -> Measured:
    survived = scene.rng.random() < 0.75 + 0.23 * scene.progress
    error_ratio = round(
        scene.rng.uniform(0, 0.005) if survived else scene.rng.uniform(0.05, 0.4), 4
    )
    measures = {
        "replicas": 2,
        "replicas_killed": 1,
        "survived": survived,
        "error_ratio": error_ratio,
        "recovery_s": round(
            scene.rng.uniform(2, 20) if survived else scene.rng.uniform(60, 300), 1
        ),
    }
    return measures, None, not survived, 120.0


def _session_store_loss(scene: Scene) -> Measured:
    survived = scene.rng.random() < 0.7 + 0.28 * scene.progress
    measures = {
        "survived": survived,
        "sessions_lost_share": 0.0 if survived else round(scene.rng.uniform(0.3, 1.0), 3),
        "relogin_p95_ms": round(scene.rng.uniform(200, 900 if survived else 6000), 1),
    }
    return measures, None, not survived, 90.0


def _video_outage(scene: Scene) -> Measured:
    worked = scene.rng.random() < 0.85 + 0.13 * scene.progress
    measures = {
        "bridge": "primary",
        "fallback_worked": worked,
        "backup_joinable": worked,
        "join_p95_ms": round(scene.rng.uniform(400, 1500) if worked else 30000.0, 1),
        "switch_s": round(scene.rng.uniform(20, 90), 1),
    }
    return measures, None, not worked, 180.0


def _video_degraded(scene: Scene) -> Measured:
    ratio = round(scene.rng.uniform(0.92, 1.0), 3)
    held = ratio >= 0.93
    measures = {"added_latency_ms": 800, "join_p95_ms": round(scene.rng.uniform(1500, 6000), 1)}
    measures["join_success_ratio"] = ratio
    return measures, None, not held, 120.0


def _smoke(scene: Scene) -> Measured:
    return {"ent_up": True, "login_ms": round(scene.rng.uniform(80, 300), 1)}, None, False, 10.0


_MEASURES = {
    "login_storm": _login_storm,
    "server_loss": _server_loss,
    "session_store_loss": _session_store_loss,
    "video_bridge_outage": _video_outage,
    "video_bridge_degraded": _video_degraded,
    "smoke": _smoke,
}


def ledger(scene: Scene, people: Sequence[tuple[str, str]]) -> list[LedgerEntry]:
    """Slack DMs and email to everyone, SMS to those who had not acknowledged on Slack."""
    rng = scene.rng
    t0 = scene.clock_s + 10
    slack_down = rng.random() < 0.05
    slack_ack_share = min(0.98, rng.uniform(0.7, 0.9) + 0.08 * scene.progress)
    entries: list[LedgerEntry] = []

    def add(person: str, group: str, channel: str, state: LedgerState, offset: float) -> None:
        evidence: dict[str, Any] = {}
        if state == "failed":
            evidence = {"error": "invalid_auth" if channel == "slack" else "550 5.1.1 unknown"}
        elif state == "refused":
            evidence = {"reason": "not in the plan's audience allow-list"}
        entries.append(
            LedgerEntry(
                scene.new_id(scene.at(offset)),
                scene.drill_id,
                person,
                channel,
                state,
                scene.at(offset),
                group,
                evidence,
            )
        )

    for person, group in people:
        sent = t0 + rng.uniform(0, 5)
        add(person, group, "slack", "sent", sent)
        acked_at = None
        if slack_down:
            add(person, group, "slack", "failed", sent + 0.5)
        else:
            add(person, group, "slack", "delivered", sent + 0.3)
            if rng.random() < slack_ack_share:
                acked_at = sent + rng.lognormvariate(4.5, 0.9)
                add(person, group, "slack", "acknowledged", acked_at)
        mail = t0 + rng.uniform(0, 10)
        add(person, group, "email", "sent", mail)
        roll = rng.random()
        state: LedgerState = "delivered" if roll < 0.97 else "failed" if roll < 0.995 else "refused"
        add(person, group, "email", state, mail + rng.uniform(0.2, 3))
        if acked_at is None or acked_at - t0 > ESCALATE_AFTER_S:
            sms = t0 + ESCALATE_AFTER_S + rng.uniform(0, 5)
            add(person, group, "sms", "sent", sms)
            if rng.random() < 0.95:
                add(person, group, "sms", "delivered", sms + rng.uniform(1, 20))
                if rng.random() < 0.8:
                    add(person, group, "sms", "acknowledged", sms + rng.lognormvariate(4.8, 0.7))
            else:
                add(person, group, "sms", "failed", sms + rng.uniform(5, 60))
    scene.clock_s = t0 + DEADLINE_S
    return entries


def channel_results(
    scene: Scene, entries: Sequence[LedgerEntry], runs: Sequence[ExperimentRecord]
) -> list[ChannelResult]:
    """Each channel judged against its expectation, from the ledger (plus the backup video room,
    joinable when the video outage experiment's fallback worked, and the status page)."""
    recorded = scene.at(scene.clock_s + 60)
    results = [_judge(scene, channel, entries, recorded) for channel in ("slack", "email", "sms")]
    outages = [r.measures["fallback_worked"] for r in runs if r.kind == "video_bridge_outage"]
    joinable = outages[-1] if outages else scene.rng.random() < 0.9
    results.append(
        ChannelResult(
            scene.drill_id,
            "video",
            "worked" if joinable else "failed",
            EXPECTATIONS["video"],
            None,
            None,
            None if joinable else "backup room not joinable within 30 s",
            {"room": "continuite-backup"},
            recorded,
        )
    )
    shown_s = round(scene.rng.lognormvariate(3.3, 0.5), 1)
    late = shown_s > 60
    results.append(
        ChannelResult(
            scene.drill_id,
            "statuspage",
            "degraded" if late else "worked",
            EXPECTATIONS["statuspage"],
            None,
            None,
            f"incident shown after {shown_s} s, expected within 60 s" if late else None,
            {"shown_after_s": shown_s},
            recorded,
        )
    )
    return results


def _judge(
    scene: Scene, channel: str, entries: Sequence[LedgerEntry], recorded: datetime
) -> ChannelResult:
    expectation = EXPECTATIONS[channel]
    mine = [e for e in entries if e.channel == channel]
    sent = {e.person: e.at for e in mine if e.state == "sent"}
    if not sent:
        return ChannelResult(
            scene.drill_id, channel, "worked", expectation, None, None, None, {"sent": 0}, recorded
        )
    delivered = {e.person for e in mine if e.state == "delivered"}
    deadline = expectation.get("deadline_s", DEADLINE_S)
    acked = {
        e.person
        for e in mine
        if e.state == "acknowledged" and (e.at - sent[e.person]).total_seconds() <= deadline
    }
    delivered_share = round(len(delivered) / len(sent), 4)
    ack_share = round(len(acked) / len(sent), 4) if "acknowledged_share" in expectation else None
    cause = None
    outcome: ChannelOutcome = "worked"
    if delivered_share < expectation["delivered_share"]:
        outcome = "failed" if delivered_share < 0.5 else "degraded"
        cause = f"delivered to {delivered_share:.0%}, expected {expectation['delivered_share']:.0%}"
    elif ack_share is not None and ack_share < expectation["acknowledged_share"]:
        outcome = "degraded"
        cause = (
            f"acknowledged by {ack_share:.0%} within {deadline:.0f} s, "
            f"expected {expectation['acknowledged_share']:.0%}"
        )
    details = {"sent": len(sent), "delivered": len(delivered), "acknowledged": len(acked)}
    return ChannelResult(
        scene.drill_id,
        channel,
        outcome,
        expectation,
        delivered_share,
        ack_share,
        cause,
        details,
        recorded,
    )

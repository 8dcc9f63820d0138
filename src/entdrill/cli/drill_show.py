"""``entdrill drill show ID``: one drill's record: timeline, ledger per person and channel,
channel outcomes, experiments, findings and the verification of its hash chain."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click

from entdrill.cli.drill_list import brief, duration
from entdrill.cli.table import table
from entdrill.errors import InvalidArgument
from entdrill.records import (
    URL_HELP,
    DetectionRecord,
    DrillDetail,
    DrillRecord,
    PersonChannelReach,
    Records,
)

MAX_DATA = 110


def resolve_drill(records: Records, ident: str) -> DrillRecord:
    """The drill whose id is ``ident`` or starts with it (unambiguously)."""
    ident = ident.strip()
    found = [d for d in records.list_drills() if d.id.startswith(ident)] if ident else []
    exact = [d for d in found if d.id == ident]
    if exact:
        return exact[0]
    if not found:
        raise InvalidArgument(
            f"no drill with id {ident!r} in {records.where}; `entdrill drill list` shows them"
        )
    if len(found) > 1:
        raise InvalidArgument(
            f"{ident!r} starts {len(found)} drill ids ({', '.join(d.id for d in found[:3])}...); "
            "give more of it"
        )
    return found[0]


def _data(data: dict[str, Any]) -> str:
    if "note" in data:
        return str(data["note"])
    text = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in data.items())
    return text if len(text) <= MAX_DATA else text[: MAX_DATA - 1] + "…"


def _cell(reach: PersonChannelReach | None) -> str:
    if reach is None:
        return "-"
    if reach.acknowledged_at is not None:
        took = reach.time_to_ack_s
        return "ack" + (f" {took:.0f}s" if took is not None else "")
    for state in ("delivered", "failed", "refused", "sent"):
        if getattr(reach, f"{state}_at") is not None:
            return state
    return "?"


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def detection_by_experiment(found: list[DetectionRecord]) -> dict[str, dict[str, Any]]:
    """Each experiment's detection (by its record id): the first injection detected, or why
    none was; ``detected_after_s`` None when no alert fired (or it is unknown)."""
    rows: dict[str, list[DetectionRecord]] = {}
    for record in found:
        rows.setdefault(record.experiment_id, []).append(record)
    result = {}
    for experiment_id, records in rows.items():
        detected = [r for r in records if r.status == "detected"]
        first = min(detected, key=lambda r: r.detected_after_s or 0.0) if detected else None
        unknown = any(r.status == "unknown" for r in records)
        result[experiment_id] = {
            "detection": "detected" if first else ("unknown" if unknown else "not_detected"),
            "detected_after_s": first.detected_after_s if first else None,
            "resolved_after_s": first.resolved_after_s if first else None,
            "alert": first.alert if first else "",
            "expected_within_s": records[0].expected_within_s,
            "injections": [
                {
                    "kind": r.fault_kind, "component": r.component, "service": r.service,
                    "injected_at": _when(r.injected_at), "status": r.status, "alert": r.alert,
                    "detected_after_s": r.detected_after_s,
                    "resolved_after_s": r.resolved_after_s, "why": r.why,
                }
                for r in records
            ],
        }  # fmt: skip
    return result


NO_DETECTION: dict[str, Any] = {
    "detection": None, "detected_after_s": None, "resolved_after_s": None, "alert": "",
    "expected_within_s": None, "injections": [],
}  # fmt: skip


def as_json(
    detail: DrillDetail,
    chain: Any,
    reach: list[PersonChannelReach],
    detections: list[DetectionRecord] | None = None,
) -> dict[str, Any]:
    detected = detection_by_experiment(detections or [])
    return {
        "drill": {**brief(detail.drill), "summary": detail.drill.summary},
        "chain": {
            "ok": chain.ok,
            "events": chain.checked,
            "problems": [{"seq": p.seq, "kind": p.kind, "message": p.message} for p in chain.problems],
        },
        "events": [
            {"seq": e.seq, "at": e.at.isoformat(), "phase": e.phase, "kind": e.kind, "data": e.data}
            for e in detail.events
        ],
        "experiments": [
            {
                "id": x.id, "kind": x.kind, "title": x.title, "path": x.path, "status": x.status,
                "deviated": x.deviated, "started_at": _when(x.started_at),
                "ended_at": _when(x.ended_at), "measures": x.measures,
                **detected.get(x.id, NO_DETECTION),
            }
            for x in detail.experiments
        ],
        "channels": [
            {
                "channel": c.channel, "outcome": c.outcome, "delivered_share": c.delivered_share,
                "acknowledged_share": c.acknowledged_share, "cause": c.cause,
                "expectation": c.expectation,
            }
            for c in detail.channel_results
        ],
        "ledger": [
            {
                "person": r.person, "group": r.group, "channel": r.channel,
                "sent_at": _when(r.sent_at), "delivered_at": _when(r.delivered_at),
                "acknowledged_at": _when(r.acknowledged_at), "failed_at": _when(r.failed_at),
                "refused_at": _when(r.refused_at), "time_to_ack_s": r.time_to_ack_s,
            }
            for r in reach
        ],
        "findings": [
            {
                "id": f.id, "severity": f.severity, "title": f.title, "detail": f.detail,
                "owner": f.owner, "status": f.status, "key": f.key,
            }
            for f in detail.findings
        ],
    }  # fmt: skip


@click.command()
@click.argument("drill_id", metavar="ID")
@click.option("--json", "json_output", is_flag=True, help="Print the whole record as JSON.")
@click.option("--url", default=None, help=URL_HELP)
def show(drill_id: str, json_output: bool, url: str | None) -> None:
    """Show a drill's record: ID is its id, or the start of it."""
    from entdrill.records import open_records

    with open_records(url, mode="read") as records:
        drill = resolve_drill(records, drill_id)
        detail = records.get_drill(drill.id)
        chain = records.verify_chain(drill.id)
        reach = records.ledger_reach(drill.id)
        detections = records.detection_results([drill.id])
    if json_output:
        document = as_json(detail, chain, reach, detections)
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    d = detail.drill
    click.echo(f"drill {d.id}: {d.plan_name} on {d.target}")
    click.echo(f"  plan      {d.plan_path} (sha256 {d.plan_digest[:12]})")
    click.echo(
        f"  started   {d.started_at.astimezone():%Y-%m-%d %H:%M:%S %Z}, took {duration(d)}, "
        f"runner pid {d.pid} on {d.host}"
    )
    exit_code = "-" if d.exit_code is None else d.exit_code
    click.echo(f"  status    {d.status} (exit {exit_code}){': ' + d.reason if d.reason else ''}")
    click.echo(f"  chain     {chain.describe()}")
    click.echo("\nTimeline")
    for event in detail.events:
        offset = int((event.at - d.started_at).total_seconds())
        stamp = f"+{offset // 60:02d}:{offset % 60:02d}"
        click.echo(
            f"  {event.seq:>4} {stamp}  {event.phase:<10} {event.kind:<24} {_data(event.data)}"
        )
    if detail.experiments:
        click.echo("\nExperiments")
        for x in detail.experiments:
            state = "deviated" if x.deviated else x.status
            keys = ("storm_multiple", "login_p95_ms", "success_ratio", "fallback_worked")
            shown = ", ".join(f"{k} {x.measures[k]}" for k in keys if x.measures.get(k) is not None)
            seen = detection_by_experiment(detections).get(x.id)
            if seen and seen["detection"] == "detected":
                shown += f", detected after {seen['detected_after_s']:g} s ({seen['alert']})"
            elif seen:
                shown += f", {seen['detection'].replace('_', ' ')}"
            click.echo(f"  {x.kind:<24} {state:<10} {shown}")
    if detail.channel_results:
        click.echo("\nChannels")
        for c in detail.channel_results:
            click.echo(f"  {c.channel:<18} {c.outcome:<9} {c.cause or ''}")
    if reach:
        channels = sorted({r.channel for r in reach})
        people = sorted({r.person for r in reach})
        cells = {(r.person, r.channel): r for r in reach}
        click.echo("\nLedger (per person and channel)")
        rows = [
            ("PERSON", *(c[:14] for c in channels)),
            *((person, *(_cell(cells.get((person, c))) for c in channels)) for person in people),
        ]
        for line in table(rows, widths=(0, *(14 for _ in channels)), indent="  "):
            click.echo(line)
    click.echo("\nFindings" if detail.findings else "\nFindings: none")
    for f in detail.findings:
        owner = f" (owner {f.owner})" if f.owner else ""
        click.echo(f"  [{f.severity}] {f.title}{owner} - {f.status}")
        if f.detail:
            click.echo(f"      {f.detail[:200]}")

"""``drill run --dry-run``: what the drill would do, said and recorded, with nothing sent or injected.

:func:`describe` is pure: from a prepared drill (audiences resolved, channels built when the
sandbox runs) to lines of text, one per thing the drill would do, in order. :func:`record_dry_run`
writes them to the records as a drill with status ``dry_run``: no channel is called, no
experiment started, the fault ledger is not touched.
"""

from __future__ import annotations

from dataclasses import dataclass

from entdrill.channels.base import personalised
from entdrill.channels.factory import recipient
from entdrill.drill.duration import format_duration
from entdrill.drill.message import render
from entdrill.drill.prepare import Prepared
from entdrill.drill_plan import Channel, Expectation, Plan
from entdrill.records import Records


@dataclass(frozen=True)
class Step:
    phase: str
    text: str


def _expectation(expect: Expectation) -> str:
    parts = []
    if expect.delivered_share is not None:
        parts.append(f"delivered to {expect.delivered_share:.0%}")
    if expect.acknowledged_share is not None:
        parts.append(f"acknowledged by {expect.acknowledged_share:.0%}")
    return f"expects {' and '.join(parts)} within {format_duration(expect.within_s)}"


def _values(prepared: Prepared, within_s: float) -> dict[str, str]:
    if prepared.fallbacks is not None:
        values = prepared.fallbacks.values()
    else:
        values = {"drill": prepared.plan.name, "room_link": "<backup room link>", "name": "{name}"}
        values["status_page"] = "<status page>"
    return {**values, "within": format_duration(within_s)}


def _sample(prepared: Prepared, name: str, template: str, within_s: float) -> str:
    text = render(template, _values(prepared, within_s))
    people = prepared.audiences.get(name) or []
    return personalised(text, recipient(people[0]) if people else None)


def _how(channel: Channel, count: int) -> str:
    if channel.type == "slack":
        where = [f"post in {channel.post_in}"] if channel.post_in else []
        where += ["a direct message to each"] if channel.direct else []
        return f"{' and '.join(where)}, for {count} people"
    if channel.type == "matrix":
        where = [f"post in the Matrix room {channel.room}"] if channel.room else []
        where += ["a Matrix direct message to each"] if channel.direct else []
        return f"{' and '.join(where)}, for {count} people"
    if channel.type == "email":
        return f"one mail each to {count} people"
    if channel.type == "sms":
        return f"one SMS each to {count} people"
    if channel.type == "video":
        return f"create the room {channel.room or channel.name} on the {channel.bridge} bridge and join it"
    if channel.type == "statuspage":
        return (
            f"post the incident {channel.component or 'ENT'}: {channel.status} on the status page"
        )
    return f"post in the drill's channel for {channel.confirmed_by or count} to confirm"


def describe(prepared: Prepared) -> list[Step]:
    """What the drill would do, in order (pure)."""
    plan: Plan = prepared.plan
    steps = [
        Step(
            "plan",
            f"dry run of {plan.name} ({plan.path}, sha256 {plan.digest[:12]}) on "
            f"{prepared.target}: nothing is sent, nothing injected",
        )
    ]
    steps += [Step("plan", f"note: {problem}") for problem in prepared.problems]
    if prepared.blackout:
        steps.append(Step("plan", f"note: inside the blackout {prepared.blackout} (forced)"))
    announcement = render(plan.announcement.message, {**_values(prepared, 0), "name": ""})
    steps.append(Step("announce", f"post in {plan.announcement.post_in}: {announcement}"))
    if plan.announcement.matrix_room:
        steps.append(Step("announce", f"post in the Matrix room {plan.announcement.matrix_room}"))
    for fault_plan in prepared.fault_plans:
        faults = [
            f"{a['func']}({', '.join(f'{k}={v}' for k, v in a['arguments'].items())})"
            for a in fault_plan["faults"]
        ]
        undo = [a["func"] for a in fault_plan["rollbacks"]]
        variables = ", ".join(f"{k}={v}" for k, v in fault_plan["vars"].items()) or "none"
        steps.append(
            Step(
                "inject",
                f"chaos run {fault_plan['path']} ({fault_plan['title']}; vars {variables}): "
                f"faults {', '.join(faults) or 'none (load only)'}; "
                f"rollbacks {', '.join(undo) or 'none'}",
            )
        )
    for channel in plan.channels:
        count = len(prepared.audiences.get(channel.name, []))
        when = "on escalation only" if channel.activate == "on_escalation" else "at start"
        text = f"{channel.name} ({channel.type}, {when}): {_how(channel, count)}; "
        text += _expectation(channel.expect)
        if channel.escalation is not None:
            e = channel.escalation
            text += (
                f"; after {format_duration(e.after_s)}, those "
                f"{e.audience.replace('_', ' ')} go to {e.to}"
            )
        sample = _sample(prepared, channel.name, channel.message, channel.expect.within_s)
        steps.append(Step("fallbacks", f"{text}. Message: {sample}"))
    for step in plan.manual_steps:
        count = len(prepared.audiences.get(step.name, []))
        steps.append(
            Step(
                "manual",
                f"{step.name}: post in {plan.announcement.post_in} for {count} people to "
                f"confirm within {format_duration(step.within_s)} "
                f"(expects {step.confirmed_share:.0%}): "
                f"{_sample(prepared, step.name, step.instruction, step.within_s)}",
            )
        )
    steps.append(
        Step(
            "verify",
            "poll the channels until every expectation is met or the last deadline passes; "
            "organisers may post STOP DRILL in " + plan.announcement.post_in,
        )
    )
    limit = plan.recover.max_duration_s
    steps.append(
        Step(
            "recover",
            "revert every fault the experiments injected"
            + (", resolve the incident" if plan.recover.close_incident else "")
            + (", end the backup room" if plan.recover.end_room else "")
            + (f"; the drill is stopped after {format_duration(limit)}" if limit else ""),
        )
    )
    if plan.debrief is not None:
        mention = f"; mention {', '.join(plan.debrief.mention)}" if plan.debrief.mention else ""
        steps.append(
            Step(
                "debrief",
                f"post in {plan.debrief.post_in}: {', '.join(plan.debrief.include)}{mention}",
            )
        )
    return steps


def record_dry_run(prepared: Prepared, records: Records, steps: list[Step]) -> str:
    """Record the dry run as a drill with status ``dry_run``; its id."""
    plan = prepared.plan
    drill = records.create_drill(
        drill_id=prepared.drill_id,
        plan_name=plan.name,
        plan_path=str(plan.path),
        plan_digest=plan.digest,
        target=prepared.target,
        organisers=plan.organisers,
    )
    for step in steps:
        records.append_event(drill.id, "dry_run", step.phase, {"would": step.text})
    records.finish_drill(drill.id, "dry_run", 0, {"steps": len(steps)}, reason="dry run")
    return drill.id

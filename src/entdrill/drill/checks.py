"""What the plan schema cannot say: references between parts, uniqueness, deadlines, calendar.

Audiences name declared groups, organisers and confirmers are declared people, escalations name
another channel without looping and may reach the people they escalate, settings fit the channel
type, templates use known placeholders, deadlines are longer than zero, blackouts are real days.
The document is read defensively: a value of the wrong type was already reported by the schema.
"""

from __future__ import annotations

import copy
import difflib
import re
from pathlib import Path
from typing import Any, get_args

from entdrill.calendar.fields import InvalidSchedule
from entdrill.calendar.spec import parse_schedule
from entdrill.calendar.yamlfile import mark_unquoted_times
from entdrill.drill import experiment_refs, matrix_checks, message
from entdrill.drill.duration import check_duration, escalation_problem
from entdrill.drill_plan import ChannelType
from entdrill.problem import FieldPath, Problem, format_path, quote
from entdrill.yaml_safe import YamlDocument

CHANNEL_TYPES: tuple[str, ...] = get_args(ChannelType)
#: Settings that only some channel types understand.
CHANNEL_SETTINGS: dict[str, tuple[str, ...]] = {
    "post_in": ("slack",),
    "direct": ("slack", "matrix"),
    "thread": ("slack",),
    "ack_by": ("slack", "matrix"),
    "subject": ("email",),
    "ack_by_reply": ("email", "sms"),
    "room": ("video", "matrix"),
    "homeserver": ("matrix",),
    "bridge": ("video",),
    "component": ("statuspage",),
    "status": ("statuspage",),
    "confirmed_by": ("manual",),
}


class _Checker:
    """Collects problems while walking a (possibly partly invalid) plan document."""

    def __init__(self, doc: YamlDocument, file: str) -> None:
        self.doc = doc
        self.file = file
        self.problems: list[Problem] = []

    def add(self, path: FieldPath, sentence: str) -> None:
        self.problems.append(Problem(self.file, self.doc.line_of(path), path, sentence))

    def duration(self, value: Any, path: FieldPath) -> float | None:
        if not isinstance(value, str):
            return None
        seconds, problem = check_duration(value)
        if problem:
            self.add(path, problem)
        return seconds


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _strings(value: Any) -> list[tuple[int, str]]:
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, str)]


def _unknown(kind: str, name: str, known: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    listed = ", ".join(sorted(known)) or "none"
    return f"{quote(name)} is not a declared {kind}{hint}; declared: {listed}"


def reference_problems(
    doc: YamlDocument, file: str, *, base_dir: Path, check_files: bool = True
) -> list[Problem]:
    """Every problem the schema cannot see; ``check_files=False`` tolerates missing experiments."""
    check = _Checker(doc, file)
    data = _mapping(doc.data)
    groups, people = _check_groups(check, data)
    _check_organisers(check, data, people)
    matrix_checks.check_announcement(check, data)
    channel_types = _check_channels(check, data, set(groups), people)
    _check_templates(check, data, channel_types)
    for i, step in _items(data.get("manual_steps")):
        _check_audience(check, step.get("audience"), ("manual_steps", i, "audience"), groups)
        check.duration(step.get("within"), ("manual_steps", i, "within"))
    _unique_names(check, data.get("manual_steps"), "manual_steps", "manual step")
    debrief = _mapping(data.get("debrief"))
    _check_audience(check, debrief.get("mention"), ("debrief", "mention"), groups)
    _check_owners(check, data, _mapping(debrief.get("owners")), people)
    check.duration(_mapping(data.get("recover")).get("max_duration"), ("recover", "max_duration"))
    for i, experiment in _items(data.get("experiments")):
        expect = _mapping(experiment.get("expect"))
        check.duration(
            expect.get("detected_within"), ("experiments", i, "expect", "detected_within")
        )
    _check_schedule(check, _mapping(data.get("schedule")))
    return check.problems + experiment_refs.experiment_problems(
        doc, file, base_dir=base_dir, check_files=check_files
    )


def _check_groups(
    check: _Checker, data: dict[str, Any]
) -> tuple[set[str], dict[str, dict[str, Any]]]:
    """Group names, and declared people by id (each id declared once)."""
    groups = _mapping(data.get("groups"))
    people: dict[str, dict[str, Any]] = {}
    first_seen: dict[str, FieldPath] = {}
    for name, group in groups.items():
        if not isinstance(group, dict):
            continue
        where: FieldPath = ("groups", name)
        if not group.get("people") and "from_sandbox" not in group:
            check.add(where, "has nobody in it: list its people, or select them with from_sandbox")
        if "from_sandbox" in group and data.get("target") != "sandbox":
            check.add(
                (*where, "from_sandbox"),
                "selects people of the embedded sandbox, but the target is not the sandbox: "
                "list the people instead",
            )
        for i, person in _items(group.get("people")):
            person_path: FieldPath = (*where, "people", i)
            pid = person.get("id")
            if isinstance(pid, str):
                if pid in first_seen:
                    first = first_seen[pid]
                    check.add(
                        (*person_path, "id"),
                        f"the person id {quote(pid)} is already declared in {format_path(first)} "
                        f"(line {check.doc.line_of(first)}); declare each person once",
                    )
                else:
                    first_seen[pid] = person_path
                    people[pid] = person
            if not any(person.get(k) for k in ("slack", "email", "phone", "matrix")):
                check.add(person_path, "has no slack, email, phone or matrix: give at least one")
    return set(groups), people


def _check_organisers(
    check: _Checker, data: dict[str, Any], people: dict[str, dict[str, Any]]
) -> None:
    for i, pid in _strings(data.get("organisers")):
        path: FieldPath = ("organisers", i)
        if pid not in people:
            check.add(
                path, _unknown("person", pid, set(people)) + " (organisers are declared people)"
            )
        elif not matrix_checks.can_post_stop(data, people[pid]):
            check.add(path, matrix_checks.cannot_post_stop(data, quote(pid)))


def _check_owners(
    check: _Checker,
    data: dict[str, Any],
    owners: dict[str, Any],
    people: dict[str, dict[str, Any]],
) -> None:
    """Owners name a channel, a manual step, an experiment (its file name) or ``default``,
    and a declared person."""
    subjects = {"default"}
    for field in ("channels", "manual_steps"):
        subjects |= {
            i["name"] for _, i in _items(data.get(field)) if isinstance(i.get("name"), str)
        }
    for _, experiment in _items(data.get("experiments")):
        if isinstance(experiment.get("path"), str):
            subjects.add(Path(experiment["path"]).stem)
    for subject, person in owners.items():
        path: FieldPath = ("debrief", "owners", subject)
        if subject not in subjects:
            check.add(
                path,
                _unknown("channel, manual step or experiment", subject, subjects),
            )
        if isinstance(person, str) and person not in people:
            check.add(path, _unknown("person", person, set(people)))


def _check_audience(check: _Checker, audience: Any, path: FieldPath, groups: set[str]) -> None:
    for i, name in _strings(audience):
        if name not in groups:
            check.add((*path, i), _unknown("group", name, groups))


def _unique_names(check: _Checker, items: Any, field: str, kind: str) -> dict[str, int]:
    seen: dict[str, int] = {}
    for i, item in _items(items):
        name = item.get("name")
        if not isinstance(name, str):
            continue
        if name in seen:
            check.add(
                (field, i, "name"),
                f"another {kind} is already named {quote(name)} "
                f"({field}[{seen[name]}]); names must be unique",
            )
        else:
            seen[name] = i
    return seen


def _check_channels(
    check: _Checker, data: dict[str, Any], groups: set[str], people: dict[str, dict[str, Any]]
) -> dict[str, str]:
    """Per-channel checks; returns channel name -> type."""
    channels = _items(data.get("channels"))
    by_name = _unique_names(check, data.get("channels"), "channels", "channel")
    types = {
        c["name"]: c["type"]
        for _, c in channels
        if isinstance(c.get("name"), str) and isinstance(c.get("type"), str)
    }
    for i, channel in channels:
        where: FieldPath = ("channels", i)
        kind = channel.get("type")
        if kind not in CHANNEL_TYPES:
            continue  # the schema said so; checks that depend on the type would mislead
        for key, allowed in CHANNEL_SETTINGS.items():
            if key in channel and kind not in allowed:
                check.add(
                    (*where, key),
                    f"applies to {' and '.join(allowed)} channels only; this channel is {kind}",
                )
        if "audience" not in channel and kind != "statuspage":
            check.add(
                (*where, "audience"),
                f"is missing; a {kind} channel needs the groups it may reach (its allow-list)",
            )
        _check_audience(check, channel.get("audience"), (*where, "audience"), groups)
        if kind == "slack" and "post_in" not in channel and not channel.get("direct"):
            check.add(where, "a slack channel needs post_in (a Slack channel) or direct: true")
        matrix_checks.check_channel(check, data, channel, where)  # a matrix one's room, server
        if kind == "manual":
            who = channel.get("confirmed_by")
            if who is None:
                check.add(
                    (*where, "confirmed_by"),
                    "is missing; a manual channel needs the id of the person who confirms it",
                )
            elif isinstance(who, str) and who not in people:
                check.add((*where, "confirmed_by"), _unknown("person", who, set(people)))
        _check_expectation(check, channel, where, kind)
        _check_escalation(check, channel, where, by_name, data.get("channels"), groups)
    targets = {_mapping(c.get("escalation")).get("to") for _, c in channels}
    for i, channel in channels:
        if channel.get("activate") == "on_escalation" and channel.get("name") not in targets:
            check.add(
                ("channels", i, "activate"),
                "no channel escalates to this one, so it "
                "would never be used: escalate to it, or activate it at_start",
            )
    return types


def _check_expectation(
    check: _Checker, channel: dict[str, Any], where: FieldPath, kind: str
) -> None:
    expect = _mapping(channel.get("expect"))
    path: FieldPath = (*where, "expect")
    check.duration(expect.get("within"), (*path, "within"))
    delivered, acknowledged = expect.get("delivered_share"), expect.get("acknowledged_share")
    if "expect" in channel and delivered is None and acknowledged is None:
        check.add(path, "expects nothing: give delivered_share, acknowledged_share or both")
    if (
        isinstance(delivered, int | float)
        and isinstance(acknowledged, int | float)
        and acknowledged > delivered
    ):
        check.add(
            (*path, "acknowledged_share"),
            f"{acknowledged} is more than the delivered_share {delivered}: "
            "nobody acknowledges what was not delivered",
        )
    if acknowledged is not None and kind == "statuspage":
        check.add(
            (*path, "acknowledged_share"),
            "a status page cannot be acknowledged: use delivered_share (the incident is shown)",
        )
    if (
        acknowledged is not None
        and kind in ("email", "sms")
        and channel.get("ack_by_reply") is not True
    ):
        check.add(
            (*path, "acknowledged_share"),
            f"an {kind} channel counts acknowledgements only with ack_by_reply: true",
        )


def _check_escalation(
    check: _Checker,
    channel: dict[str, Any],
    where: FieldPath,
    by_name: dict[str, int],
    channels: Any,
    groups: set[str],
) -> None:
    escalation = _mapping(channel.get("escalation"))
    path: FieldPath = (*where, "escalation")
    after, within = escalation.get("after"), _mapping(channel.get("expect")).get("within")
    if check.duration(after, (*path, "after")) and isinstance(within, str):
        late = escalation_problem(str(after), within)
        if late:
            check.add((*path, "after"), late)
    target = escalation.get("to")
    if not isinstance(target, str):
        return
    if target == channel.get("name"):
        check.add((*path, "to"), "escalates to the channel itself; name another channel")
        return
    if target not in by_name:
        check.add((*path, "to"), _unknown("channel", target, set(by_name)))
        return
    items = channels if isinstance(channels, list) else []
    seen = {channel.get("name")}
    follow: Any = target
    while follow in by_name:
        if follow in seen:
            check.add(
                (*path, "to"),
                f"escalating to {quote(target)} leads back to "
                f"{quote(follow)}: escalations must not loop",
            )
            return
        seen.add(follow)
        follow = _mapping(_mapping(items[by_name[follow]]).get("escalation")).get("to")
    source = {a for _, a in _strings(channel.get("audience")) if a in groups}
    reached = {a for _, a in _strings(_mapping(items[by_name[target]]).get("audience"))}
    outside = sorted(source - reached)
    if outside and reached:
        check.add(
            (*path, "to"),
            f"{quote(target)} may not reach group(s) {', '.join(outside)}: "
            "add them to its audience, or escalation would be refused at send time",
        )


def _check_templates(check: _Checker, data: dict[str, Any], channel_types: dict[str, str]) -> None:
    templates: list[tuple[FieldPath, Any]] = [
        (("announcement", "message"), _mapping(data.get("announcement")).get("message"))
    ]
    templates += [
        (("channels", i, "message"), c.get("message")) for i, c in _items(data.get("channels"))
    ]
    present = set(channel_types.values())
    every_type_known = present <= set(CHANNEL_TYPES)
    for path, template in templates:
        if not isinstance(template, str):
            continue
        try:
            names = message.placeholders(template)
        except ValueError as error:
            check.add(path, str(error))
            continue
        for name in names:
            if name not in message.PLACEHOLDERS:
                known = ", ".join("{" + n + "}" for n in message.PLACEHOLDERS)
                check.add(path, f"{{{name}}} is not a known placeholder; known: {known}")
            elif (
                name in message.NEEDS_CHANNEL
                and message.NEEDS_CHANNEL[name] not in present
                and every_type_known
            ):
                check.add(
                    path,
                    f"{{{name}}} needs a {message.NEEDS_CHANNEL[name]} channel "
                    "in the plan, and there is none",
                )


def _check_schedule(check: _Checker, schedule: dict[str, Any]) -> None:
    """The calendar's own reading of the section: days that exist, windows that end after they
    start, time zones that exist, zones with data (one parser for plans and `entdrill schedule`)."""
    if not schedule:
        return
    schedule = mark_unquoted_times(copy.deepcopy(schedule), check.doc.scalars, ("schedule",))
    try:
        parse_schedule(schedule)
    except InvalidSchedule as error:
        for path, sentence in error.fields:
            check.add(_field_path(path), sentence)


def _field_path(dotted: str) -> FieldPath:
    """``schedule.blackouts[0].end`` -> ``("schedule", "blackouts", 0, "end")``."""
    parts: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", dotted):
        parts.append(int(index) if index else name)
    return tuple(parts)

"""The drill plan: a typed, frozen model of ``drills/*.yaml``, and ``load_plan`` to read one.

Reading goes: strict YAML (``yaml_safe``), secrets (``checks.secret_problems``), the JSON Schema
(``schema``), then what the schema cannot say (``checks.reference_problems``). Every problem is
collected, sorted by line and raised together in one ``InvalidPlan``; a plan is built only from
a document with no problem at all, so the runner can trust every field of the model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any, Literal

from entdrill.drill import checks
from entdrill.drill.duration import parse_duration, parse_hhmm, parse_local
from entdrill.drill.message import DRILL_LABEL
from entdrill.drill.problem import Problem, is_within, sorted_unique
from entdrill.drill.schema import schema_problems
from entdrill.drill.yaml_safe import YamlDocument, read_yaml
from entdrill.errors import InvalidPlan
from entdrill.sandbox import population
from entdrill.sandbox.config import SandboxConfig

__all__ = [
    "DRILL_LABEL",
    "Announcement",
    "Blackout",
    "Channel",
    "Debrief",
    "Escalation",
    "Expectation",
    "ExperimentRef",
    "Group",
    "ManualStep",
    "Person",
    "Plan",
    "Recover",
    "SandboxSelector",
    "Schedule",
    "Target",
    "WeeklyBlackout",
    "check_plan",
    "load_plan",
]

ChannelType = Literal["slack", "email", "sms", "video", "statuspage", "manual"]
DEFAULT_TIMEZONE = "Europe/Paris"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Where each secret of a staging target is read from when the plan does not say.
DEFAULT_SECRET_ENV: dict[str, str] = {
    "slack_token": "SLACK_BOT_TOKEN",
    "smtp_user": "SMTP_USER",
    "smtp_password": "SMTP_PASSWORD",
    "bridge_secret": "BBB_SECRET",
    "backup_bridge_secret": "BBB_BACKUP_SECRET",
    "sms_token": "SMS_TOKEN",
    "status_token": "STATUS_TOKEN",
    "consent_token": "ENTDRILL_CONSENT_TOKEN",
}


@dataclass(frozen=True)
class Person:
    """Someone a drill may reach. ``id`` is unique in the plan (the sandbox's username there)."""

    id: str
    name: str
    role: str = ""
    title: str = ""
    slack: str = ""
    email: str = ""
    phone: str = ""

    @classmethod
    def from_sandbox(cls, person: population.Person) -> Person:
        return cls(
            id=person.username,
            name=person.name,
            role=person.role,
            title=person.title,
            slack=person.slack_id,
            email=person.email,
            phone=person.phone,
        )


@dataclass(frozen=True)
class SandboxSelector:
    """``from_sandbox``: the sandbox's people with one of ``roles`` (and schools, titles if given)."""

    roles: tuple[str, ...]
    schools: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()

    def matches(self, person: population.Person) -> bool:
        return (
            person.role in self.roles
            and (not self.schools or person.school in self.schools)
            and (not self.titles or person.title in self.titles)
        )


@dataclass(frozen=True)
class Group:
    name: str
    description: str = ""
    people: tuple[Person, ...] = ()
    from_sandbox: SandboxSelector | None = None


@dataclass(frozen=True)
class Target:
    """``sandbox``, or a staging ENT whose secrets are read from the named environment variables."""

    kind: Literal["sandbox", "staging"]
    ent_url: str = ""
    bridge_url: str = ""
    backup_bridge_url: str = ""
    slack_api_url: str = ""
    sms_api_url: str = ""
    status_page_url: str = ""
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_sender: str = ""
    secrets_from_env: tuple[tuple[str, str], ...] = ()

    @property
    def is_sandbox(self) -> bool:
        return self.kind == "sandbox"

    def secret_env(self, secret: str) -> str:
        """The environment variable that holds ``secret`` (such as ``slack_token``)."""
        return dict(self.secrets_from_env).get(secret) or DEFAULT_SECRET_ENV[secret]


@dataclass(frozen=True)
class Announcement:
    post_in: str
    message: str


@dataclass(frozen=True)
class ExperimentRef:
    """An experiment to run: ``path`` resolved against the plan's folder, ``vars`` as ``--var``."""

    path: Path
    written: str
    vars: dict[str, str | int | float | bool] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Expectation:
    """Shares are of the channel's audience; None means not judged. ``within_s`` from activation."""

    within_s: float
    delivered_share: float | None = None
    acknowledged_share: float | None = None


@dataclass(frozen=True)
class Escalation:
    """After ``after_s`` with no acknowledgement (or no delivery), reach those people on ``to``."""

    after_s: float
    to: str
    audience: Literal["not_acknowledged", "not_delivered"] = "not_acknowledged"


@dataclass(frozen=True)
class Channel:
    """A fallback channel. Type-specific settings are empty/False where they do not apply."""

    name: str
    type: ChannelType
    message: str
    audience: tuple[str, ...]
    expect: Expectation
    escalation: Escalation | None = None
    activate: Literal["at_start", "on_escalation"] = "at_start"
    line: int = 0
    # slack
    post_in: str = ""
    direct: bool = False
    thread: bool = False
    ack_by: tuple[str, ...] = ()
    # email, sms
    subject: str = ""
    ack_by_reply: bool = False
    # video
    room: str = ""
    bridge: Literal["backup", "primary"] = "backup"
    # statuspage
    component: str = ""
    status: str = "major_outage"
    # manual
    confirmed_by: str = ""


@dataclass(frozen=True)
class ManualStep:
    name: str
    instruction: str
    audience: tuple[str, ...]
    within_s: float
    confirmed_share: float = 1.0


@dataclass(frozen=True)
class Debrief:
    post_in: str
    include: tuple[str, ...] = ("summary", "channels", "findings")
    mention: tuple[str, ...] = ()


@dataclass(frozen=True)
class Blackout:
    """No drill from ``start`` to ``end`` (naive local times; a date-only end covers that day)."""

    start: date | datetime
    end: date | datetime
    reason: str

    def covers(self, moment: datetime) -> bool:
        """True when the naive local ``moment`` falls inside the blackout."""
        start = self.start if isinstance(self.start, datetime) else _day_start(self.start)
        end = self.end if isinstance(self.end, datetime) else _day_end(self.end)
        return start <= moment <= end


@dataclass(frozen=True)
class WeeklyBlackout:
    """No drill on ``days`` (0 = Monday) from ``start`` to ``end`` local time."""

    days: tuple[int, ...]
    start: time
    end: time
    reason: str
    school: str = ""

    def covers(self, moment: datetime) -> bool:
        return moment.weekday() in self.days and self.start <= moment.time() < self.end


@dataclass(frozen=True)
class Schedule:
    zone: Literal["A", "B", "C", "Corse"]
    school_days_before: int
    at: time
    timezone: str = DEFAULT_TIMEZONE
    blackouts: tuple[Blackout | WeeklyBlackout, ...] = ()


@dataclass(frozen=True)
class Recover:
    max_duration_s: float | None = None
    close_incident: bool = True
    end_room: bool = True


@dataclass(frozen=True)
class Plan:
    """A validated drill plan. ``document`` is the plain data read (for the calendar and records)."""

    path: Path
    digest: str
    name: str
    description: str
    target: Target
    organisers: tuple[str, ...]
    groups: tuple[Group, ...]
    announcement: Announcement
    channels: tuple[Channel, ...]
    experiments: tuple[ExperimentRef, ...] = ()
    manual_steps: tuple[ManualStep, ...] = ()
    debrief: Debrief | None = None
    schedule: Schedule | None = None
    recover: Recover = Recover()
    document: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def organiser_ids(self) -> frozenset[str]:
        return frozenset(self.organisers)

    @property
    def organiser_slack_ids(self) -> frozenset[str]:
        """Slack member ids whose ``STOP DRILL`` ends the drill; anyone else's is ignored."""
        declared = {p.id: p for g in self.groups for p in g.people}
        return frozenset(declared[i].slack for i in self.organisers if declared[i].slack)

    def group(self, name: str) -> Group:
        for group in self.groups:
            if group.name == name:
                return group
        raise KeyError(name)

    def channel(self, name: str) -> Channel:
        for channel in self.channels:
            if channel.name == name:
                return channel
        raise KeyError(name)

    def members(
        self, group_names: Iterable[str], people: Sequence[population.Person] | None = None
    ) -> list[Person]:
        """The people of these groups, each once, in declaration order.

        ``people`` is the sandbox's population for ``from_sandbox`` groups; by default the one
        ``SandboxConfig()`` generates (the runner passes the running sandbox's own).
        """
        seen: set[str] = set()
        result: list[Person] = []
        for name in group_names:
            group = self.group(name)
            chosen = list(group.people)
            if group.from_sandbox is not None:
                pool = default_population() if people is None else people
                chosen += [Person.from_sandbox(p) for p in pool if group.from_sandbox.matches(p)]
            for person in chosen:
                if person.id not in seen:
                    seen.add(person.id)
                    result.append(person)
        return result

    def audience(
        self, channel: Channel | str, people: Sequence[population.Person] | None = None
    ) -> list[Person]:
        """A channel's allow-list: a recipient outside it must be refused at send time."""
        resolved = self.channel(channel) if isinstance(channel, str) else channel
        return self.members(resolved.audience, people)


@cache
def default_population() -> tuple[population.Person, ...]:
    """The people of a sandbox with the default configuration (deterministic)."""
    return tuple(population.generate(SandboxConfig()))


def check_plan(text: str, *, file: str, base_dir: Path, check_files: bool = True) -> list[Problem]:
    """Every problem of the plan ``text`` (empty when it is valid), sorted by line."""
    return _check(read_yaml(text), file, base_dir, check_files)


def load_plan(path: Path | str, *, check_files: bool = True) -> Plan:
    """Read and validate the plan at ``path``; ``InvalidPlan`` lists every problem at once.

    ``check_files=False`` tolerates experiment files that do not exist (yet); files that exist
    are still read and checked.
    """
    path = Path(path)
    file = str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InvalidPlan(f"{file}: cannot read the plan: {error.strerror}") from error
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidPlan(f"{file}: the plan is not UTF-8 text ({error.reason})") from error
    doc = read_yaml(text)
    problems = _check(doc, file, path.parent, check_files)
    if problems:
        count = len(problems)
        raise InvalidPlan(
            f"{file}: {count} problem{'s' if count > 1 else ''} in the plan",
            problems=[str(p) for p in problems],
        )
    return _build(doc.data, path, hashlib.sha256(raw).hexdigest(), doc)


def _check(doc: YamlDocument, file: str, base_dir: Path, check_files: bool) -> list[Problem]:
    problems = [Problem(file, p.line, p.path, p.message) for p in doc.problems]
    if doc.data is None and problems:
        return sorted_unique(problems)
    problems += checks.secret_problems(doc, file)
    refused = [p.path for p in problems]
    structural = schema_problems(doc, file, skip=refused)
    flagged = refused + [p.path for p in structural]
    references = checks.reference_problems(doc, file, base_dir=base_dir, check_files=check_files)
    references = [r for r in references if not any(is_within(r.path, f) for f in flagged)]
    return sorted_unique(problems + structural + references)


def _build(data: dict[str, Any], path: Path, digest: str, doc: YamlDocument) -> Plan:
    """The model of a document that passed every check."""
    schedule = data.get("schedule")
    recover = data.get("recover", {})
    debrief = data.get("debrief")
    return Plan(
        path=path,
        digest=digest,
        name=data["name"],
        description=data.get("description", ""),
        target=_target(data["target"]),
        organisers=tuple(data["organisers"]),
        groups=tuple(_group(name, g) for name, g in data["groups"].items()),
        announcement=Announcement(**data["announcement"]),
        channels=tuple(
            _channel(c, doc.line_of(("channels", i))) for i, c in enumerate(data["channels"])
        ),
        experiments=tuple(
            ExperimentRef(path.parent / e["path"], e["path"], dict(e.get("vars", {})))
            for e in data.get("experiments", [])
        ),
        manual_steps=tuple(
            ManualStep(
                name=s["name"],
                instruction=s["instruction"],
                audience=tuple(s["audience"]),
                within_s=parse_duration(s["within"]),
                confirmed_share=float(s.get("confirmed_share", 1.0)),
            )
            for s in data.get("manual_steps", [])
        ),
        debrief=None
        if debrief is None
        else Debrief(
            post_in=debrief["post_in"],
            include=tuple(debrief.get("include", Debrief.include)),
            mention=tuple(debrief.get("mention", ())),
        ),
        schedule=None if schedule is None else _schedule(schedule),
        recover=Recover(
            max_duration_s=parse_duration(recover["max_duration"])
            if "max_duration" in recover
            else None,
            close_incident=recover.get("close_incident", True),
            end_room=recover.get("end_room", True),
        ),
        document=data,
    )


def _target(value: str | dict[str, Any]) -> Target:
    if isinstance(value, str):
        return Target(kind="sandbox")
    smtp = value.get("smtp", {})
    return Target(
        kind="staging",
        ent_url=value["ent_url"],
        bridge_url=value.get("bridge_url", ""),
        backup_bridge_url=value.get("backup_bridge_url", ""),
        slack_api_url=value.get("slack_api_url", ""),
        sms_api_url=value.get("sms_api_url", ""),
        status_page_url=value.get("status_page_url", ""),
        smtp_host=smtp.get("host", ""),
        smtp_port=smtp.get("port", 465 if smtp.get("security") == "ssl" else 587),
        smtp_security=smtp.get("security", "starttls"),
        smtp_sender=smtp.get("sender", ""),
        secrets_from_env=tuple(sorted(value.get("secrets_from_env", {}).items())),
    )


def _group(name: str, value: dict[str, Any]) -> Group:
    selector = value.get("from_sandbox")
    return Group(
        name=name,
        description=value.get("description", ""),
        people=tuple(Person(**p) for p in value.get("people", [])),
        from_sandbox=None
        if selector is None
        else SandboxSelector(
            roles=tuple(selector["roles"]),
            schools=tuple(selector.get("schools", ())),
            titles=tuple(selector.get("titles", ())),
        ),
    )


def _channel(value: dict[str, Any], line: int) -> Channel:
    expect = value["expect"]
    escalation = value.get("escalation")
    settings = {k: value[k] for k in checks.CHANNEL_SETTINGS if k in value}
    if "ack_by" in settings:
        settings["ack_by"] = tuple(settings["ack_by"])
    elif value["type"] == "slack":
        settings["ack_by"] = ("reaction", "reply")
    return Channel(
        name=value["name"],
        type=value["type"],
        message=value["message"],
        audience=tuple(value.get("audience", ())),
        expect=Expectation(
            within_s=parse_duration(expect["within"]),
            delivered_share=expect.get("delivered_share"),
            acknowledged_share=expect.get("acknowledged_share"),
        ),
        escalation=None
        if escalation is None
        else Escalation(
            after_s=parse_duration(escalation["after"]),
            to=escalation["to"],
            audience=escalation.get("audience", "not_acknowledged"),
        ),
        activate=value.get("activate", "at_start"),
        line=line,
        **settings,
    )


def _schedule(value: dict[str, Any]) -> Schedule:
    blackouts: list[Blackout | WeeklyBlackout] = []
    for item in value.get("blackouts", []):
        if "weekly" in item:
            blackouts.append(
                WeeklyBlackout(
                    days=tuple(WEEKDAYS.index(d) for d in item["weekly"]),
                    start=parse_hhmm(item["from"]),
                    end=parse_hhmm(item["until"]),
                    reason=item["reason"],
                    school=item.get("school", ""),
                )
            )
        else:
            blackouts.append(
                Blackout(parse_local(item["start"]), parse_local(item["end"]), item["reason"])
            )
    return Schedule(
        zone=value["zone"],
        school_days_before=value["school_days_before"],
        at=parse_hhmm(value["at"]),
        timezone=value.get("timezone", DEFAULT_TIMEZONE),
        blackouts=tuple(blackouts),
    )


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min)


def _day_end(day: date) -> datetime:
    return datetime.combine(day, time.max)

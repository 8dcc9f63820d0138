"""The typed drill plan: frozen dataclasses built from a plan that passed every check.

``entdrill.drill.plan.load_plan`` builds these; the runner, channels and records consume them.
``Plan.audience(channel)`` is a channel's allow-list: a recipient outside it is refused at send time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from entdrill import population
from entdrill.calendar.spec import ScheduleSpec
from entdrill.targets import sandbox as sandbox_target

ChannelType = Literal["slack", "email", "sms", "video", "statuspage", "manual", "matrix"]
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
    "matrix_token": "MATRIX_TOKEN",
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
    matrix: str = ""  # a Matrix id, "@eva.thomas:school.test" (Tchap, or any homeserver)

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
            matrix=person.matrix_id,
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
    #: the login journey and probe keys, named as in the experiments (``staging_keys``)
    login: tuple[tuple[str, str], ...] = ()
    bridge_url: str = ""
    backup_bridge_url: str = ""
    slack_api_url: str = ""
    sms_api_url: str = ""
    status_page_url: str = ""
    matrix_url: str = ""  # the Matrix homeserver (Tchap's, or another)
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

    def experiment_environment(self, environ: Mapping[str, str]) -> dict[str, str]:
        """The variables the experiments read this staging ENT from (``staging_keys``): the
        plan's keys, and its secrets under the names the experiments use."""
        from entdrill.staging_keys import BY_NAME

        values = {"ent_base_url": self.ent_url, **dict(self.login)}
        values |= {"bridge_url": self.bridge_url, "backup_bridge_url": self.backup_bridge_url}
        for secret in ("consent_token", "bridge_secret", "backup_bridge_secret"):
            values[secret] = environ.get(self.secret_env(secret), "")
        return {BY_NAME[key].env: value for key, value in values.items() if value}


@dataclass(frozen=True)
class Announcement:
    post_in: str
    message: str
    matrix_room: str = ""  # also posted there; STOP DRILL is read there too


@dataclass(frozen=True)
class ExperimentRef:
    """An experiment to run: ``path`` resolved against the plan's folder, ``vars`` as ``--var``."""

    path: Path
    written: str
    vars: dict[str, str | int | float | bool] = field(default_factory=dict, hash=False)
    #: ``expect: {detected_within: 60s}``: an alert must fire this soon after each injection
    detected_within_s: float | None = None


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
    # slack (post_in, thread), slack and matrix (direct, ack_by)
    post_in: str = ""
    direct: bool = False
    thread: bool = False
    ack_by: tuple[str, ...] = ()
    # matrix: room (below, an alias or id), the homeserver when not the target's
    homeserver: str = ""
    # email, sms
    subject: str = ""
    ack_by_reply: bool = False
    # video (the backup room's name), matrix (#alias:server or !id:server)
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
    #: finding subject (a channel, manual step or experiment name, or "default") -> person id
    owners: tuple[tuple[str, str], ...] = ()

    def owner_of(self, subject: str) -> str | None:
        """Who owns the findings about ``subject``: its owner, else the default one, else None."""
        owners = dict(self.owners)
        return owners.get(subject) or owners.get("default")


@dataclass(frozen=True)
class Recover:
    max_duration_s: float | None = None
    close_incident: bool = True
    end_room: bool = True


@dataclass(frozen=True)
class Readiness:
    """The load the ENT must hold: ``required_multiple`` times its ``normal_rate`` (logins/s).

    100 by default, the low end of April 2021's 100 to 1,000 times normal. ``normal_rate`` None
    when the plan does not say (the experiments then keep their own)."""

    required_multiple: float = 100.0
    normal_rate: float | None = None


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
    schedule: ScheduleSpec | None = None
    recover: Recover = Recover()
    readiness: Readiness = Readiness()
    document: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def organiser_ids(self) -> frozenset[str]:
        return frozenset(self.organisers)

    @property
    def organiser_slack_ids(self) -> frozenset[str]:
        """Slack member ids whose ``STOP DRILL`` ends the drill; anyone else's is ignored."""
        declared = {p.id: p for g in self.groups for p in g.people}
        return frozenset(declared[i].slack for i in self.organisers if declared[i].slack)

    @property
    def organiser_matrix_ids(self) -> frozenset[str]:
        """Matrix ids whose ``STOP DRILL`` in the announcement's Matrix room ends the drill."""
        declared = {p.id: p for g in self.groups for p in g.people}
        return frozenset(declared[i].matrix for i in self.organisers if declared[i].matrix)

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


def default_population() -> tuple[population.Person, ...]:
    """The people of a sandbox with the default configuration (deterministic)."""
    return sandbox_target.default_population()

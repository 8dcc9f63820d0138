"""A flood plan: the options of ``entdrill flood``, checked and turned into what the engine runs.

:class:`FloodOptions` is what a user (or an activity) says; :func:`build` checks every option and
returns a :class:`FloodPlan`, or raises :class:`InvalidArgument` with one sentence naming the
option. Nothing here touches the network: the guard's pre-flight checks come after.
"""

from __future__ import annotations

import math
import os
import urllib.parse
from dataclasses import asdict, dataclass, field
from pathlib import Path

from entdrill import journeys
from entdrill.errors import InvalidArgument
from entdrill.flood import profiles, scenarios
from entdrill.flood.scenarios.base import Scenario, ScenarioContext
from entdrill.flood.scenarios.cas import for_journey
from entdrill.flood.schedule import Mix, Schedule, Shard, read_arrivals
from entdrill.flood.users import by_role
from entdrill.flood.users import read as read_users
from entdrill.guard.allowlist import AllowList
from entdrill.journeys import LoginJourney
from entdrill.sandbox.population import Person

EXECUTORS = ("local", "kubernetes")
BRIDGE_SECRET_ENV = "ENTDRILL_BRIDGE_SECRET"  # noqa: S105 - a variable name


@dataclass
class FloodOptions:
    """Every option of ``entdrill flood`` (no secret: tokens travel in the environment)."""

    target: str = ""
    scenario: str = ""
    mix: str = ""
    users: str = ""
    profile: str = "constant"
    rate: float | None = None
    to: float | None = None
    steps: int = 5
    normal_rate: float | None = None
    multiplier: float | None = None
    arrivals: str = ""
    duration: float | None = None
    processes: int = 0  # 0: one per core
    max_in_flight: int = 10_000
    seed: int = 2021
    shard: str = ""
    executor: str = "local"
    cas_url: str = ""
    path: str = "/"
    app_path: str = "/homework"
    service_url: str = ""
    journey: str = "cas"  # cas | cas-portal | form (see entdrill.journeys)
    login_url: str = ""  # cas-portal: the portal page that starts the login; form: the login page
    login_success: str = ""  # form: url:..., cookie:NAME or text:...
    bridge_url: str = ""
    timeout: float = 10.0

    def to_argv(self) -> list[str]:
        """The command-line options that rebuild these options (for shard processes and pods)."""
        argv: list[str] = []
        for name, value in asdict(self).items():
            if value in (None, "") or name in ("processes", "executor", "shard"):
                continue
            argv += [f"--{name.replace('_', '-')}", str(value)]
        return argv


@dataclass
class FloodPlan:
    options: FloodOptions
    schedule: Schedule
    shard: Shard
    scenarios: list[Scenario]
    people: list[Person] = field(default_factory=list)
    processes: int = 1
    bridge_secret: str = ""
    journey: LoginJourney | None = None

    @property
    def target(self) -> str:
        return self.options.target.rstrip("/")

    @property
    def cas_url(self) -> str:
        return (self.options.cas_url or self.target + "/cas").rstrip("/")

    def origins(self) -> list[str]:
        """The base URLs the plan sends requests to (each must be allowed and consent)."""
        urls = [self.target]
        if self.journey is not None and any(s.needs_users for s in self.scenarios):
            urls += list(self.journey.urls().values())
        if any(s.needs_bridge for s in self.scenarios):
            urls.append(self.options.bridge_url)
        seen: dict[str, str] = {}
        for url in urls:
            parts = urllib.parse.urlsplit(url)
            seen.setdefault(f"{parts.scheme}://{parts.netloc}", url)
        return list(seen.values())

    def context(self, allow: AllowList) -> ScenarioContext:
        return ScenarioContext(
            target=self.target,
            cas_url=self.cas_url,
            allow=allow,
            path=self.options.path,
            service_url=self.options.service_url,
            app_path=self.options.app_path,
            users_by_role=by_role(self.people),
            everyone=self.people,
            bridge_url=self.options.bridge_url.rstrip("/"),
            bridge_secret=self.bridge_secret,
            journey=self.journey,
        )


def parse_mix(options: FloodOptions) -> Mix:
    if options.scenario and options.mix:
        raise InvalidArgument("give --scenario or --mix, not both")
    if options.scenario:
        scenarios.get(options.scenario)
        return Mix((options.scenario,), (1.0,))
    if not options.mix:
        raise InvalidArgument("--scenario or --mix is required, e.g. --scenario pupil-login")
    names: list[str] = []
    weights: list[float] = []
    for part in options.mix.split(","):
        name, sep, weight_text = part.strip().partition("=")
        try:
            weight = float(weight_text) if sep else math.nan
        except ValueError:
            weight = math.nan
        if not math.isfinite(weight) or weight <= 0:
            raise InvalidArgument(
                f"--mix: {part.strip()!r} must read NAME=WEIGHT with a weight above 0, "
                "e.g. pupil-login=8,credential-stuffing=2"
            )
        scenarios.get(name.strip(), "--mix")
        if name.strip() in names:
            raise InvalidArgument(f"--mix names {name.strip()!r} twice")
        names.append(name.strip())
        weights.append(weight)
    return Mix(tuple(names), tuple(weights))


def _url(option: str, value: str) -> str:
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidArgument(f"{option} must be an http(s) URL such as http://127.0.0.1:8800")
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise InvalidArgument(f"{option} {value!r} has an invalid port") from None
    return value


def build(options: FloodOptions) -> FloodPlan:
    """Check every option and make the plan; raises :class:`InvalidArgument` naming the option."""
    if not options.target:
        raise InvalidArgument(
            "--target is required: the ENT's base URL, e.g. http://127.0.0.1:8800"
        )
    _url("--target", options.target)
    if options.cas_url:
        _url("--cas-url", options.cas_url)
    mix = parse_mix(options)
    chosen = [scenarios.get(name) for name in mix.names]
    journey = None
    if any(s.needs_users for s in chosen):
        journey = journeys.build(
            kind=options.journey,
            ent_base_url=options.target,
            cas_url=options.cas_url,
            service_url=options.service_url,
            login_url=options.login_url,
            success=options.login_success,
            app_path=options.app_path,
            style="option",
        )
        chosen = [for_journey(s, journey) for s in chosen]
    for option in ("path", "app_path"):
        if not getattr(options, option).startswith("/"):
            raise InvalidArgument(f"--{option.replace('_', '-')} must start with /")
    if options.executor not in EXECUTORS:
        raise InvalidArgument(f"--executor must be one of {', '.join(EXECUTORS)}")
    for name, value, low in (
        ("--processes", options.processes, 0),
        ("--max-in-flight", options.max_in_flight, 1),
    ):
        if not isinstance(value, int) or value < low:
            raise InvalidArgument(f"{name} must be a whole number of at least {low}, got {value!r}")
    if not (isinstance(options.timeout, int | float) and 0 < options.timeout < math.inf):
        raise InvalidArgument(
            f"--timeout must be a number of seconds above 0, got {options.timeout!r}"
        )
    schedule = _schedule(options, mix)
    shard = Shard.parse(options.shard) if options.shard else Shard()
    people: list[Person] = []
    if any(s.needs_users for s in chosen):
        if not options.users:
            raise InvalidArgument(
                f"--users is required by {', '.join(s.name for s in chosen if s.needs_users)}: "
                "a CSV file with the columns username,password,role"
            )
        people = read_users(Path(options.users))
        roles = {p.role for p in people}
        for s in chosen:
            if s.needs_role and s.needs_role not in roles:
                raise InvalidArgument(
                    f"--users {options.users}: nobody has the role {s.needs_role!r} that "
                    f"{s.name} logs in as (roles found: {', '.join(sorted(roles))})"
                )
    bridge_secret = ""
    if any(s.needs_bridge for s in chosen):
        if not options.bridge_url:
            raise InvalidArgument("--bridge-url is required by video-join")
        _url("--bridge-url", options.bridge_url)
        bridge_secret = os.environ.get(BRIDGE_SECRET_ENV, "")
        if not bridge_secret:
            raise InvalidArgument(
                f"video-join needs the bridge's shared secret in {BRIDGE_SECRET_ENV}"
            )
    processes = options.processes or (os.cpu_count() or 1)
    if options.shard:
        processes = 1
    return FloodPlan(options, schedule, shard, chosen, people, processes, bridge_secret, journey)


def _schedule(options: FloodOptions, mix: Mix) -> Schedule:
    if options.profile == "replay":
        if not options.arrivals:
            raise InvalidArgument("--profile replay needs --arrivals FILE (one offset per line)")
        replay = read_arrivals(Path(options.arrivals), mix.names)
        duration = options.duration
        if duration is None:
            duration = math.floor(replay[-1][0]) + 1.0
        elif not (isinstance(duration, int | float) and 0 < duration < math.inf):
            raise InvalidArgument(
                f"--duration must be a number of seconds above 0, got {duration!r}"
            )
        return Schedule(mix, options.seed, float(duration), replay=replay)
    if options.arrivals:
        raise InvalidArgument("--arrivals goes with --profile replay only")
    if options.duration is None:
        raise InvalidArgument("--duration is required: the length of the storm in seconds")
    profile = profiles.build(
        options.profile,
        duration_s=options.duration,
        rate=options.rate,
        to=options.to,
        steps=options.steps,
        normal_rate=options.normal_rate,
        multiplier=options.multiplier,
    )
    return Schedule(mix, options.seed, profile.duration_s, profile=profile)

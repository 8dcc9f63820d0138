"""A flood plan: the options of ``entdrill flood``, checked and turned into what the engine runs.

:class:`FloodOptions` is what a user (or an activity) says; :func:`build` checks every option and
returns a :class:`FloodPlan`, or raises :class:`InvalidArgument` with one sentence naming the
option. Nothing here touches the network: the guard's pre-flight checks come after.

Numbers are checked against :data:`LIMITS` (NaN, negatives and absurd sizes refused), and
``--processes`` against what this machine and this plan can use (:func:`max_processes`): the
cores (an epoll engine gains nothing from more than a few processes a core), the open-files
limit (each shard holds descriptors in the coordinator) and the plan's peak rate (a shard needs
at least an arrival a second), so a typo cannot fork thousands of processes.
"""

from __future__ import annotations

import math
import os
import resource
import urllib.parse
from dataclasses import asdict, dataclass, field
from pathlib import Path

from entdrill import journeys, ranges, redact
from entdrill.errors import InvalidArgument
from entdrill.flood import profiles, scenarios
from entdrill.flood.scenarios.base import Scenario, ScenarioContext
from entdrill.flood.scenarios.cas import for_journey
from entdrill.flood.schedule import Mix, Schedule, Shard, read_arrivals
from entdrill.flood.users import by_role
from entdrill.flood.users import read as read_users
from entdrill.guard.allowlist import AllowList
from entdrill.journeys import LoginJourney
from entdrill.population import Person

EXECUTORS = ("local", "kubernetes")
BRIDGE_SECRET_ENV = "ENTDRILL_BRIDGE_SECRET"  # noqa: S105 - a variable name

#: The range of each numeric option (the rate ceiling, a guard rail, comes after).
LIMITS: dict[str, ranges.Number] = {
    "--duration": ranges.Number(0, ranges.DAY, unit="seconds", above=True),
    "--steps": ranges.Number(1, 10_000, integer=True, unit="steps"),
    "--timeout": ranges.Number(0, 3_600, unit="seconds", above=True),
    "--max-in-flight": ranges.Number(1, 10_000_000, integer=True, unit="journeys"),
    "--seed": ranges.Number(-(2**63), 2**63 - 1, integer=True),
    "--processes": ranges.Number(0, 100_000, integer=True, unit="processes"),
    "--rate": ranges.Number(0, 1_000_000, unit="arrivals per second"),
    "--to": ranges.Number(0, 1_000_000, unit="arrivals per second"),
    "--normal-rate": ranges.Number(0, 1_000_000, unit="arrivals per second"),
    "--multiplier": ranges.Number(0, 100_000, unit="times normal load"),
}
PROCESSES_PER_CORE = 4
FDS_PER_SHARD = 4  # in the coordinator: a pipe, its reader, the shard's report, slack
MAX_PODS = 1_000


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

    def url_options(self) -> list[tuple[str, str]]:
        """Each URL the plan sends requests to, with the option that gave it (``--cas-url``),
        so a refusal names the option the user wrote."""
        urls = [("--target", self.target)]
        if self.journey is not None and any(s.needs_users for s in self.scenarios):
            for option, url in self.journey.urls("option").items():
                if option == "--target":
                    continue
                # a URL the user did not give is derived from --target (TARGET/cas, TARGET/)
                given = getattr(self.options, option.removeprefix("--").replace("-", "_"), "")
                urls.append((option if given else "--target", url))
        if any(s.needs_bridge for s in self.scenarios):
            urls.append(("--bridge-url", self.options.bridge_url))
        return urls

    def origins(self) -> list[str]:
        """The base URLs the plan sends requests to (each must be allowed and consent)."""
        seen: dict[str, str] = {}
        for _, url in self.url_options():
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
    try:
        parts = urllib.parse.urlsplit(value)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise InvalidArgument(
            f"{option} {redact.redact(value)!r} is not a URL with a valid host and port"
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidArgument(f"{option} must be an http(s) URL such as http://127.0.0.1:8800")
    if parts.password:
        redact.register(parts.password)  # masked in every message and report from now on
    if any(c.isspace() or ord(c) < 0x20 for c in value):
        raise InvalidArgument(
            f"{option} {redact.redact(value)!r} holds spaces or control characters"
        )
    return value


def _numbers(options: FloodOptions) -> None:
    """Every numeric option within :data:`LIMITS` (one sentence naming the option)."""
    for option, limit in LIMITS.items():
        value = getattr(options, option[2:].replace("-", "_"))
        if value is not None:
            limit.check(value, option)


def max_processes(options: FloodOptions, peak_rate: float) -> tuple[int, str]:
    """The most shard processes this plan may use here, and why that many."""
    by_rate = max(1, math.ceil(peak_rate))
    if options.executor == "kubernetes":
        limits = [
            (MAX_PODS, f"{MAX_PODS} pods"),
            (by_rate, f"a shard per arrival a second at the plan's peak of {peak_rate:g}/s"),
        ]
    else:
        cores = os.cpu_count() or 1
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        by_files = max(1, (soft if soft != resource.RLIM_INFINITY else 1 << 20) // FDS_PER_SHARD)
        limits = [
            (
                PROCESSES_PER_CORE * cores,
                f"{PROCESSES_PER_CORE} a core on this machine's {cores} cores",
            ),
            (by_files, f"{FDS_PER_SHARD} open files a shard within the limit of {soft}"),
            (by_rate, f"a shard per arrival a second at the plan's peak of {peak_rate:g}/s"),
        ]
    return min(limits)


def _processes(options: FloodOptions, schedule: Schedule) -> int:
    """``--processes``, or one per core by default, within :func:`max_processes`."""
    if options.shard:
        return 1
    cap, why = max_processes(options, schedule.peak_rate())
    if options.processes > cap:
        raise InvalidArgument(
            f"--processes {options.processes} is more than this plan can use here: at most "
            f"{cap}, {why}"
        )
    return options.processes or min(os.cpu_count() or 1, cap)


def build(options: FloodOptions) -> FloodPlan:
    """Check every option and make the plan; raises :class:`InvalidArgument` naming the option."""
    if not options.target:
        raise InvalidArgument(
            "--target is required: the ENT's base URL, e.g. http://127.0.0.1:8800"
        )
    _url("--target", options.target)
    if options.cas_url:
        _url("--cas-url", options.cas_url)
    _numbers(options)
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
    processes = _processes(options, schedule)
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

"""The ranges of the login activities' arguments, declared once, next to the activities.

``entdrill drill validate`` checks each ``vars`` value of a plan against the limit of every
argument its configuration key feeds (``"multiplier": "${storm_multiplier}"``), so a plan
asking a negative multiplier, a storm of a year or a mix that names no scenario is refused
before anything runs. Keys are ``function.argument`` or, for every function of the package,
``argument``.
"""

from entdrill.flood import PROFILE_NAMES, FloodOptions, parse_mix
from entdrill.population import ROLES
from entdrill.ranges import DAY, Number, OneOf, Parsed, Text

__all__ = ["LIMITS"]


def _mix(text: str) -> object:
    """A scenario name, or scenarios with weights (``pupil-login=6,parent-login=3``)."""
    if "=" in text:
        return parse_mix(FloodOptions(mix=text))
    return parse_mix(FloodOptions(scenario=text))


LIMITS = {
    "profile": OneOf(
        tuple(p for p in PROFILE_NAMES if p in ("school-morning", "spike", "constant"))
    ),
    "multiplier": Number(0, 10_000, unit="times normal load", above=True),
    "normal_rate": Number(0, 2_000, unit="logins per second", above=True),
    "duration_s": Number(0, DAY, unit="seconds", above=True),
    "mix": Parsed(
        "a scenario, or scenarios with weights such as pupil-login=8,parent-login=2", _mix
    ),
    "processes": Number(0, 1_024, integer=True, unit="processes (0: one per core)"),
    "max_in_flight": Number(1, 10_000_000, integer=True, unit="journeys"),
    "seed": Number(-(2**63), 2**63 - 1, integer=True),
    "run_id": Text("a run id", max_length=200),
    "wait_s": Number(0, DAY, unit="seconds"),
    "timeout_s": Number(0, 3_600, unit="seconds", above=True),
    "path": Text("a path starting with /", min_length=1, pattern=r"/\S*"),
    "page": Text("a path starting with /", min_length=1, pattern=r"/\S*"),
    "role": OneOf(ROLES),
    # logged_in_within (a tolerance)
    "max_seconds": Number(0, 3_600, unit="seconds", above=True),
    # login_storm_report's tolerance
    "max_failed_percent": Number(0, 100, unit="percent of logins"),
    "max_login_p95_s": Number(0, 600, unit="seconds", above=True),
    # the breaking-point search (find_breaking_point, capacity_headroom)
    "from_multiple": Number(0, 100_000, unit="times normal load", above=True),
    "to_multiple": Number(0, 100_000, unit="times normal load", above=True),
    "required_multiple": Number(0, 100_000, unit="times normal load", above=True),
    "factor": Number(1, 100, unit="(each step this many times the last)", above=True),
    "step_s": Number(0, 3_600, unit="seconds", above=True),
    "refine": Number(0, 20, integer=True, unit="refining steps"),
    "p95_budget_s": Number(0, 600, unit="seconds", above=True),
    "max_errors": Number(0, 1, unit="share of failed journeys"),
    "reuse_s": Number(0, DAY, unit="seconds"),
}

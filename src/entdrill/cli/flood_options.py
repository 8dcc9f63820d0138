"""The options of ``entdrill flood`` in two groups, so other load commands can share them.

``target_options``: what is flooded and how one journey runs (target, scenario, population,
login journey, guard rails, timeouts, processes). ``schedule_options``: how arrivals are
offered (profile, rates, duration, replay). ``entdrill flood`` takes both; a command that
builds its own schedule (a breaking-point search, say) takes only the first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from entdrill.flood import PROFILE_NAMES, SCENARIOS
from entdrill.guard import consent
from entdrill.journeys import JOURNEYS


def apply_options(options: list[Callable[[Any], Any]], function: Any) -> Any:
    for option in reversed(options):
        function = option(function)
    return function


def target_options(function: Any) -> Any:
    """What is flooded, by which journey, and the guard rails' options."""
    return apply_options(
        [
            click.option("--target", help="The ENT's base URL, e.g. http://127.0.0.1:8800."),
            click.option("--scenario", help=f"One scenario: {', '.join(SCENARIOS)}."),
            click.option("--mix", help="Several scenarios with weights: NAME=WEIGHT,..."),
            click.option("--users", help="The population CSV (username,password,role,...)."),
            click.option(
                "--processes", type=int, default=0, help="Shard processes (default: cores)."
            ),
            click.option(
                "--max-in-flight",
                type=int,
                default=10_000,
                show_default=True,
                help="Journeys in flight at most (all processes); arrivals beyond are refused "
                "and counted.",
            ),
            click.option(
                "--seed",
                type=int,
                default=2021,
                show_default=True,
                help="Seed of the arrival times, scenarios and users.",
            ),
            click.option("--consent-token", help=f"Expected consent token (or ${consent.ENV})."),
            click.option("--cas-url", default="", help="CAS base URL (default: TARGET/cas)."),
            click.option("--path", default="/", show_default=True, help="http-get: the path."),
            click.option(
                "--app-path",
                default="/homework",
                show_default=True,
                help="The page a logged-in user opens.",
            ),
            click.option(
                "--journey",
                type=click.Choice(JOURNEYS),
                default="cas",
                show_default=True,
                help="How users log in: cas (CAS with --service-url), cas-portal (from the "
                "portal page --login-url, default TARGET + --app-path, to CAS and back), form "
                "(the ENT's own login page --login-url, judged by --login-success).",
            ),
            click.option(
                "--service-url", default="", help="cas: CAS service URL (default: TARGET/)."
            ),
            click.option(
                "--login-url",
                default="",
                help="cas-portal: the portal page where login starts; form: the login page.",
            ),
            click.option(
                "--login-success",
                default="",
                help="form: what proves a login: url:PATH, cookie:NAME or text:TEXT "
                "(default: the page after the login shows no login form).",
            ),
            click.option("--bridge-url", default="", help="video-join: the BBB API base URL."),
            click.option(
                "--timeout",
                type=float,
                default=10.0,
                show_default=True,
                help="Seconds allowed per request.",
            ),
        ],
        function,
    )


def schedule_options(function: Any) -> Any:
    """How arrivals are offered: the profile and its rates."""
    return apply_options(
        [
            click.option(
                "--profile", default="constant", show_default=True, help="|".join(PROFILE_NAMES)
            ),
            click.option(
                "--rate", type=float, help="Arrivals per second (constant; ramp/steps start)."
            ),
            click.option("--to", type=float, help="Ramp or steps: the final rate."),
            click.option(
                "--steps", type=int, default=5, show_default=True, help="Steps: plateaus."
            ),
            click.option(
                "--normal-rate", type=float, help="Spike, school-morning: normal logins/s."
            ),
            click.option(
                "--multiplier", type=float, help="Spike, school-morning: peak = N x normal."
            ),
            click.option("--arrivals", help="Replay: a file of arrival offsets in seconds."),
            click.option("--duration", type=float, help="Length of the storm in seconds."),
        ],
        function,
    )

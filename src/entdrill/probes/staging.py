"""Probes of the staging ENT a Chaos Toolkit configuration describes (its keys: ``staging_keys``).

What the login activities call: the journey, the account and the page come from the
configuration, so ``chaos run --var-file staging.json`` points the probes at a school's ENT.
"""

from __future__ import annotations

from typing import Any

from entdrill.errors import InvalidArgument
from entdrill.journeys import LoginJourney
from entdrill.probes.login import journey_login, pick_user
from entdrill.probes.sample import sample
from entdrill.staging_keys import journey_of

DEFAULT_PROBE_PAGE = "/homework?format=json"


def _journey(configuration: dict[str, Any]) -> LoginJourney:
    if not configuration.get("ent_base_url"):
        raise InvalidArgument(
            "no ent_base_url in the configuration: is the staging control declared?"
        )
    return journey_of(configuration)


def _account(configuration: dict[str, Any], role: str) -> tuple[str, str]:
    username = str(configuration.get("probe_username") or "")
    password = str(configuration.get("probe_password") or "")
    if username and password:
        return username, password
    population = str(configuration.get("population_csv") or "")
    if not population:
        raise InvalidArgument(
            "no account to log in with: set population_csv (ENTDRILL_POPULATION_CSV), or "
            "probe_username and probe_password"
        )
    return pick_user(population, role)


def page_of(configuration: dict[str, Any], page: str) -> str:
    """The page that proves a session: ``page``, else the configuration's ``probe_page``."""
    return page or str(configuration.get("probe_page") or DEFAULT_PROBE_PAGE)


def login(
    configuration: dict[str, Any], *, role: str = "pupil", page: str = "", timeout_s: float = 5.0
) -> dict[str, Any]:
    """One synthetic login along the configured journey, then ``page``; the result as a dict."""
    journey = _journey(configuration)
    username, password = _account(configuration, role)
    result = journey_login(
        journey, username, password, page=page_of(configuration, page), timeout_s=timeout_s
    )
    return result.to_dict()


def login_sample(
    configuration: dict[str, Any],
    *,
    count: int = 20,
    concurrency: int = 5,
    role: str = "pupil",
    page: str = "",
    timeout_s: float = 5.0,
) -> dict[str, Any]:
    """``count`` synthetic logins along the configured journey, ``concurrency`` at a time."""
    journey = _journey(configuration)
    for name, value in (("count", count), ("concurrency", concurrency)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidArgument(f"{name}: expected a whole number of at least 1, got {value!r}")
    accounts = [_account(configuration, role) for _ in range(count)]
    return sample(
        journey, accounts, concurrency=concurrency, page=page_of(configuration, page),
        timeout_s=timeout_s,
    )  # fmt: skip

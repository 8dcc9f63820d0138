"""From a Chaos Toolkit configuration to flood options: what ``actions/login`` hands the engine.

Configuration keys (set by the staging control, ``actions.controls.staging``, or by hand; see
:mod:`entdrill.staging_keys`): ``ent_base_url``, the login journey (``login_journey``,
``cas_url``, ``cas_service_url``, ``login_url``, ``login_success``, ``app_path``),
``population_csv``, ``consent_token`` (also read from the secrets), ``bridge_url`` and
``bridge_secret`` (for ``video-join``).
"""

from __future__ import annotations

import math
from typing import Any

from entdrill import redact
from entdrill.errors import InvalidArgument
from entdrill.flood.plan import FloodOptions


def _number(name: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or number <= 0:
        raise InvalidArgument(f"{name} must be a number above 0, got {value!r}")
    return number


def journey_options(
    configuration: dict[str, Any], secrets: dict[str, Any], *, mix: str, **fields: Any
) -> tuple[FloodOptions, str, str]:
    """Flood options aimed at the configured staging ENT along its login journey (``fields``
    sets the rest), the consent token and the bridge secret (both registered for redaction)."""
    target = str(configuration.get("ent_base_url") or "")
    if not target:
        raise InvalidArgument(
            "no ent_base_url in the configuration: is the staging control declared?"
        )
    options = FloodOptions(
        target=target,
        mix=mix if "=" in mix else "",
        scenario=mix if "=" not in mix else "",
        users=str(configuration.get("population_csv") or ""),
        cas_url=str(configuration.get("cas_url") or ""),
        service_url=str(configuration.get("cas_service_url") or ""),
        journey=str(configuration.get("login_journey") or "cas"),
        login_url=str(configuration.get("login_url") or ""),
        login_success=str(configuration.get("login_success") or ""),
        app_path=str(configuration.get("app_path") or "/homework"),
        bridge_url=str(configuration.get("bridge_url") or ""),
        **fields,
    )
    token = str(secrets.get("consent_token") or configuration.get("consent_token") or "")
    bridge_secret = str(secrets.get("bridge_secret") or configuration.get("bridge_secret") or "")
    redact.register(token, bridge_secret)
    return options, token, bridge_secret


def storm_options(
    configuration: dict[str, Any],
    secrets: dict[str, Any],
    *,
    profile: str,
    multiplier: Any,
    normal_rate: Any,
    duration_s: Any,
    mix: str,
    processes: Any = 0,
    max_in_flight: Any = 2000,
    seed: Any = 2021,
) -> tuple[FloodOptions, str, str]:
    """The options of a storm, its consent token and the bridge secret (both registered)."""
    times = _number("multiplier", multiplier)
    normal = _number("normal_rate", normal_rate)
    options, token, bridge_secret = journey_options(
        configuration,
        secrets,
        mix=mix,
        profile=profile,
        duration=_number("duration_s", duration_s),
        processes=int(processes),
        max_in_flight=int(max_in_flight),
        seed=int(seed),
    )
    if profile in ("school-morning", "spike"):
        options.normal_rate, options.multiplier = normal, times
    else:
        options.rate = normal * times
    return options, token, bridge_secret

"""From a Chaos Toolkit configuration to a breaking-point search: what ``actions/login`` calls.

Rates are given as multiples of the ENT's normal login rate, the way the load of a crisis is
talked about ("100 to 1,000 times normal"): the search offers ``from_multiple`` to
``to_multiple`` times ``normal_rate``. Configuration keys read (set by the staging control
``actions.controls.staging``, or by hand): ``ent_base_url``, the login journey (see
:func:`entdrill.flood.activity.journey_options`), ``population_csv``, ``consent_token`` (also
from the secrets), ``bridge_url`` and ``bridge_secret``.

An experiment whose method is empty checks its steady-state hypothesis twice, before and after;
``reuse_s`` lets the second check reuse the search this process made moments before (the
report then says ``"reused": true``) instead of breaking the ENT a second time.
"""

from __future__ import annotations

import copy
import math
import time
from typing import Any

from entdrill.capacity.child import run_search
from entdrill.capacity.report import CapacityReport
from entdrill.capacity.settings import SearchSettings
from entdrill.errors import InvalidArgument
from entdrill.flood import FloodOptions, journey_options
from entdrill.guard import allowlist

#: (search key) -> (monotonic time it ended, its report): searches this process made.
_MADE: dict[str, tuple[float, CapacityReport]] = {}


def _number(name: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise InvalidArgument(f"{name} must be a number, got {value!r}")
    return number


def search_options(
    configuration: dict[str, Any],
    secrets: dict[str, Any],
    *,
    mix: str,
    processes: Any,
    timeout_s: Any = 10.0,
) -> tuple[FloodOptions, str, str]:
    """The flood options of the journeys offered, the consent token and the bridge secret."""
    return journey_options(
        configuration,
        secrets,
        mix=mix,
        processes=int(_number("processes", processes)),
        timeout=_number("timeout_s", timeout_s),
    )


def find_breaking_point(
    configuration: dict[str, Any],
    secrets: dict[str, Any],
    *,
    from_multiple: Any,
    to_multiple: Any,
    normal_rate: Any,
    required_multiple: Any,
    factor: Any,
    step_s: Any,
    refine: Any,
    p95_budget_s: Any,
    max_errors: Any,
    mix: str,
    processes: Any,
    reuse_s: Any = 0.0,
) -> CapacityReport:
    """Search the breaking point (or reuse this process's identical search within ``reuse_s``)."""
    normal = _number("normal_rate", normal_rate)
    if normal <= 0:
        raise InvalidArgument(f"normal_rate must be above 0 logins per second, got {normal_rate!r}")
    settings = SearchSettings(
        start=round(_number("from_multiple", from_multiple) * normal, 6),
        stop=round(_number("to_multiple", to_multiple) * normal, 6),
        factor=_number("factor", factor),
        step_s=_number("step_s", step_s),
        refine=int(_number("refine", refine)),
        p95_budget_s=_number("p95_budget_s", p95_budget_s),
        max_errors=_number("max_errors", max_errors),
        normal_rate=normal,
        required_multiple=_number("required_multiple", required_multiple),
    )
    options, token, bridge_secret = search_options(
        configuration, secrets, mix=mix, processes=processes
    )
    key = repr((options, settings))
    made = _MADE.get(key)
    if made is not None and time.monotonic() - made[0] <= _number("reuse_s", reuse_s):
        return {**copy.deepcopy(made[1]), "reused": True}
    report = run_search(
        options, settings, token, allow=allowlist.from_environment(), bridge_secret=bridge_secret
    )
    _MADE[key] = (time.monotonic(), report)
    return {**copy.deepcopy(report), "reused": False}

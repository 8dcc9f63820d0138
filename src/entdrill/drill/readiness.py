"""A plan's ``readiness`` section: the load the ENT must hold, handed to its experiments.

::

    readiness:
      required_multiple: 100   # the load to hold, as a multiple of normal (default 100)
      normal_rate: 1.5         # the ENT's normal logins per second

An experiment that declares the configuration key ``normal_login_rate`` (the login storms, the
capacity search) gets ``normal_rate``, and one that declares ``required_multiple`` (the capacity
search) gets the requirement, unless the plan's own ``vars`` for that experiment say otherwise:
a plan states its ENT's normal load once, and every storm multiple and every headroom is counted
against it. The drill records the section with its summary, for the readiness review.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from entdrill.drill_plan import Readiness

#: Experiment configuration key -> the readiness field it takes.
KEYS = {"normal_login_rate": "normal_rate", "required_multiple": "required_multiple"}


def read(section: dict[str, Any] | None) -> Readiness:
    """The ``readiness`` section of a plan that passed the schema (defaults where it says nothing)."""
    section = section or {}
    normal = section.get("normal_rate")
    return Readiness(
        required_multiple=float(section.get("required_multiple", Readiness.required_multiple)),
        normal_rate=None if normal is None else float(normal),
    )


def experiment_vars(
    path: Path, written: dict[str, Any], readiness: Readiness
) -> dict[str, str | int | float | bool]:
    """The vars an experiment runs with: the readiness values for the keys it declares, then the
    plan's own ``vars`` over them. An experiment file that cannot be read keeps the plan's vars."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return dict(written)
    configuration = document.get("configuration") if isinstance(document, dict) else None
    if not isinstance(configuration, dict):
        return dict(written)
    found: dict[str, str | int | float | bool] = {}
    for key, field in KEYS.items():
        value = getattr(readiness, field)
        if key in configuration and value is not None:
            found[key] = value
    return {**found, **written}


def record(readiness: Readiness, zone: str | None) -> dict[str, Any]:
    """What the drill's summary keeps of the requirement (read back by the review)."""
    return {
        "required_multiple": readiness.required_multiple,
        "normal_rate": readiness.normal_rate,
        "zone": zone,
    }

"""Login headroom (pure): the load logins hold, measured against the load they must hold.

**Headroom** is the multiple of normal load logins sustain divided by the required multiple
(the plan's ``readiness.required_multiple``, 100 by default): 1.5 holds half as much again as
required, 0.47 breaks before half of it. It comes from the latest **capacity search** of the
period (``capacity_search`` experiments: the highest multiple held before the first broken
step), else from the login **storms**: the highest multiple whose latest storm held is a lower
bound (*partial evidence* when it is below the requirement), and a storm that broke at or below
the requirement is a measured shortfall.

Evidence: ``measured`` (a breaking point at or below the requirement, or logins held at the
requirement or beyond), ``partial`` (held only below the requirement, never tested at it), or
``none`` (no capacity search and no storm concluded in the period).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from entdrill.records import ExperimentRecord
from entdrill.review.measures import StormRun, concluded
from entdrill.review.model import CapacityRun, CapacityStep, Headroom, StormStep


def read_capacity(experiment: ExperimentRecord) -> CapacityRun | None:
    """A concluded capacity search (None when it did not conclude or has no figures)."""
    if not concluded(experiment) or not experiment.kind.startswith("capacity"):
        return None
    m = experiment.measures
    outcome = m.get("capacity_outcome")
    if outcome not in ("knee", "held_to_max", "broke_at_min"):
        return None
    broke = m.get("broke_by")
    steps = m.get("capacity_steps")
    return CapacityRun(
        experiment_id=experiment.id,
        drill_id=experiment.drill_id,
        at=experiment.started_at,
        outcome=str(outcome),
        sustained_multiple=_number(m.get("sustained_multiple")),
        breaking_multiple=_number(m.get("breaking_multiple")),
        required_multiple=_number(m.get("required_multiple")),
        sustained_rate=_number(m.get("sustained_rate")),
        breaking_rate=_number(m.get("breaking_rate")),
        why=str(broke.get("why", "")) if isinstance(broke, dict) else "",
        steps=tuple(_step(s) for s in steps if isinstance(s, dict))
        if isinstance(steps, list)
        else (),
    )


def _step(raw: Mapping[str, Any]) -> CapacityStep:
    return CapacityStep(
        rate=_number(raw.get("rate")) or 0.0,
        multiple=_number(raw.get("multiple")),
        held=raw.get("held") is True,
        p95_ms=_number(raw.get("p95_ms")),
        error_share=_number(raw.get("error_share")),
        refine=raw.get("phase") == "refine",
    )


def headroom(
    searches: Sequence[CapacityRun], steps: Sequence[StormStep], required: float
) -> Headroom:
    """The headroom from the latest capacity search, else from the storms' limits."""
    if searches:
        latest = max(searches, key=lambda r: (r.at, r.experiment_id))
        sustained = 0.0 if latest.outcome == "broke_at_min" else latest.sustained_multiple
        if sustained is None:
            return Headroom(required, None, None, None, "none", "", None, latest)
        evidence = "measured"
        if latest.outcome == "held_to_max" and sustained < required:
            evidence = "partial"
        return Headroom(
            required,
            round(sustained / required, 4),
            sustained,
            latest.breaking_multiple,
            evidence,
            "capacity search",
            latest.at,
            latest,
        )
    if not steps:
        return Headroom(required, None, None, None, "none", "", None, None)
    broken = [s.multiple for s in steps if not s.latest.held]
    high = min(broken) if broken else None
    held = [s.multiple for s in steps if s.latest.held and (high is None or s.multiple < high)]
    low = max(held) if held else 0.0
    evidence = (
        "measured" if low >= required or (high is not None and high <= required) else "partial"
    )
    moments = [s.latest.at for s in steps]
    return Headroom(
        required,
        round(low / required, 4),
        low if held else None,
        high,
        evidence,
        "storms",
        max(moments),
        None,
    )


def storm_result(storm: StormRun, required: float) -> float:
    """A storm's score result: broke 0; held its multiple ÷ the requirement, at most 1."""
    return min(1.0, storm.multiple / required) if storm.held else 0.0


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if number == number and abs(number) != float("inf") else None

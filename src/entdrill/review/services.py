"""Readiness per service (pure): how far logins hold under storm, and whether the ENT survives
server loss, session-store loss and video-bridge failures.

**Held.** A storm held when at least 99 % of its logins succeeded and its login p95 stayed
within the experiment's budget (2 s unless the experiment states another). Storms are grouped by
multiple of normal load; at each multiple the **latest** storm of the period decides (the ENT of
last term is not the ENT of today): the *highest multiple held* is the highest multiple whose
latest storm held, with that storm's p95; the *first multiple broken* is the lowest multiple
whose latest storm broke. Capacity searches and the headroom against the required multiple are
read by ``entdrill.review.headroom``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from entdrill.review.headroom import headroom, storm_result
from entdrill.review.measures import SERVICE_NAMES, SERVICE_QUESTIONS, StormRun, Trial
from entdrill.review.model import (
    CapacityRun,
    LoginReadiness,
    StormSeries,
    StormStep,
    TrialReadiness,
)
from entdrill.review.quantiles import median
from entdrill.review.score import score

TRIAL_SERVICES = ("server_loss", "session_store", "video_fallback", "video_degraded")


def storm_steps(storms: Sequence[StormRun]) -> tuple[StormStep, ...]:
    """One step per multiple tested, lowest first."""
    by_multiple: dict[float, list[StormRun]] = {}
    for storm in storms:
        by_multiple.setdefault(storm.multiple, []).append(storm)
    steps = []
    for multiple, runs in sorted(by_multiple.items()):
        latest = max(runs, key=lambda r: (r.at, r.experiment_id))
        steps.append(
            StormStep(
                multiple=multiple,
                storms=len(runs),
                held=sum(r.held for r in runs),
                latest=latest,
                median_p50_ms=median(r.p50_ms for r in runs if r.p50_ms is not None),
                median_p95_ms=median(r.p95_ms for r in runs) or 0.0,
                median_error_share=median(r.error_share for r in runs) or 0.0,
            )
        )
    return tuple(steps)


def limits(steps: Sequence[StormStep]) -> tuple[StormStep | None, StormStep | None]:
    """(highest multiple whose latest storm held, lowest multiple whose latest storm broke)."""
    held = [s for s in steps if s.latest.held]
    broken = [s for s in steps if not s.latest.held]
    return (held[-1] if held else None), (broken[0] if broken else None)


def charted_storms(steps: Sequence[StormStep]) -> list[tuple[StormRun, str]]:
    """The storms worth showing second by second: the latest at the highest multiple held and
    the latest at the first multiple broken."""
    highest, broken = limits(steps)
    chosen = []
    if highest is not None:
        chosen.append((highest.latest, "the latest storm at the highest multiple held"))
    if broken is not None:
        chosen.append((broken.latest, "the latest storm at the first multiple broken"))
    return chosen


def login_readiness(
    storms: Sequence[StormRun],
    not_concluded: int,
    series: Mapping[str, Mapping[str, Any]],
    *,
    as_of: datetime,
    required: float,
    searches: Sequence[CapacityRun] = (),
) -> LoginReadiness:
    """Storms by multiple, capacity searches, the headroom against ``required``, the score."""
    steps = storm_steps(storms)
    highest, broken = limits(steps)
    tests = [(s.at, storm_result(s, required)) for s in storms]
    tests += [(c.at, c.result(required)) for c in searches]
    shown = tuple(
        found
        for storm, why in charted_storms(steps)
        if (found := storm_series(storm, series.get(storm.experiment_id), why)) is not None
    )
    return LoginReadiness(
        storms=len(storms),
        not_concluded=not_concluded,
        steps=steps,
        highest_held=highest,
        first_broken=broken,
        series=shown,
        score=score(tests, as_of),
        searches=tuple(sorted(searches, key=lambda c: (c.at, c.experiment_id))),
        headroom=headroom(searches, steps, required),
    )


def storm_series(storm: StormRun, raw: Mapping[str, Any] | None, why: str) -> StormSeries | None:
    """A storm's per-second series, from the records' series (the drill runner's
    ``offered_per_s``/``errors_per_s``/``p95_ms``, or a flood report's ``asked``/``failed``)."""
    if not raw:
        return None
    offered = _column(raw, "offered_per_s", "asked")
    if not offered:
        return None
    errors = _column(raw, "errors_per_s", "failed")
    p95 = _column(raw, "p95_ms")
    times = _column(raw, "t_s")
    length = len(offered)
    return StormSeries(
        storm=storm,
        t_s=tuple(
            float(t) if t is not None else float(i) for i, t in enumerate(_fit(times, length))
        ),
        offered_per_s=tuple(offered),
        errors_per_s=tuple(_fit(errors, length)),
        p95_ms=tuple(_fit(p95, length)),
        why=why,
    )


def trial_readiness(
    service: str, trials: Sequence[Trial], not_concluded: int, *, as_of: datetime
) -> TrialReadiness:
    ordered = sorted(trials, key=lambda t: (t.at, t.experiment_id))
    failures = [t for t in ordered if not t.passed]
    return TrialReadiness(
        service=service,
        name=SERVICE_NAMES[service],
        question=SERVICE_QUESTIONS[service],
        tests=len(ordered),
        passed=len(ordered) - len(failures),
        not_concluded=not_concluded,
        latest=ordered[-1] if ordered else None,
        latest_failure=failures[-1] if failures else None,
        score=score([(t.at, 1.0 if t.passed else 0.0) for t in ordered], as_of),
    )


def _column(raw: Mapping[str, Any], *names: str) -> list[float | None]:
    for name in names:
        values = raw.get(name)
        if isinstance(values, list):
            return [
                float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None
                for v in values
            ]
    return []


def _fit(values: list[float | None], length: int) -> list[float | None]:
    return (values + [None] * length)[:length]

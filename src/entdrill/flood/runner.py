"""One process's flood: guard pre-flight, the engine, the report.

:func:`run_shard` is what every flood process runs, whether it is the only one, one of the local
executor's shard processes or a pod of the Kubernetes Job. Each checks the guard itself, so a
shard started on its own is guarded too.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from typing import Any

from entdrill.flood import report as report_module
from entdrill.flood.engine import Engine, EngineOptions, StopFlag
from entdrill.flood.plan import FloodPlan
from entdrill.guard import allowlist, killswitch, preflight

log = logging.getLogger(__name__)

Progress = Callable[[dict[str, Any]], None]


def guard(plan: FloodPlan, token: str, allow: allowlist.AllowList | None = None) -> None:
    """The pre-flight checks of ``plan`` (allow-list, ceiling, consent)."""
    preflight.check(
        plan.url_options(),
        peak_rate=plan.schedule.peak_rate(),
        token=token,
        allow=allow or allowlist.from_environment(),
    )


def run_shard(
    plan: FloodPlan,
    token: str,
    *,
    allow: allowlist.AllowList | None = None,
    progress: Progress | None = None,
    stop: StopFlag | None = None,
    start_at: float | None = None,
    install_signals: bool = True,
) -> report_module.Report:
    """Check the guard, run this process's shard of ``plan`` and return its report."""
    allow = allow or allowlist.from_environment()
    guard(plan, token, allow)
    stop = stop or StopFlag()
    if install_signals:
        stop.install()
    delay = 0.05 if start_at is None else max(0.0, start_at - time.time())
    options = EngineOptions(
        max_in_flight=max(1, -(-plan.options.max_in_flight // plan.shard.count)),
        timeout_s=plan.options.timeout,
        drain_s=plan.options.timeout,
        consent_token=token,
        consent_origins=tuple(plan.origins()),
        start_delay_s=delay,
    )
    label = f"{plan.target} shard {plan.shard}"
    with killswitch.registered("flood", label) as registration:
        engine = Engine(
            plan.schedule,
            plan.shard,
            plan.scenarios,
            plan.context(allow),
            options,
            stop=stop,
            registration=registration,
            progress=progress,
        )
        outcome = engine.run()
    if outcome.stopped_by:
        log.warning("flood stopped: %s", outcome.stopped_by)
    return report_module.build(
        engine.stats,
        target=plan.target,
        schedule=plan.schedule.describe(),
        shard=(plan.shard.index, plan.shard.count),
        started_at=outcome.started_at,
        ended_at=outcome.ended_at,
        stopped_by=outcome.stopped_by,
    )


def jsonl_progress(line: dict[str, Any]) -> None:
    """Progress as JSON lines on stdout (read by the local executor's coordinator)."""
    sys.stdout.write(json.dumps({"progress": line}) + "\n")
    sys.stdout.flush()

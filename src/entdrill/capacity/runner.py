"""The breaking-point search: the step policy polled, each step a flood run, each flood judged.

Every step is an ordinary ``entdrill flood`` run (constant rate for ``--step-s`` seconds)
through the flood's own plan builder, guard and executor, so every guard rail of a flood applies
to every step: the allow-list, the consent token (checked before each step and during it), the
rate ceiling and the kill switch. Before the first step the whole search is checked once: the
plan at ``--to`` (the highest rate the search may offer) must pass the guard, so a search the
ceiling would stop half-way is refused before anything is sent.

The search registers with the kill switch for its whole length: ``entdrill stop`` (or SIGTERM,
Ctrl-C) ends the running step within a second and no further step starts.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType

from entdrill.capacity import policy
from entdrill.capacity.settings import SearchSettings, check
from entdrill.capacity.verdict import StepResult, judge
from entdrill.errors import GuardRefusal, InvalidArgument
from entdrill.flood import FloodOptions, FloodPlan, Report, build_plan, guard
from entdrill.guard import killswitch
from entdrill.guard.allowlist import AllowList

log = logging.getLogger(__name__)

StepRunner = Callable[[FloodPlan, str, AllowList], Report]
OnStep = Callable[[StepResult], None]
STOP_POLL_S = 0.05


@dataclass
class SearchResult:
    """Every step of one search, how it ended and when."""

    target: str
    scenarios: dict[str, float]
    settings: SearchSettings
    steps: list[StepResult] = field(default_factory=list)
    stopped_by: str = ""
    started_at: float = 0.0
    ended_at: float = 0.0

    def done(self) -> list[policy.Done]:
        """The steps that count as evidence (a step the kill switch cut short does not)."""
        return [s.done() for s in self.steps if not s.stopped_by]

    @property
    def outcome(self) -> str:
        return policy.outcome(self.done(), self.settings, stopped=bool(self.stopped_by))

    @property
    def sustained_rate(self) -> float | None:
        return policy.sustained(self.done())

    @property
    def breaking_rate(self) -> float | None:
        return policy.breaking(self.done())

    @property
    def first_broken(self) -> StepResult | None:
        rate = self.breaking_rate
        return next(
            (s for s in self.steps if not s.held and not s.stopped_by and s.rate == rate), None
        )


def step_plan(options: FloodOptions, rate: float, step_s: float, index: int = 0) -> FloodPlan:
    """The flood plan of one step: ``rate`` arrivals per second for ``step_s`` seconds."""
    return build_plan(
        dataclasses.replace(
            options,
            profile="constant",
            rate=rate,
            to=None,
            normal_rate=None,
            multiplier=None,
            arrivals="",
            duration=step_s,
            seed=options.seed + index,
        )
    )


def prepare(options: FloodOptions, settings: SearchSettings) -> FloodPlan:
    """Check every option (bad input raises before anything is sent); the plan at ``--to``."""
    check(settings)
    if options.shard or options.executor != "local":
        raise InvalidArgument(
            "a breaking-point search runs its steps here: --shard and --executor are not for it"
        )
    return step_plan(options, settings.stop, settings.step_s)


def run_step_locally(plan: FloodPlan, token: str, allow: AllowList) -> Report:
    """One step with the flood's local executor (one process, or one per ``--processes``)."""
    from entdrill.flood import run_here

    return run_here(plan, token, allow=allow)


def search(
    options: FloodOptions,
    settings: SearchSettings,
    token: str,
    *,
    allow: AllowList,
    on_step: OnStep | None = None,
    run_step: StepRunner = run_step_locally,
) -> SearchResult:
    """Run the search; raises :class:`GuardRefusal` (nothing sent) when the guard refuses it."""
    highest = prepare(options, settings)
    guard(highest, token, allow)
    steps_policy = policy.StepPolicy(settings)
    result = SearchResult(
        target=highest.target,
        scenarios=dict(zip(highest.schedule.mix.names, highest.schedule.mix.weights, strict=True)),
        settings=settings,
        started_at=time.time(),
    )
    label = f"capacity search on {highest.target}"
    with _StopSignals() as signals, killswitch.registered("capacity", label) as registration:
        while True:
            reason = signals.reason or ("kill switch" if registration.stop_requested() else "")
            if reason:
                result.stopped_by = reason
                break
            step = steps_policy.tick(result.done())
            if step is None:
                break
            if result.steps and not _pause(settings.pause_s, signals, registration):
                result.stopped_by = signals.reason or "kill switch"
                break
            plan = step_plan(options, step.rate, settings.step_s, len(result.steps))
            try:
                report = run_step(plan, token, allow)
            except GuardRefusal as refusal:  # consent withdrawn between two steps
                result.stopped_by = str(refusal)
                break
            finally:
                signals.install()  # the step's flood installed its own handlers
                killswitch.register("capacity", label)  # and removed this pid's entry
            judged = judge(
                report,
                rate=step.rate,
                phase=step.phase,
                budget_ms=settings.budget_ms,
                max_errors=settings.max_errors,
                multiple=settings.multiple(step.rate),
            )
            result.steps.append(judged)
            log.info("step %.4g/s: %s", step.rate, "held" if judged.held else "broke")
            if on_step is not None:
                on_step(judged)
            if judged.stopped_by:
                result.stopped_by = judged.stopped_by
                break
    result.ended_at = time.time()
    return result


def _pause(seconds: float, signals: _StopSignals, registration: killswitch.Registration) -> bool:
    """Let the target settle between steps; False when a stop came meanwhile."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if signals.reason or registration.stop_requested():
            return False
        time.sleep(min(STOP_POLL_S, max(0.0, deadline - time.monotonic())))
    return not (signals.reason or registration.stop_requested())


class _StopSignals(contextlib.AbstractContextManager["_StopSignals"]):
    """SIGTERM (the kill switch) and SIGINT (Ctrl-C) end the search; the previous handlers come
    back when it ends. Outside the main thread signals are left alone."""

    def __init__(self) -> None:
        self.reason = ""
        self._previous: dict[int, object] = {}
        self._main = threading.current_thread() is threading.main_thread()

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        if not self.reason:
            self.reason = "kill switch" if signum == signal.SIGTERM else "interrupted"

    def install(self) -> None:
        if self._main:
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, self._handler)

    def __enter__(self) -> _StopSignals:
        if self._main:
            for signum in (signal.SIGTERM, signal.SIGINT):
                self._previous[signum] = signal.getsignal(signum)
        self.install()
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            with contextlib.suppress(TypeError, ValueError):
                signal.signal(signum, handler)  # type: ignore[arg-type]

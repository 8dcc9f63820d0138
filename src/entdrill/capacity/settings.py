"""What a breaking-point search is asked to do, checked before anything is sent.

:class:`SearchSettings` holds the search's own numbers (the range of rates, the steps, the
objective, the requirement); :func:`check` returns them when every one makes sense and otherwise
raises :class:`InvalidArgument` with one sentence naming the option and what was expected. The
journey and target options are the flood's (``entdrill.flood.plan.FloodOptions``), checked by
the flood's own plan builder.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from entdrill.errors import InvalidArgument

DEFAULT_FACTOR = 1.5
DEFAULT_STEP_S = 5.0
DEFAULT_P95_BUDGET_S = 2.0
DEFAULT_MAX_ERRORS = 0.01
DEFAULT_REFINE = 2
DEFAULT_PAUSE_S = 1.0
#: A step that offers fewer arrivals than this measures nothing worth a verdict.
MIN_ARRIVALS_PER_STEP = 10
#: At most this many steps in the rising ladder (a range asked with a tiny factor is refused).
MAX_LADDER_STEPS = 50
MAX_REFINE = 10


@dataclass(frozen=True)
class SearchSettings:
    """The numbers of one search. Rates are arrivals per second; ``factor`` and ``steps`` are
    exclusive (``steps`` 0: geometric by ``factor``)."""

    start: float
    stop: float
    factor: float | None = None  # None: DEFAULT_FACTOR, unless ``steps`` is given
    steps: int = 0
    step_s: float = DEFAULT_STEP_S
    p95_budget_s: float = DEFAULT_P95_BUDGET_S
    max_errors: float = DEFAULT_MAX_ERRORS
    normal_rate: float | None = None
    required_multiple: float | None = None
    refine: int = DEFAULT_REFINE
    pause_s: float = DEFAULT_PAUSE_S

    @property
    def growth(self) -> float:
        """The factor between ladder steps (when ``steps`` is 0)."""
        return DEFAULT_FACTOR if self.factor is None else self.factor

    @property
    def budget_ms(self) -> float:
        return self.p95_budget_s * 1000.0

    def multiple(self, rate: float | None) -> float | None:
        """``rate`` as a multiple of the normal rate (None without a normal rate)."""
        if rate is None or self.normal_rate is None:
            return None
        return rate / self.normal_rate

    def describe(self) -> dict[str, Any]:
        return asdict(self)


def _number(option: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidArgument(f"{option} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise InvalidArgument(f"{option} must be a finite number, got {value!r}")
    return float(value)


def _positive(option: str, value: Any, what: str) -> float:
    number = _number(option, value)
    if number <= 0:
        raise InvalidArgument(f"{option} must be above 0 ({what}), got {value!r}")
    return number


def _whole(option: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidArgument(
            f"{option} must be a whole number from {low} to {high}, got {value!r}"
        )
    return value


def check(settings: SearchSettings) -> SearchSettings:
    """``settings`` when every number makes sense; else one sentence naming the option."""
    start = _positive("--from", settings.start, "the first rate offered, arrivals per second")
    stop = _positive("--to", settings.stop, "the highest rate offered, arrivals per second")
    if start >= stop:
        raise InvalidArgument(
            f"--from ({start:g}/s) must be below --to ({stop:g}/s): the search offers rising "
            "rates from --from up to --to"
        )
    if settings.steps and settings.factor is not None:
        raise InvalidArgument(
            "give --steps (evenly spaced rates) or --factor (each rate the one before times "
            "the factor), not both"
        )
    if settings.steps:
        _whole("--steps", settings.steps, 2, MAX_LADDER_STEPS)
    else:
        factor = _number("--factor", settings.growth)
        if factor <= 1:
            raise InvalidArgument(
                f"--factor must be a number above 1 (each step offers the rate before it "
                f"times the factor), got {settings.factor!r}"
            )
        needed = math.ceil(math.log(stop / start) / math.log(factor)) + 1
        if needed > MAX_LADDER_STEPS:
            raise InvalidArgument(
                f"--factor {factor:g} from {start:g}/s to {stop:g}/s makes {needed} steps; "
                f"at most {MAX_LADDER_STEPS}: give a larger factor or a narrower range"
            )
    step_s = _positive("--step-s", settings.step_s, "seconds each rate is offered")
    if start * step_s < MIN_ARRIVALS_PER_STEP:
        raise InvalidArgument(
            f"--from {start:g}/s for --step-s {step_s:g} s offers {start * step_s:g} arrivals: "
            f"a step needs at least {MIN_ARRIVALS_PER_STEP} to measure anything; raise --from "
            "or --step-s"
        )
    _positive("--p95-budget", settings.p95_budget_s, "the p95 latency allowed, in seconds")
    errors = _number("--max-errors", settings.max_errors)
    if not 0 <= errors <= 1:
        raise InvalidArgument(
            f"--max-errors must be a share between 0 and 1 (0.01 is 1%), got {settings.max_errors!r}"
        )
    if settings.normal_rate is not None:
        _positive("--normal-rate", settings.normal_rate, "the ENT's normal logins per second")
    if settings.required_multiple is not None:
        _positive(
            "--required-multiple",
            settings.required_multiple,
            "the load the ENT must hold, as a multiple of normal",
        )
        if settings.normal_rate is None:
            raise InvalidArgument(
                "--required-multiple needs --normal-rate: the requirement is a multiple of the "
                "normal rate"
            )
    _whole("--refine", settings.refine, 0, MAX_REFINE)
    pause = _number("--pause-s", settings.pause_s)
    if pause < 0:
        raise InvalidArgument(f"--pause-s must be 0 or more seconds, got {settings.pause_s!r}")
    return settings

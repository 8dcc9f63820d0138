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
from entdrill.ranges import Number

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


#: The range of each option (the relations between them are checked by :func:`check`).
LIMITS: dict[str, Number] = {
    "--from": Number(0, 1_000_000, unit="arrivals per second", above=True),
    "--to": Number(0, 1_000_000, unit="arrivals per second", above=True),
    "--factor": Number(1, 100, above=True),
    "--steps": Number(2, MAX_LADDER_STEPS, integer=True, unit="evenly spaced rates"),
    "--step-s": Number(0, 3_600, unit="seconds", above=True),
    "--p95-budget": Number(0, 600, unit="seconds", above=True),
    "--max-errors": Number(0, 1),  # a share: 0.01 is 1%
    "--normal-rate": Number(0, 1_000_000, unit="normal logins per second", above=True),
    "--required-multiple": Number(0, 100_000, unit="times the normal rate", above=True),
    "--refine": Number(0, MAX_REFINE, integer=True, unit="refining steps"),
    "--pause-s": Number(0, 600, unit="seconds"),
}


def _checked(option: str, value: Any) -> float:
    return float(LIMITS[option].check(value, option))


def check(settings: SearchSettings) -> SearchSettings:
    """``settings`` when every number makes sense; else one sentence naming the option."""
    start = _checked("--from", settings.start)
    stop = _checked("--to", settings.stop)
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
        _checked("--steps", settings.steps)
    else:
        factor = _checked("--factor", settings.growth)
        needed = math.ceil(math.log(stop / start) / math.log(factor)) + 1
        if needed > MAX_LADDER_STEPS:
            raise InvalidArgument(
                f"--factor {factor:g} from {start:g}/s to {stop:g}/s makes {needed} steps; "
                f"at most {MAX_LADDER_STEPS}: give a larger factor or a narrower range"
            )
    step_s = _checked("--step-s", settings.step_s)
    if start * step_s < MIN_ARRIVALS_PER_STEP:
        raise InvalidArgument(
            f"--from {start:g}/s for --step-s {step_s:g} s offers {start * step_s:g} arrivals: "
            f"a step needs at least {MIN_ARRIVALS_PER_STEP} to measure anything; raise --from "
            "or --step-s"
        )
    _checked("--p95-budget", settings.p95_budget_s)
    _checked("--max-errors", settings.max_errors)
    if settings.normal_rate is not None:
        _checked("--normal-rate", settings.normal_rate)
    if settings.required_multiple is not None:
        _checked("--required-multiple", settings.required_multiple)
        if settings.normal_rate is None:
            raise InvalidArgument(
                "--required-multiple needs --normal-rate: the requirement is a multiple of the "
                "normal rate"
            )
    _checked("--refine", settings.refine)
    _checked("--pause-s", settings.pause_s)
    return settings

"""Load profiles: how many arrivals per second the storm asks for, second by second.

A profile is a tiny pure policy, like a Locust load shape: ``tick(t)`` gives the rate asked at
``t`` seconds after the start, or None once the profile is over. It never touches the network;
the schedule (``entdrill.flood.schedule``) turns it into exact arrival times. ``cumulative(t)``
is the number of arrivals expected between 0 and ``t``; the schedule rounds it, so the arrivals of
a whole run add up to ``round(cumulative(duration))`` whatever the shape.

``spike`` and ``school-morning`` are expressed as a multiple of the normal rate, the way load is
talked about in a crisis ("10 times normal", "100 to 1,000 times normal").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from entdrill.errors import InvalidArgument

PROFILE_NAMES = ("constant", "ramp", "steps", "school-morning", "spike", "replay")

# school-morning: a bump peaking at PEAK_AT of the duration (the 8:00 bell), shape exponent SHARPNESS.
PEAK_AT = 0.3
SHARPNESS = 3.0
# spike: normal, then multiplier x normal from SPIKE_FROM to SPIKE_TO of the duration, then normal.
SPIKE_FROM = 0.25
SPIKE_TO = 0.75
_SIMPSON_STEPS_PER_S = 64


@dataclass(frozen=True)
class Profile:
    """Base: a rate in arrivals per second over ``duration_s`` seconds."""

    duration_s: float

    name = "profile"

    def rate_at(self, t: float) -> float:
        raise NotImplementedError

    def tick(self, t: float) -> float | None:
        """The rate asked at ``t`` seconds, or None when the profile is over."""
        if t < 0 or t >= self.duration_s:
            return None
        return self.rate_at(t)

    def cumulative(self, t: float) -> float:
        """Arrivals expected from 0 to ``t`` (numerical; exact subclasses override it)."""
        t = min(max(t, 0.0), self.duration_s)
        steps = max(2, math.ceil(t * _SIMPSON_STEPS_PER_S) * 2)
        h = t / steps
        total = self.rate_at(0.0) + self.rate_at(t)
        for i in range(1, steps):
            total += (4 if i % 2 else 2) * self.rate_at(i * h)
        return total * h / 3

    def peak_rate(self) -> float:
        """The highest rate asked at any moment."""
        raise NotImplementedError

    def describe(self) -> dict[str, float | str]:
        fields = {k: v for k, v in self.__dict__.items() if isinstance(v, int | float)}
        return {"name": self.name, **fields}


@dataclass(frozen=True)
class Constant(Profile):
    rate: float = 1.0
    name = "constant"

    def rate_at(self, t: float) -> float:
        return self.rate

    def cumulative(self, t: float) -> float:
        return self.rate * min(max(t, 0.0), self.duration_s)

    def peak_rate(self) -> float:
        return self.rate


@dataclass(frozen=True)
class Ramp(Profile):
    """From ``rate`` to ``to`` linearly over the duration."""

    rate: float = 1.0
    to: float = 1.0
    name = "ramp"

    def rate_at(self, t: float) -> float:
        return self.rate + (self.to - self.rate) * t / self.duration_s

    def cumulative(self, t: float) -> float:
        t = min(max(t, 0.0), self.duration_s)
        return self.rate * t + (self.to - self.rate) * t * t / (2 * self.duration_s)

    def peak_rate(self) -> float:
        return max(self.rate, self.to)


@dataclass(frozen=True)
class Steps(Profile):
    """From ``rate`` to ``to`` in ``steps`` equal plateaus of equal length."""

    rate: float = 1.0
    to: float = 1.0
    steps: int = 5
    name = "steps"

    def level(self, i: int) -> float:
        if self.steps == 1:
            return self.to
        return self.rate + (self.to - self.rate) * i / (self.steps - 1)

    def rate_at(self, t: float) -> float:
        i = min(int(t * self.steps / self.duration_s), self.steps - 1)
        return self.level(i)

    def cumulative(self, t: float) -> float:
        t = min(max(t, 0.0), self.duration_s)
        width = self.duration_s / self.steps
        full = min(int(t / width), self.steps)
        total = sum(self.level(i) for i in range(full)) * width
        if full < self.steps:
            total += self.level(full) * (t - full * width)
        return total

    def peak_rate(self) -> float:
        return max(self.rate, self.to)


@dataclass(frozen=True)
class Spike(Profile):
    """Normal rate, ``multiplier`` times normal for the middle half of the run, normal again."""

    normal_rate: float = 1.0
    multiplier: float = 10.0
    name = "spike"

    def rate_at(self, t: float) -> float:
        x = t / self.duration_s
        return self.normal_rate * (self.multiplier if SPIKE_FROM <= x < SPIKE_TO else 1.0)

    def cumulative(self, t: float) -> float:
        t = min(max(t, 0.0), self.duration_s)
        start, end = SPIKE_FROM * self.duration_s, SPIKE_TO * self.duration_s
        inside = max(0.0, min(t, end) - start)
        return self.normal_rate * (t + (self.multiplier - 1.0) * inside)

    def peak_rate(self) -> float:
        return self.normal_rate * max(self.multiplier, 1.0)


@dataclass(frozen=True)
class SchoolMorning(Profile):
    """A school morning compressed into the duration: normal load, the 8:00 surge, a long tail.

    rate(t) = normal + (peak - normal) * b(t / duration) with peak = multiplier x normal and
    b(x) = (x/p)^k * exp(k (1 - x/p)): 0 at the start, 1 at x = p (0.3), about 0.03 at the end.
    """

    normal_rate: float = 1.0
    multiplier: float = 10.0
    name = "school-morning"

    def rate_at(self, t: float) -> float:
        x = max(t, 0.0) / self.duration_s / PEAK_AT
        bump = (x**SHARPNESS) * math.exp(SHARPNESS * (1.0 - x)) if x > 0 else 0.0
        return self.normal_rate * (1.0 + (self.multiplier - 1.0) * bump)

    def peak_rate(self) -> float:
        return self.normal_rate * max(self.multiplier, 1.0)


def _positive(option: str, value: float | None) -> float:
    if value is None:
        raise InvalidArgument(f"{option} is required by this profile; expected a number above 0")
    if not isinstance(value, int | float) or math.isnan(value) or math.isinf(value) or value <= 0:
        raise InvalidArgument(f"{option} must be a finite number above 0, got {value!r}")
    return float(value)


def _non_negative(option: str, value: float | None) -> float:
    if value is None:
        raise InvalidArgument(f"{option} is required by this profile; expected a number")
    if not isinstance(value, int | float) or math.isnan(value) or math.isinf(value) or value < 0:
        raise InvalidArgument(f"{option} must be a finite number of at least 0, got {value!r}")
    return float(value)


def build(
    name: str,
    *,
    duration_s: float,
    rate: float | None = None,
    to: float | None = None,
    steps: int = 5,
    normal_rate: float | None = None,
    multiplier: float | None = None,
) -> Profile:
    """The profile called ``name``, its numbers checked (errors name the option at fault)."""
    duration = _positive("--duration", duration_s)
    if name == "constant":
        return Constant(duration, rate=_positive("--rate", rate))
    if name in ("ramp", "steps"):
        start, end = _non_negative("--rate", rate), _non_negative("--to", to)
        if start == 0 and end == 0:
            raise InvalidArgument("--rate and --to cannot both be 0; expected a rate above 0")
        if name == "ramp":
            return Ramp(duration, rate=start, to=end)
        if not isinstance(steps, int) or steps < 1:
            raise InvalidArgument(f"--steps must be a whole number of at least 1, got {steps!r}")
        return Steps(duration, rate=start, to=end, steps=steps)
    if name in ("spike", "school-morning"):
        normal = _positive("--normal-rate", normal_rate)
        times = _positive("--multiplier", 10.0 if multiplier is None else multiplier)
        if name == "spike":
            return Spike(duration, normal_rate=normal, multiplier=times)
        return SchoolMorning(duration, normal_rate=normal, multiplier=times)
    raise InvalidArgument(
        f"--profile {name!r} is unknown; expected one of {', '.join(PROFILE_NAMES)}"
    )

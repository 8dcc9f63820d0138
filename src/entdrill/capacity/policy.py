"""The step policy of a breaking-point search (pure), in the style of a Locust load shape.

:meth:`StepPolicy.tick` is given the steps done so far and answers the next step to offer, or
None to stop. It never touches the network; the runner polls it between steps.

1. **Ladder.** Rising rates from ``--from`` to ``--to``: geometric (each rate the one before
   times ``--factor``, the last one ``--to`` itself) or ``--steps`` evenly spaced rates. The
   ladder stops at the **first step that breaks** the objective: no rate above it is ever
   offered, so a search never goes more than one step past the breaking point.
2. **Refine.** Up to ``--refine`` more steps between the highest rate held and the lowest rate
   broken, each at their geometric mean: a step that holds raises the first, one that breaks
   lowers the second. Refining stops early once the two are within :data:`CLOSE_ENOUGH` of
   each other. Every refined rate lies strictly between them, so below the first broken step.

:func:`outcome` names how a finished search ended: ``knee`` (a rate held and a higher one
broke), ``held_to_max`` (every step held, up to ``--to``), ``broke_at_min`` (the first step,
``--from``, already broke) or ``stopped`` (the kill switch or the guard ended it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from entdrill.capacity.settings import SearchSettings

#: Refining stops once the lowest rate broken is within this share of the highest rate held.
CLOSE_ENOUGH = 0.02
OUTCOMES = ("knee", "held_to_max", "broke_at_min", "stopped")


@dataclass(frozen=True)
class Step:
    """A step to offer: its rate (arrivals per second) and its phase, ``ladder`` or ``refine``."""

    rate: float
    phase: str


@dataclass(frozen=True)
class Done:
    """What the policy needs to know of a step that ran."""

    rate: float
    held: bool
    phase: str = "ladder"


def ladder(settings: SearchSettings) -> list[float]:
    """The rising rates of the ladder, ``--from`` first and ``--to`` last."""
    start, stop = settings.start, settings.stop
    if settings.steps:
        count = settings.steps
        return [_round(start + (stop - start) * i / (count - 1)) for i in range(count)]
    rates = [start]
    while rates[-1] * settings.growth < stop * (1 - 1e-9):
        rates.append(_round(rates[-1] * settings.growth))
    rates.append(stop)
    return rates


def _round(rate: float) -> float:
    """Three significant figures: rates read well in a table and repeat exactly."""
    if rate <= 0:
        return rate
    digits = 2 - math.floor(math.log10(rate))
    return round(rate, max(digits, 0))


class StepPolicy:
    """Polled by the runner: ``tick(done)`` is the next step, or None when the search is over."""

    def __init__(self, settings: SearchSettings) -> None:
        self.settings = settings
        self.rates = ladder(settings)

    def tick(self, done: Sequence[Done]) -> Step | None:
        broken = [d for d in done if not d.held]
        if not broken:
            if len(done) < len(self.rates):
                return Step(self.rates[len(done)], "ladder")
            return None
        held = [d.rate for d in done if d.held]
        if not held:
            return None  # the first rate broke: nothing to refine
        low, high = max(held), min(d.rate for d in broken)
        refined = sum(1 for d in done if d.phase == "refine")
        if refined >= self.settings.refine or high <= low * (1 + CLOSE_ENOUGH):
            return None
        middle = _round(math.sqrt(low * high))
        if not low < middle < high:
            return None
        return Step(middle, "refine")


def sustained(done: Sequence[Done]) -> float | None:
    """The highest rate held below the lowest rate broken (None when nothing held)."""
    broken = [d.rate for d in done if not d.held]
    ceiling = min(broken) if broken else math.inf
    held = [d.rate for d in done if d.held and d.rate < ceiling]
    return max(held) if held else None


def breaking(done: Sequence[Done]) -> float | None:
    """The lowest rate broken (None when every step held)."""
    broken = [d.rate for d in done if not d.held]
    return min(broken) if broken else None


def outcome(done: Sequence[Done], settings: SearchSettings, *, stopped: bool) -> str:
    """How the search ended (one of :data:`OUTCOMES`)."""
    if stopped:
        return "stopped"
    if done and not done[0].held:
        return "broke_at_min"
    if breaking(done) is None:
        return "held_to_max" if done and done[-1].rate >= settings.stop else "stopped"
    return "knee"

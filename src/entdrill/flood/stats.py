"""What a flood measured, recorded as it happens: HDR histograms, counts, per-second series.

Latencies are in microseconds from the arrival's **intended** start: the first step of a journey
is timed from the moment the schedule said the user arrives (not from when the request left), and
each later step from the end of the one before, so the steps add up to the whole journey and a
server that queues cannot hide it (no coordinated omission). ``dispatch_lag`` records how late the
engine itself sent each first request: the part of the latency that is ours, not the target's.
"""

from __future__ import annotations

from hdrh.histogram import HdrHistogram

from entdrill.flood.scenarios.base import Scenario

LOWEST_US = 1
HIGHEST_US = 3_600_000_000  # one hour
SIGNIFICANT_FIGURES = 3
ARRIVAL_STEP = "arrival"  # the step of failures before any request (refused by --max-in-flight)

CAUSES = (
    "refused",  # not started: --max-in-flight was reached
    "connection",  # could not connect, or the connection broke
    "timeout",  # no complete answer within --timeout
    "http_5xx",
    "http_429",
    "http_4xx",  # another 4xx where the journey expected success
    "login_rejected",  # CAS re-displayed the form or answered 401 to valid credentials
    "ticket_invalid",  # the portal did not accept the service ticket
    "redirect_refused",  # a redirect led outside the allowed hosts
    "unexpected",  # an answer the journey cannot use (no login form, no ticket, bad XML)
    "bbb_failed",  # the video bridge answered FAILED
    "stuffing_accepted",  # a credential-stuffing attempt was let in
    "unfinished",  # still in flight when the run ended or was stopped
)


def new_histogram() -> HdrHistogram:
    return HdrHistogram(LOWEST_US, HIGHEST_US, SIGNIFICANT_FIGURES)


class Series:
    """Per-second counters that grow as seconds pass."""

    NAMES = ("asked", "achieved", "refused", "completed", "failed", "in_flight")

    def __init__(self, seconds: int) -> None:
        self.values: dict[str, list[int]] = {name: [0] * seconds for name in self.NAMES}

    def add(self, name: str, second: int, count: int = 1) -> None:
        column = self.values[name]
        if second >= len(column):
            for other in self.values.values():
                other.extend([0] * (second + 1 - len(other)))
        column[second] += count

    def set(self, name: str, second: int, value: int) -> None:
        self.add(name, second, 0)
        self.values[name][second] = value

    @property
    def length(self) -> int:
        return len(self.values["asked"])


class ScenarioStats:
    """Counts and histograms of one scenario."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.asked = 0
        self.started = 0
        self.completed = 0
        self.failed = 0
        self.step_counts: dict[str, int] = dict.fromkeys(scenario.steps, 0)
        self.step_histograms: dict[str, HdrHistogram] = {
            step: new_histogram() for step in scenario.steps
        }
        self.errors: dict[tuple[str, str], int] = {}  # (step, cause) -> count
        self.login = new_histogram() if scenario.login_steps else None
        self.journey = new_histogram() if len(scenario.steps) > 1 else None

    def step(self, step: str, latency_us: int) -> None:
        self.step_counts[step] = self.step_counts.get(step, 0) + 1
        histogram = self.step_histograms.get(step)
        if histogram is None:
            histogram = self.step_histograms[step] = new_histogram()
        histogram.record_value(min(max(latency_us, LOWEST_US), HIGHEST_US))

    def error(self, step: str, cause: str) -> None:
        key = (step, cause)
        self.errors[key] = self.errors.get(key, 0) + 1


class Stats:
    """Everything one process measured during one run."""

    def __init__(self, scenarios: list[Scenario], seconds: int) -> None:
        self.scenarios = [ScenarioStats(s) for s in scenarios]
        self.series = Series(seconds)
        self.dispatch_lag = new_histogram()
        self.max_in_flight = 0

    def asked(self, second: int, scenario: int) -> None:
        self.series.add("asked", second)
        self.scenarios[scenario].asked += 1

    def finished(
        self, scenario: int, second: int, step: str, cause: str | None, journey_us: int
    ) -> None:
        """A journey ended: ``cause`` None means it went as expected."""
        stats = self.scenarios[scenario]
        if cause is None:
            stats.completed += 1
            self.series.add("completed", second)
            if stats.journey is not None:
                stats.journey.record_value(min(max(journey_us, LOWEST_US), HIGHEST_US))
        else:
            stats.failed += 1
            stats.error(step, cause)
            self.series.add("failed", second)

    def login_done(self, scenario: int, login_us: int) -> None:
        histogram = self.scenarios[scenario].login
        if histogram is not None:
            histogram.record_value(min(max(login_us, LOWEST_US), HIGHEST_US))

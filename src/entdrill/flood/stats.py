"""What a flood measured, recorded as it happens: HDR histograms, counts, per-second series.

Latencies are in microseconds from the arrival's **intended** start: the first step of a journey
is timed from the moment the schedule said the user arrives (not from when the request left), and
each later step from the end of the one before, so the steps add up to the whole journey and a
server that queues cannot hide it (no coordinated omission). ``dispatch_lag`` records how late the
engine itself sent each first request: the part of the latency that is ours, not the target's.

Recording is cheap on the engine's hot path: a latency is appended to a :class:`Recorder`'s list
(one C call) and the list is added to its HDR histogram in bulk, at the engine's once-a-second
books and before anything reads the histogram (:meth:`Stats.flush`). Bulk adding counts equal
values once and computes each bucket index with a few integer operations, the same arithmetic as
``HdrHistogram.record_value`` (tests check they agree value for value).
"""

from __future__ import annotations

from collections import Counter

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
    "form_not_found",  # the login page has no login form (or does not exist)
    "page_missing",  # the app page answered 404 or 410 after the login
    "unexpected",  # an answer the journey cannot use (bad XML, no redirect where one is due)
    "bbb_failed",  # the video bridge answered FAILED
    "stuffing_accepted",  # a credential-stuffing attempt was let in
    "unfinished",  # still in flight when the run ended or was stopped
)


def new_histogram() -> HdrHistogram:
    return HdrHistogram(LOWEST_US, HIGHEST_US, SIGNIFICANT_FIGURES)


def add_values(histogram: HdrHistogram, values: list[int]) -> None:
    """Record every value of ``values`` (microseconds, clamped to the histogram's range).

    Equivalent to ``histogram.record_value(v)`` for each value, several times faster: equal
    values are counted once (``Counter`` runs in C) and each distinct value's counts index is
    the bucket arithmetic of ``HdrHistogram._counts_index_for`` inlined.
    """
    if not values:
        return
    unit = histogram.unit_magnitude
    half_magnitude = histogram.sub_bucket_half_count_magnitude
    half_count = histogram.sub_bucket_half_count
    mask = histogram.sub_bucket_mask
    counts = histogram.counts
    low, high = min(values), max(values)
    clamp = low < LOWEST_US or high > HIGHEST_US
    by_index: dict[int, int] = {}
    for value, count in Counter(values).items():
        if clamp:
            value = LOWEST_US if value < LOWEST_US else HIGHEST_US if value > HIGHEST_US else value
        bucket = (value | mask).bit_length() - unit - half_magnitude - 1
        index = ((bucket + 1) << half_magnitude) + (value >> (bucket + unit)) - half_count
        by_index[index] = by_index.get(index, 0) + count
    for index, count in by_index.items():
        counts[index] += count
    histogram.total_count += len(values)
    if clamp:
        low = LOWEST_US if low < LOWEST_US else HIGHEST_US if low > HIGHEST_US else low
        high = LOWEST_US if high < LOWEST_US else HIGHEST_US if high > HIGHEST_US else high
    histogram.min_value = min(histogram.min_value, low)
    histogram.max_value = max(histogram.max_value, high)


class Recorder:
    """An HDR histogram fed in bulk: ``record`` appends to a list, ``flush`` adds the list."""

    __slots__ = ("histogram", "pending", "record")

    def __init__(self) -> None:
        self.histogram = new_histogram()
        self.pending: list[int] = []
        self.record = self.pending.append  # the engine's hot path: one C call per latency

    def flush(self) -> HdrHistogram:
        """The histogram with every recorded value in it."""
        if self.pending:
            add_values(self.histogram, self.pending)
            self.pending.clear()  # the same list: ``record`` stays bound to it
        return self.histogram

    def reset(self) -> None:
        """Forget everything recorded (a fresh histogram: cheaper than zeroing one in Python)."""
        self.pending.clear()
        self.histogram = new_histogram()


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
        self.steps: dict[str, Recorder] = {step: Recorder() for step in scenario.steps}
        self.errors: dict[tuple[str, str], int] = {}  # (step, cause) -> count
        self.login = Recorder() if scenario.login_steps else None
        self.journey = Recorder() if len(scenario.steps) > 1 else None

    def step_recorder(self, step: str) -> Recorder:
        recorder = self.steps.get(step)
        if recorder is None:
            recorder = self.steps[step] = Recorder()
        return recorder

    def step(self, step: str, latency_us: int) -> None:
        self.step_recorder(step).record(latency_us)

    def error(self, step: str, cause: str) -> None:
        key = (step, cause)
        self.errors[key] = self.errors.get(key, 0) + 1

    def flush(self) -> None:
        for recorder in (*self.steps.values(), self.login, self.journey):
            if recorder is not None:
                recorder.flush()

    @property
    def step_histograms(self) -> dict[str, HdrHistogram]:
        return {step: recorder.flush() for step, recorder in self.steps.items()}

    @property
    def step_counts(self) -> dict[str, int]:
        """Answers received per step (every answer's latency is in the step's histogram)."""
        return {step: h.get_total_count() for step, h in self.step_histograms.items()}


class Stats:
    """Everything one process measured during one run."""

    def __init__(self, scenarios: list[Scenario], seconds: int) -> None:
        self.scenarios = [ScenarioStats(s) for s in scenarios]
        self.series = Series(seconds)
        self.dispatch_lag = Recorder()
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
                stats.journey.record(journey_us)
        else:
            stats.failed += 1
            stats.error(step, cause)
            self.series.add("failed", second)

    def login_done(self, scenario: int, login_us: int) -> None:
        recorder = self.scenarios[scenario].login
        if recorder is not None:
            recorder.record(login_us)

    def flush(self) -> None:
        """Add every latency recorded so far to its histogram (the engine does it each second)."""
        self.dispatch_lag.flush()
        for scenario in self.scenarios:
            scenario.flush()

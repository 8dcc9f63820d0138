"""The open-model engine of one process: libcurl's multi interface driven by the schedule.

Arrivals start when the schedule says, whatever the target does: nothing waits for a response
before the next user arrives. Each arrival takes a libcurl easy handle for its whole journey
(libcurl's cookie engine on that handle is the virtual user's cookie jar, emptied when the next
user takes the handle) and runs its scenario's generator one request at a time. An arrival that
finds ``max_in_flight`` journeys running is refused and counted, never queued out of sight.

The loop, in order: dispatch the arrivals that are due, let libcurl move bytes, hand finished
transfers to their journeys, close the per-second books, check consent and the kill switch, and
wait in ``select`` until the next arrival is due or a socket is ready. Redirects are not
followed by libcurl: scenarios follow them, within the allow-list.
"""

from __future__ import annotations

import io
import logging
import resource
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import FrameType

import pycurl

from entdrill.flood.scenarios.base import Journey, Reply, Request, Scenario, ScenarioContext
from entdrill.flood.schedule import Arrival, Schedule, Shard
from entdrill.flood.stats import ARRIVAL_STEP, Stats, new_histogram
from entdrill.guard import consent
from entdrill.guard.killswitch import Registration

log = logging.getLogger(__name__)

SELECT_FD_LIMIT = 1000  # libcurl's multi select() works on fds below FD_SETSIZE (1024)
MAX_WAIT_S = 0.02  # the loop wakes at least this often (stop flags, seconds, consent)
USER_AGENT = "entdrill-flood/0.1"

Progress = Callable[[dict[str, object]], None]


@dataclass
class EngineOptions:
    max_in_flight: int = 10_000
    timeout_s: float = 10.0
    drain_s: float = 10.0  # after the last arrival, wait this long for journeys in flight
    consent_token: str = ""
    consent_origins: tuple[str, ...] = ()
    start_delay_s: float = 0.05


class _User:
    """One virtual user in flight."""

    __slots__ = ("gen", "handle", "intended", "logged", "scenario", "step", "step_start")

    def __init__(self, gen: Journey, scenario: int, intended: float) -> None:
        self.gen = gen
        self.scenario = scenario
        self.intended = intended
        self.step_start = intended
        self.step = ""
        self.logged = False
        self.handle: pycurl.Curl | None = None


@dataclass
class Outcome:
    """How the run ended."""

    stopped_by: str = ""
    started_at: float = 0.0  # epoch seconds of offset 0
    ended_at: float = 0.0
    in_flight_at_end: int = 0
    notes: list[str] = field(default_factory=list)


class StopFlag:
    """Set by SIGTERM/SIGINT (the kill switch, Ctrl-C) or by a caller."""

    def __init__(self) -> None:
        self.reason = ""

    def set(self, reason: str) -> None:
        if not self.reason:
            self.reason = reason

    def install(self) -> None:
        def handler(signum: int, frame: FrameType | None) -> None:
            self.set("kill switch" if signum == signal.SIGTERM else "interrupted")

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class Engine:
    def __init__(
        self,
        schedule: Schedule,
        shard: Shard,
        scenarios: list[Scenario],
        context: ScenarioContext,
        options: EngineOptions,
        *,
        stop: StopFlag | None = None,
        registration: Registration | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.schedule = schedule
        self.shard = shard
        self.scenarios = scenarios
        self.ctx = context
        self.options = options
        self.stop = stop or StopFlag()
        self.registration = registration
        self.progress = progress
        self.stats = Stats(scenarios, schedule.seconds)
        self.multi = pycurl.CurlMulti()
        connections = min(options.max_in_flight, SELECT_FD_LIMIT)
        self.multi.setopt(pycurl.M_MAX_TOTAL_CONNECTIONS, connections)
        self.multi.setopt(pycurl.M_MAXCONNECTS, connections)
        self.free: list[pycurl.Curl] = []
        self.active: set[pycurl.Curl] = set()
        self.in_flight = 0
        self.consent = consent.ConsentMonitor(options.consent_token)
        self._consent_pending: set[pycurl.Curl] = set()
        self._runs = [s.run for s in scenarios]
        self.window = new_histogram() if progress is not None else None
        self._login_steps = [set(s.login_steps) for s in scenarios]

    # -- handles ---------------------------------------------------------------------------
    def _new_handle(self) -> pycurl.Curl:
        c = pycurl.Curl()
        buffer = io.BytesIO()
        c.buffer = buffer
        c.setopt(pycurl.WRITEFUNCTION, buffer.write)
        c.setopt(pycurl.NOSIGNAL, 1)
        c.setopt(pycurl.FOLLOWLOCATION, 0)
        c.setopt(pycurl.TIMEOUT_MS, int(self.options.timeout_s * 1000))
        c.setopt(pycurl.CONNECTTIMEOUT_MS, int(min(self.options.timeout_s, 5.0) * 1000))
        c.setopt(pycurl.USERAGENT, USER_AGENT)
        c.setopt(pycurl.COOKIEFILE, "")
        c.setopt(pycurl.PROTOCOLS, pycurl.PROTO_HTTP | pycurl.PROTO_HTTPS)
        c.posted = False
        c.cookies = False
        return c

    def _send(self, user: _User, c: pycurl.Curl, request: Request, now: float) -> None:
        user.step = request.step
        user.step_start = now
        c.buffer.seek(0)
        c.buffer.truncate()
        c.setopt(pycurl.URL, request.url)
        if request.clear_cookies and c.cookies:
            c.setopt(pycurl.COOKIELIST, "ALL")
        if request.body is not None:
            c.setopt(pycurl.POSTFIELDS, request.body)
            c.posted = True
        elif c.posted:
            c.setopt(pycurl.HTTPGET, 1)
            c.posted = False
        self.multi.add_handle(c)

    # -- journeys ----------------------------------------------------------------------------
    def _arrive(self, arrival: Arrival, t0: float, now: float) -> None:
        _, offset, scenario, draw = arrival
        intended = t0 + offset
        stats = self.stats
        second = int(now - t0)
        stats.series.add("achieved", second)
        if self.in_flight >= self.options.max_in_flight:
            stats.series.add("refused", second)
            stats.finished(scenario, second, ARRIVAL_STEP, "refused", 0)
            return
        stats.scenarios[scenario].started += 1
        stats.dispatch_lag.record_value(max(1, int((now - intended) * 1e6)))
        gen = self._runs[scenario](self.ctx, draw)
        user = _User(gen, scenario, intended)
        request = next(gen)
        c = self.free.pop() if self.free else self._new_handle()
        if c.cookies:
            c.setopt(pycurl.COOKIELIST, "ALL")
            c.cookies = False
        c.user = user
        user.handle = c
        self.active.add(c)
        self.in_flight += 1
        self._send(user, c, request, intended)

    def _finish(self, user: _User, now: float, t0: float, cause: str | None) -> None:
        c = user.handle
        if c is not None:
            c.user = None
            self.active.discard(c)
            self.free.append(c)
        self.in_flight -= 1
        if cause is None and self._login_steps[user.scenario] and not user.logged:
            self.stats.login_done(user.scenario, int((now - user.intended) * 1e6))
        journey_us = int((now - user.intended) * 1e6)
        self.stats.finished(user.scenario, int(now - t0), user.step, cause, journey_us)
        if self.window is not None and cause is None:
            self.window.record_value(max(1, journey_us))

    def _done(self, c: pycurl.Curl, errno: int, now: float, t0: float) -> None:
        self.multi.remove_handle(c)
        if c in self._consent_pending:
            self._consent_done(c, errno, now)
            return
        user: _User = c.user
        if errno:
            cause = "timeout" if errno == pycurl.E_OPERATION_TIMEDOUT else "connection"
            self._finish(user, now, t0, cause)
            return
        status = c.getinfo(pycurl.RESPONSE_CODE)
        scenario_stats = self.stats.scenarios[user.scenario]
        scenario_stats.step(user.step, int((now - user.step_start) * 1e6))
        if status >= 500:
            self._finish(user, now, t0, "http_5xx")
            return
        if status == 429:
            self._finish(user, now, t0, "http_429")
            return
        location = (c.getinfo(pycurl.REDIRECT_URL) or "") if 300 <= status < 400 else ""
        c.cookies = True
        try:
            request = user.gen.send(Reply(status, location, c.buffer.getvalue()))
        except StopIteration as end:
            self._finish(user, now, t0, end.value)
            return
        logins = self._login_steps[user.scenario]
        if logins and not user.logged and request.step not in logins:
            user.logged = True
            self.stats.login_done(user.scenario, int((now - user.intended) * 1e6))
        self._send(user, c, request, now)

    # -- consent -----------------------------------------------------------------------------
    def _check_consent(self) -> None:
        if self._consent_pending or not self.options.consent_origins:
            return
        for origin in self.options.consent_origins:
            c = self._new_handle()
            c.setopt(pycurl.URL, consent.consent_url(origin))
            c.setopt(pycurl.TIMEOUT_MS, int(consent.CHECK_TIMEOUT_S * 1000))
            c.setopt(pycurl.FRESH_CONNECT, 1)
            self._consent_pending.add(c)
            self.multi.add_handle(c)

    def _consent_done(self, c: pycurl.Curl, errno: int, now: float) -> None:
        self._consent_pending.discard(c)
        if errno:
            self.consent.failure(now, f"{c.errstr() or 'transfer error'}")
        else:
            self.consent.answer(now, c.getinfo(pycurl.RESPONSE_CODE), c.buffer.getvalue())
        c.close()
        if self.consent.stop_reason:
            self.stop.set(self.consent.stop_reason)

    # -- the loop ----------------------------------------------------------------------------
    def run(self) -> Outcome:
        raise_fd_limit()
        clock = time.perf_counter
        t0 = clock() + self.options.start_delay_s
        outcome = Outcome(started_at=time.time() + self.options.start_delay_s)
        self.consent.started(t0)
        seconds: Iterator[tuple[int, list[Arrival]]] = self.schedule.seconds_of_arrivals(self.shard)
        batch: list[Arrival] = []
        position = 0
        more = True
        closed_second = 0
        next_consent = t0 + consent.CHECK_INTERVAL_S
        end = t0 + self.schedule.duration_s
        drain_deadline = end + self.options.drain_s
        multi = self.multi
        stats = self.stats
        while True:
            now = clock()
            # 1. arrivals that are due
            while True:
                if position >= len(batch):
                    if not more:
                        break
                    try:
                        second, batch = next(seconds)
                    except StopIteration:
                        more, batch = False, []
                        break
                    position = 0
                    for arrival in batch:
                        stats.asked(second, arrival[2])
                    continue
                arrival = batch[position]
                if t0 + arrival[1] > now or self.stop.reason:
                    break
                position += 1
                self._arrive(arrival, t0, now)
            # 2. move bytes, 3. finished transfers
            while multi.perform()[0] == pycurl.E_CALL_MULTI_PERFORM:
                pass
            while True:
                queued, ok_list, err_list = multi.info_read()
                now = clock()
                for c in ok_list:
                    self._done(c, 0, now, t0)
                for c, errno, _message in err_list:
                    self._done(c, errno, now, t0)
                if not queued:
                    break
            # 4. books, guards, end
            elapsed = now - t0
            while closed_second < int(elapsed) and closed_second < stats.series.length:
                stats.series.set("in_flight", closed_second, self.in_flight)
                self._report_progress(closed_second)
                closed_second += 1
            stats.max_in_flight = max(stats.max_in_flight, self.in_flight)
            if now >= next_consent:
                next_consent = now + consent.CHECK_INTERVAL_S
                self._check_consent()
            if self.registration is not None and self.registration.stop_requested():
                self.stop.set("kill switch")
            if self.stop.reason:
                outcome.stopped_by = self.stop.reason
                break
            finished_arrivals = not more and position >= len(batch)
            if finished_arrivals and (self.in_flight == 0 or now >= drain_deadline):
                break
            # 5. wait for a socket or the next arrival
            wait = MAX_WAIT_S
            if position < len(batch):
                wait = min(wait, t0 + batch[position][1] - clock())
            if wait > 0:
                curl_wait = multi.timeout()
                if curl_wait >= 0:
                    wait = min(wait, curl_wait / 1000)
                running = bool(self.active or self._consent_pending)
                if wait > 0 and (not running or multi.select(wait) <= 0):
                    # no transfer (libcurl's select returns at once without sockets) or a
                    # select that ended early without activity: sleep the rest ourselves
                    remaining = wait - (clock() - now) if running else wait
                    if remaining > 0:
                        time.sleep(remaining)
        outcome.in_flight_at_end = self.in_flight
        self._abandon(clock(), t0)
        outcome.ended_at = time.time()
        last = min(int(clock() - t0), stats.series.length - 1)
        while closed_second <= last:
            stats.series.set("in_flight", closed_second, self.in_flight)
            self._report_progress(closed_second)
            closed_second += 1
        return outcome

    def _abandon(self, now: float, t0: float) -> None:
        """End the journeys still in flight as ``unfinished`` and free every handle."""
        for c in list(self._consent_pending):
            self.multi.remove_handle(c)
            c.close()
        self._consent_pending.clear()
        abandoned = len(self.active)
        for c in list(self.active):
            self.multi.remove_handle(c)
            self._finish(c.user, now, t0, "unfinished")
        for c in self.free:
            c.close()
        self.free = []
        self.multi.close()
        if abandoned:
            log.info("%d journeys were still in flight at the end", abandoned)

    def _report_progress(self, second: int) -> None:
        if self.progress is None:
            return
        series = self.stats.series.values
        window = self.window
        encoded = window.encode().decode("ascii") if window is not None else ""
        if window is not None:
            window.reset()
        self.progress(
            {
                "second": second,
                "asked": series["asked"][second],
                "achieved": series["achieved"][second],
                "completed": series["completed"][second],
                "failed": series["failed"][second],
                "in_flight": self.in_flight,
                "latency": encoded,
            }
        )

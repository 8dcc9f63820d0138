"""The open-model engine of one process: libcurl's multi interface driven by the schedule.

Arrivals start when the schedule says, whatever the target does. Each takes a libcurl easy
handle for its whole journey (its cookie engine is the virtual user's jar, emptied for the next
user) and runs its scenario's generator one request at a time. Arrivals that find
``max_in_flight`` journeys running are refused and counted in bulk by the schedule's cursor
(:mod:`entdrill.flood.arrivals`): a saturated engine neither wakes for them nor spends a Python
step on each, so it keeps serving the journeys it has and its consent checks.

libcurl is driven through ``socket_action`` and ``epoll`` (:mod:`entdrill.flood.sockets`): a
wake-up costs in proportion to the sockets that are ready, not to the transfers in flight. At
most ``MAX_CONNECTIONS`` requests are in libcurl's hands at once; those beyond wait in the
engine's queue, in order, each timed from when it was due. Handles and the connections of the
multi handle's pool are reused from journey to journey; a response body is kept only when the
scenario asked for it.

The loop, in order: dispatch the arrivals that are due, let libcurl start new transfers and
expire its timers, hand finished transfers to their journeys (whose next requests start at
once), close the per-second books, check consent and the kill switch, and wait for a socket,
libcurl's next timer or, when a journey may start, the next arrival. Redirects are not followed
by libcurl: scenarios follow them, within the allow-list.
"""

from __future__ import annotations

import collections
import gc
import logging
import time
from collections.abc import Callable

import pycurl

from entdrill.flood.arrivals import Arrival, Cursor
from entdrill.flood.consent_checks import ConsentChecks
from entdrill.flood.control import EngineOptions, Outcome, StopFlag, collector_held, raise_fd_limit
from entdrill.flood.handles import Handle, new_handle
from entdrill.flood.scenarios.base import Reply, Request, Scenario, ScenarioContext
from entdrill.flood.schedule import Schedule, Shard
from entdrill.flood.sockets import ACTIONS, SocketWatch
from entdrill.flood.stats import Recorder, Stats
from entdrill.guard import consent
from entdrill.guard.killswitch import Registration

log = logging.getLogger(__name__)

__all__ = ["Engine", "EngineOptions", "Outcome", "StopFlag"]

MAX_CONNECTIONS = 1000  # requests beyond wait in the engine's queue, timed from when they were due
CONSENT_CONNECTIONS = 8  # room left for the consent checks beyond MAX_CONNECTIONS
FD_RESERVE = 64  # file descriptors left for everything but libcurl's connections
MAX_WAIT_S = 0.02  # the loop wakes at least this often (stop flags, seconds, consent)
BOOKS_INTERVAL_S = 0.01  # per-second books, consent and the kill switch: checked this often
PRECISE_WAIT_S = 0.002  # an arrival due sooner is waited for to the microsecond

Progress = Callable[[dict[str, object]], None]
_RESPONSE_CODE, _REDIRECT_URL = pycurl.RESPONSE_CODE, pycurl.REDIRECT_URL
_URL, _POSTFIELDS, _HTTPGET = pycurl.URL, pycurl.POSTFIELDS, pycurl.HTTPGET
_reply = tuple.__new__  # Reply(status, location, body) without NamedTuple's Python-level __new__


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
        self.sockets = SocketWatch()
        self.multi = pycurl.CurlMulti()
        self.multi.setopt(pycurl.M_SOCKETFUNCTION, self.sockets.on_socket)
        # handles between journeys, with and without a cookie jar (free[True], free[False])
        self.free: tuple[list[Handle], list[Handle]] = ([], [])
        self.flying: dict[pycurl.Curl, Handle] = {}  # handles in use (each carries its journey)
        # libcurl gets at most ``slots`` transfers at once; the others wait here, in order (its
        # own queue searches its whole connection pool for each of them, again and again)
        self.slots = MAX_CONNECTIONS
        self.in_curl = 0
        self.queue: collections.deque[Handle] = collections.deque()
        self._timeout_ms = int(options.timeout_s * 1000)
        self.in_flight = 0
        self.consent = ConsentChecks(
            self.multi, options.consent_token, options.consent_origins, self._new_handle
        )
        self._runs = [s.run for s in scenarios]
        self._jars = [s.keeps_cookies for s in scenarios]
        self.window = Recorder() if progress is not None else None
        self._login_steps = [frozenset(s.login_steps) for s in scenarios]
        series = self.stats.series.values
        self._achieved, self._completed = series["achieved"], series["completed"]

    # -- requests ----------------------------------------------------------------------------
    def _new_handle(self, jar: bool = True) -> Handle:
        return new_handle(self._timeout_ms, int(min(self.options.timeout_s, 5.0) * 1000), jar=jar)

    def _send(self, handle: Handle, request: Request, now: float) -> None:
        """Set ``handle`` up for ``request`` (options only where they change: libcurl keeps
        them from one transfer to the next) and hand it to libcurl, or to the queue."""
        handle.step = request.step
        handle.step_start = now
        handle.want_body = request.want_body
        c = handle.curl
        if handle.chunks:
            handle.chunks.clear()
        url = request.url
        if url != handle.url:
            c.setopt(_URL, url)
            handle.url = url
        if request.clear_cookies and handle.cookies:
            handle.forget_cookies()
        if request.body is not None:
            c.setopt(_POSTFIELDS, request.body)
            handle.posted = True
        elif handle.posted:
            c.setopt(_HTTPGET, 1)
            handle.posted = False
        if self.in_curl < self.slots and not self.queue:
            if handle.timeout_ms != self._timeout_ms:
                handle.set_timeout(self._timeout_ms)
            self.in_curl += 1
            self.multi.add_handle(c)
        else:
            self.queue.append(handle)

    def _start_queued(self, now: float, t0: float) -> None:
        """Hand waiting requests to libcurl while it has room; each keeps its own deadline."""
        queue = self.queue
        while queue and self.in_curl < self.slots:
            handle = queue.popleft()
            remaining_ms = self._timeout_ms - int((now - handle.step_start) * 1000)
            if remaining_ms <= 0:
                self._finish(handle, now, t0, "timeout")
                continue
            handle.set_timeout(remaining_ms)
            self.in_curl += 1
            self.multi.add_handle(handle.curl)

    # -- journeys ----------------------------------------------------------------------------
    def _dispatch(self, cursor: Cursor, now: float, t0: float) -> None:
        """Start the arrivals that are due; once ``max_in_flight`` is reached, refuse the rest
        at once (the cursor counts them from the schedule)."""
        until = now - t0
        limit = self.options.max_in_flight
        arrive = self._arrive
        while cursor.due <= until:
            if self.in_flight >= limit:
                cursor.refuse(until)
                return
            arrive(cursor.take(), t0, now)

    def _arrive(self, arrival: Arrival, t0: float, now: float) -> None:
        _, offset, scenario, draw = arrival
        intended = t0 + offset
        stats = self.stats
        second = int(now - t0)
        if second < len(self._achieved):
            self._achieved[second] += 1
        else:
            stats.series.add("achieved", second)
        scenario_stats = stats.scenarios[scenario]
        scenario_stats.started += 1
        stats.dispatch_lag.record(int((now - intended) * 1e6))
        gen = self._runs[scenario](self.ctx, draw)
        request = next(gen)
        jar = self._jars[scenario]
        free = self.free[jar]
        handle = free.pop() if free else self._new_handle(jar)
        if handle.cookies:  # the last user's
            handle.forget_cookies()
        handle.gen = gen
        handle.scenario = scenario
        handle.intended = intended
        handle.steps = scenario_stats.steps
        handle.logged = False
        self.flying[handle.curl] = handle
        self.in_flight += 1
        if self.in_flight > stats.max_in_flight:
            stats.max_in_flight = self.in_flight
        self._send(handle, request, intended)

    def _finish(self, handle: Handle, now: float, t0: float, cause: str | None) -> None:
        del self.flying[handle.curl]
        handle.gen = None
        self.free[handle.jar].append(handle)
        self.in_flight -= 1
        journey_us = int((now - handle.intended) * 1e6)
        scenario = handle.scenario
        if cause is None:
            if self._login_steps[scenario] and not handle.logged:
                self.stats.login_done(scenario, journey_us)
            second = int(now - t0)
            stats = self.stats.scenarios[scenario]
            stats.completed += 1
            if second < len(self._completed):
                self._completed[second] += 1
            else:
                self.stats.series.add("completed", second)
            if stats.journey is not None:
                stats.journey.record(journey_us)
            if self.window is not None:
                self.window.record(journey_us)
        else:
            self.stats.finished(scenario, int(now - t0), handle.step, cause, journey_us)

    def _done(self, c: pycurl.Curl, errno: int, now: float, t0: float) -> None:
        self.multi.remove_handle(c)
        handle = self.flying.get(c)
        if handle is None:
            stop_reason = self.consent.done(c, errno, now)
            if stop_reason:
                self.stop.set(stop_reason)
            return
        self.in_curl -= 1
        if errno:
            cause = "timeout" if errno == pycurl.E_OPERATION_TIMEDOUT else "connection"
            self._finish(handle, now, t0, cause)
            return
        status = c.getinfo(_RESPONSE_CODE)
        latency_us = int((now - handle.step_start) * 1e6)
        recorder = handle.steps.get(handle.step)
        if recorder is None:
            self.stats.scenarios[handle.scenario].step(handle.step, latency_us)
        else:
            recorder.record(latency_us)
        if status >= 500:
            self._finish(handle, now, t0, "http_5xx")
            return
        if status == 429:
            self._finish(handle, now, t0, "http_429")
            return
        location = (c.getinfo(_REDIRECT_URL) or "") if 300 <= status < 400 else ""
        handle.cookies = handle.jar
        body = b"".join(handle.chunks) if handle.want_body else b""
        gen = handle.gen
        assert gen is not None
        try:
            request = gen.send(_reply(Reply, (status, location, body)))
        except StopIteration as end:
            self._finish(handle, now, t0, end.value)
            return
        logins = self._login_steps[handle.scenario]
        if logins and not handle.logged and request.step not in logins:
            handle.logged = True
            self.stats.login_done(handle.scenario, int((now - handle.intended) * 1e6))
        self._send(handle, request, now)

    def _collect(self, t0: float) -> int:
        """Hand every finished transfer to its journey; return how many there were."""
        clock = time.perf_counter
        finished = 0
        while True:
            queued, ok_list, err_list = self.multi.info_read()
            if not ok_list and not err_list:
                return finished
            now = clock()
            for c in ok_list:
                self._done(c, 0, now, t0)
            for c, errno, _message in err_list:
                self._done(c, errno, now, t0)
            if self.queue:
                self._start_queued(now, t0)
            finished += len(ok_list) + len(err_list)
            if not queued:
                return finished

    # -- the loop ----------------------------------------------------------------------------
    def run(self) -> Outcome:
        """Run the shard's schedule; the garbage collector is held off meanwhile (see
        :func:`collector_held`)."""
        with collector_held():
            return self._run()

    def _run(self) -> Outcome:
        fd_limit = raise_fd_limit()
        self.slots = max(1, min(self.options.max_in_flight, MAX_CONNECTIONS, fd_limit - FD_RESERVE))
        multi = self.multi
        multi.setopt(pycurl.M_MAX_TOTAL_CONNECTIONS, self.slots + CONSENT_CONNECTIONS)
        multi.setopt(pycurl.M_MAXCONNECTS, self.slots + CONSENT_CONNECTIONS)
        socket_action = multi.socket_action
        curl_timeout = multi.timeout
        sockets = self.sockets
        wait_precisely = sockets.precise_waiter()
        poll = sockets.epoll.poll
        parked = sockets.parked
        clock = time.perf_counter
        stats = self.stats
        stop = self.stop
        limit = self.options.max_in_flight
        cursor = Cursor(self.schedule.drawn_seconds(self.shard), len(self.scenarios), stats)
        t0 = clock() + self.options.start_delay_s
        outcome = Outcome(started_at=time.time() + self.options.start_delay_s)
        self.consent.monitor.started(t0)
        closed_second = 0
        next_books = t0
        next_consent = t0 + consent.CHECK_INTERVAL_S
        drain_deadline = t0 + self.schedule.duration_s + self.options.drain_s
        running = 0  # transfers libcurl runs, as its last socket_action said
        while True:
            now = clock()
            # 1. arrivals that are due (refused at once when no journey may start)
            if t0 + cursor.due <= now and not stop.reason:
                self._dispatch(cursor, now, t0)
            # 2. start the transfers added since (their timers are due at once); while libcurl
            # runs fewer transfers than it holds, some finished: hand them to their journeys,
            # whose next requests are new transfers to start in turn
            if curl_timeout() == 0:
                running = socket_action(pycurl.SOCKET_TIMEOUT, 0)[1]
            while running < self.in_curl + len(self.consent.pending):
                if not self._collect(t0):
                    break
                running = socket_action(pycurl.SOCKET_TIMEOUT, 0)[1]
            # 3. books and guards, a few times a second
            now = clock()
            if now >= next_books:
                next_books = now + BOOKS_INTERVAL_S
                closed_second = self._close_seconds(closed_second, now, t0)
                if now >= next_consent:
                    next_consent = now + consent.CHECK_INTERVAL_S
                    if self.options.consent_origins:
                        self.consent.start()
                if self.registration is not None and self.registration.stop_requested():
                    stop.set("kill switch")
            if stop.reason:
                outcome.stopped_by = stop.reason
                break
            if cursor.finished and (self.in_flight == 0 or now >= drain_deadline):
                break
            # 4. wait for a socket, libcurl's next timer or (when one may start) the next arrival
            wait = MAX_WAIT_S
            timer_ms = curl_timeout()
            if 0 <= timer_ms < wait * 1000:
                wait = timer_ms / 1000
            until_due = t0 + cursor.due - now
            if until_due < wait and self.in_flight < limit:
                if until_due < PRECISE_WAIT_S:
                    ready = wait_precisely(until_due)  # an arrival is next, to the microsecond
                else:  # one epoll_wait that ends a millisecond early at most, then precisely
                    ready = poll(int(until_due * 1000 - 1) / 1000)
            else:
                ready = poll(wait)  # rounded up to the millisecond: late by less than 1 ms
            for fd, events in ready:
                action = ACTIONS.get(events)
                if action is None or fd in parked:
                    running = sockets.ready(multi, fd, events, running)
                else:
                    running = socket_action(fd, action)[1]
        outcome.in_flight_at_end = self.in_flight
        self._abandon(clock(), t0)
        outcome.ended_at = time.time()
        self._close_seconds(closed_second, clock(), t0, last=True)
        return outcome

    def _close_seconds(self, closed: int, now: float, t0: float, *, last: bool = False) -> int:
        """Close the books of the seconds from ``closed`` to the one before ``now`` (with
        ``last``, the one in course too, and every latency is flushed whatever was closed);
        return the next second to close.

        Closing a second flushes the latencies to their histograms, sets its ``in_flight``,
        reports its progress line and, during the run, collects the young generations (what the
        storm allocated since: the collector is held off, see :func:`collector_held`).
        """
        stats = self.stats
        elapsed = min(int(now - t0) + (1 if last else 0), stats.series.length)
        if closed >= elapsed:
            if last:
                stats.flush()
            return closed
        stats.flush()
        while closed < elapsed:
            stats.series.set("in_flight", closed, self.in_flight)
            self._report_progress(closed)
            closed += 1
        if not last:
            gc.collect(1)
        return closed

    def _abandon(self, now: float, t0: float) -> None:
        """End the journeys still in flight as ``unfinished`` and free every handle."""
        self.consent.abandon()
        abandoned = len(self.flying)
        waiting = {handle.curl for handle in self.queue}
        self.queue.clear()
        for c, handle in list(self.flying.items()):
            if c not in waiting:
                self.multi.remove_handle(c)
            self._finish(handle, now, t0, "unfinished")
        for free in self.free:
            for handle in free:
                handle.curl.close()
            free.clear()
        self.multi.close()
        self.sockets.close()
        if abandoned:
            log.info("%d journeys were still in flight at the end", abandoned)

    def _report_progress(self, second: int) -> None:
        if self.progress is not None:
            self.progress(self.stats.progress_line(second, self.in_flight, self.window))

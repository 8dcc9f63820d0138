"""The simulated staff: every teacher and staff member reading Slack, mail, SMS and Matrix,
answering drills.

About every half second the process polls what reached each person (:mod:`staff_channels`,
:mod:`staff_matrix`: on Matrix each person's own client long-polls and accepts invitations),
decides with the pure model (:mod:`staff_profile`) who acknowledges what, when and how, and
answers when due: a Slack or Matrix reaction or thread reply with the person's own token, a mail reply
through the SMTP server, an SMS reply through the gateway's inbound endpoint. A component that
is down is logged (once per change) and polled again; an answer that fails is retried with
backoff, at most :data:`MAX_ATTEMPTS` times. Answers given are appended to
``<sandbox>/staff-acks.jsonl``, so a restarted process does not answer twice.

HTTP on ``config.staff_port`` (``Authorization: Bearer <admin_token>`` for ``/people``)::

    GET /people[?username=u]  -> {"seed", "median_s", "people": [
        {"username", "name", "role", "title", "school", "slack_id", "matrix_id", "email", "phone",
         "profile": {"username", "silent", "channels", "slack_style", "speed"},
         "received": [{"channel", "ref", "at", "sent_at", "asks_ack", "text"}],
         "acknowledged": [{"channel", "ref", "at", "how", "text", "delay_s"}],
         "failed": [{"channel", "ref", "at", "error"}]}]}
    plus /_health (with each source's state and pending answers), /_admin/faults, /metrics.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from entdrill import redact
from entdrill.population import Person, read_csv
from entdrill.sandbox import faults
from entdrill.sandbox.component import ComponentContext
from entdrill.sandbox.http import run_app
from entdrill.sandbox.metrics import Metrics
from entdrill.sandbox.staff_channels import (
    HTTP_TIMEOUT_S,
    MailSide,
    PermanentFailure,
    SlackSide,
    SmsSide,
    TransientFailure,
)
from entdrill.sandbox.staff_matrix import MatrixSide
from entdrill.sandbox.staff_profile import (
    Arrival,
    PlannedAck,
    StaffProfile,
    asks_for_acknowledgement,
    build_profiles,
    plan_ack,
    simulated,
)

log = logging.getLogger(__name__)

POLL_S = 0.5
SOURCES = ("slack", "email", "sms", "matrix")
MAX_ATTEMPTS = 4
BACKOFF_S = 1.0
PLAUSIBLE_PAST_S = 3600.0  # a sent time further back than this is not trusted


@dataclass
class PersonRecord:
    person: Person
    profile: StaffProfile
    received: list[dict[str, Any]] = field(default_factory=list)
    acknowledged: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        p = self.person
        return {
            "username": p.username,
            "name": p.name,
            "role": p.role,
            "title": p.title,
            "school": p.school,
            "slack_id": p.slack_id,
            "matrix_id": p.matrix_id,
            "email": p.email,
            "phone": p.phone,
            "profile": self.profile.to_dict(),
            "received": list(self.received),
            "acknowledged": list(self.acknowledged),
            "failed": list(self.failed),
        }


class StaffSimulator:
    """The polling loop, the schedule of answers and what each person received and gave."""

    def __init__(
        self,
        ctx: ComponentContext,
        people: list[Person],
        session: aiohttp.ClientSession,
        *,
        metrics: Metrics,
        clock: Callable[[], float] = time.time,
        poll_s: float = POLL_S,
    ) -> None:
        self.ctx = ctx
        self.clock = clock
        self.poll_s = poll_s
        self.metrics = metrics
        staff = simulated(people)
        profiles = build_profiles(staff, ctx.config.seed, ctx.config.staff_silent_share)
        self.records = {p.username: PersonRecord(p, profiles[p.username]) for p in staff}
        self.slack = SlackSide(ctx, session, staff)
        self.mail = MailSide(ctx, staff)
        self.sms = SmsSide(ctx, session, staff)
        self.matrix = MatrixSide(ctx, session, staff, profiles)
        self.sources = dict.fromkeys(SOURCES, "not polled yet")
        self.schedule: list[tuple[float, int, PlannedAck]] = []
        self.counter = itertools.count()
        self.in_flight: set[asyncio.Task[None]] = set()
        self.journal = ctx.directory / "staff-acks.jsonl"
        self.done = load_journal(self.journal)

    # -- polling --------------------------------------------------------------------------

    async def run(self) -> None:
        while True:
            await self.poll_once()
            self.fire_due()
            await asyncio.sleep(self.poll_s)

    async def poll_once(self) -> None:
        results = await asyncio.gather(
            self.slack.arrivals(),
            asyncio.to_thread(self.mail.arrivals),
            self.sms.arrivals(),
            self.matrix.arrivals(),
            return_exceptions=True,
        )
        for source, result in zip(SOURCES, results, strict=True):
            if isinstance(result, BaseException):
                if isinstance(result, asyncio.CancelledError):
                    raise result
                self.source_state(source, f"error: {type(result).__name__}: {result}")
                continue
            self.source_state(source, "ok")
            for arrival in result:
                self.receive(arrival)

    def source_state(self, source: str, state: str) -> None:
        if self.sources[source] != state:
            level = logging.INFO if state == "ok" else logging.WARNING
            log.log(level, "reading %s: %s", source, redact.redact(state))
            self.sources[source] = state

    def receive(self, arrival: Arrival) -> None:
        record = self.records.get(arrival.username)
        if record is None:
            return
        now = self.clock()
        asks = asks_for_acknowledgement(arrival.text)
        record.received.append(
            {
                "channel": arrival.channel,
                "ref": arrival.ref,
                "at": now,
                "sent_at": arrival.sent_at,
                "asks_ack": asks,
                "text": arrival.text[:200],
            }
        )
        self.metrics.inc("staff_received_total", channel=arrival.channel)
        if (arrival.username, arrival.ref) in self.done:
            return
        if not now - PLAUSIBLE_PAST_S <= arrival.sent_at <= now + 5:
            arrival = Arrival(**{**arrival.__dict__, "sent_at": now})
        person = record.person
        own = {person.slack_id, person.email.lower(), person.phone, person.matrix_id} - {""}
        planned = plan_ack(
            self.ctx.config.seed,
            record.profile,
            arrival,
            self.ctx.config.staff_ack_median_s,
            own_ids=own,
        )
        if planned is not None:
            heapq.heappush(self.schedule, (planned.due_at, next(self.counter), planned))

    # -- answering ------------------------------------------------------------------------

    def fire_due(self) -> None:
        now = self.clock()
        while self.schedule and self.schedule[0][0] <= now:
            _, _, planned = heapq.heappop(self.schedule)
            task = asyncio.create_task(self.answer(planned))
            self.in_flight.add(task)
            task.add_done_callback(self.in_flight.discard)

    async def answer(self, planned: PlannedAck) -> None:
        arrival = planned.arrival
        record = self.records[arrival.username]
        error = ""
        for attempt in range(MAX_ATTEMPTS):
            try:
                await self.send(record.person, planned)
            except TransientFailure as failure:
                error = str(failure)
                log.info(
                    "answer of %s on %s failed (%s)", record.person.username, arrival.channel, error
                )
                await asyncio.sleep(BACKOFF_S * 2**attempt)
                continue
            except PermanentFailure as failure:
                error = str(failure)
                break
            now = self.clock()
            record.acknowledged.append(
                {
                    "channel": arrival.channel,
                    "ref": arrival.ref,
                    "at": now,
                    "how": planned.how,
                    "text": planned.text,
                    "delay_s": round(now - arrival.sent_at, 3),
                }
            )
            self.metrics.inc("staff_acknowledged_total", channel=arrival.channel)
            self.remember(arrival, "acknowledged")
            return
        log.warning("%s gave up answering %s: %s", record.person.username, arrival.ref, error)
        record.failed.append(
            {"channel": arrival.channel, "ref": arrival.ref, "at": self.clock(), "error": error}
        )
        self.metrics.inc("staff_failed_total", channel=arrival.channel)
        self.remember(arrival, "failed")

    async def send(self, person: Person, planned: PlannedAck) -> None:
        arrival = planned.arrival
        if arrival.channel == "slack":
            await self.slack.answer(person, arrival, planned.how, planned.text)
        elif arrival.channel == "matrix":
            await self.matrix.answer(person, arrival, planned.how, planned.text)
        elif arrival.channel == "email":
            await asyncio.to_thread(self.mail.answer, person, arrival, planned.text)
        else:
            await self.sms.answer(person, arrival, planned.text)

    def remember(self, arrival: Arrival, outcome: str) -> None:
        self.done.add((arrival.username, arrival.ref))
        line = {"username": arrival.username, "ref": arrival.ref, "outcome": outcome}
        try:
            with self.journal.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(line) + "\n")
        except OSError as error:
            log.warning("cannot write %s: %s", self.journal, error.strerror)

    # -- views ----------------------------------------------------------------------------

    def people(self, username: str = "") -> list[dict[str, Any]]:
        return [r.to_dict() for name, r in self.records.items() if not username or name == username]

    def health(self) -> dict[str, Any]:
        return {
            "people": len(self.records),
            "sources": dict(self.sources),
            "pending": len(self.schedule) + len(self.in_flight),
        }


def load_journal(path: Path) -> set[tuple[str, str]]:
    """The (username, ref) answered or given up by an earlier run of the process."""
    done: set[tuple[str, str]] = set()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return done
    for line in lines:
        with contextlib.suppress(ValueError, KeyError, TypeError):
            entry = json.loads(line)
            done.add((str(entry["username"]), str(entry["ref"])))
    return done


SIMULATOR = web.AppKey("staff_simulator", StaffSimulator)


class StaffComponent:
    """The simulated staff's lifetime (they act while the app runs) and the app's handlers."""

    def __init__(
        self, ctx: ComponentContext, people: list[Person], metrics: Metrics, poll_s: float
    ) -> None:
        self.ctx = ctx
        self.people = people
        self.metrics = metrics
        self.poll_s = poll_s
        self.simulator: StaffSimulator | None = None  # while the app runs

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/people", self.get_people)]

    async def simulate(self, app: web.Application) -> AsyncIterator[None]:
        """Run the simulated staff while the app runs; cancel what they were doing at the end."""
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=HTTP_TIMEOUT_S))
        simulator = StaffSimulator(
            self.ctx, self.people, session, metrics=self.metrics, poll_s=self.poll_s
        )
        self.simulator = simulator
        task = asyncio.create_task(simulator.run())
        try:
            yield
        finally:
            for running in [task, *simulator.in_flight]:
                running.cancel()
            await asyncio.gather(task, *simulator.in_flight, return_exceptions=True)
            await simulator.matrix.close()
            await session.close()

    def require_admin(self, request: web.Request) -> None:
        if not faults.admin_authorized(request, self.ctx.secrets.admin_token):
            raise web.HTTPUnauthorized(
                text='{"error": "admin token missing or wrong"}', content_type="application/json"
            )

    async def get_people(self, request: web.Request) -> web.Response:
        self.require_admin(request)
        assert self.simulator is not None  # requests are served only while it runs
        return web.json_response(
            {
                "seed": self.ctx.config.seed,
                "median_s": self.ctx.config.staff_ack_median_s,
                "people": self.simulator.people(request.query.get("username", "")),
            }
        )

    async def health(self) -> dict[str, Any]:
        return self.simulator.health() if self.simulator else {"starting": True}


def make_app(ctx: ComponentContext, *, poll_s: float = POLL_S) -> web.Application:
    """The staff application; serving it also runs the simulated staff."""
    secrets = ctx.secrets
    redact.register(secrets.admin_token, secrets.smtp_password, secrets.user_token_key)
    metrics = Metrics(ctx.name)
    component = StaffComponent(ctx, read_csv(ctx.population_csv), metrics, poll_s)
    app = web.Application()
    app.cleanup_ctx.append(component.simulate)
    app.add_routes(component.routes())
    faults.install(app, ctx, faults.MemoryFaultStore(), metrics, health=component.health)
    return app


async def run(ctx: ComponentContext) -> None:
    """Run the simulated staff and serve ``/people`` on ``ctx.config.staff_port`` until SIGTERM."""
    await run_app(make_app(ctx), ctx)

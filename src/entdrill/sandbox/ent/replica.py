"""One ENT replica process: everything its CAS and portal handlers share, wired from the context.

Building a replica reads the population, calibrates the password cost and opens the shared store;
it takes milliseconds, so tests can start replicas freely.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections import defaultdict
from dataclasses import dataclass, field

import aiohttp

from entdrill import population
from entdrill.errors import SandboxError
from entdrill.population import Person
from entdrill.sandbox.component import ComponentContext
from entdrill.sandbox.ent.admission import LoginPool
from entdrill.sandbox.ent.passwords import PasswordVerifier, calibrate
from entdrill.sandbox.ent.services import ServiceRegistry
from entdrill.sandbox.ent.sessions import SessionState, SharedFaultStore
from entdrill.sandbox.ent.store import EntStore, open_store
from entdrill.sandbox.metrics import Metrics

log = logging.getLogger(__name__)

#: Outcomes of ``POST /cas/login`` counted in ``ent_logins_total``.
LOGIN_OUTCOMES = ("success", "rejected", "overloaded", "invalid_execution")
#: Portal pages counted in ``ent_portal_pages_total``.
PORTAL_PAGES = ("home", "homework", "messages")


@dataclass
class Replica:
    """The state of one ENT replica process (its shared parts live in ``store``)."""

    ctx: ComponentContext
    store: EntStore
    state: SessionState
    faults: SharedFaultStore
    metrics: Metrics
    people: dict[str, Person]
    verifier: PasswordVerifier
    pool: LoginPool
    registry: ServiceRegistry
    teachers: dict[str, list[Person]] = field(default_factory=dict)
    school_staff: dict[str, list[Person]] = field(default_factory=dict)
    client: aiohttp.ClientSession | None = None  # server-to-server calls; opened at start-up

    @property
    def name(self) -> str:
        return self.ctx.name

    def count_login(self, outcome: str) -> None:
        self.metrics.inc("ent_logins_total", outcome=outcome, replica=self.name)

    def count_page(self, page: str) -> None:
        self.metrics.inc("ent_portal_pages_total", page=page, replica=self.name)

    def count_validation(self, result: str) -> None:
        self.metrics.inc("ent_validations_total", result=result, replica=self.name)

    def pool_changed(self, pool: LoginPool) -> None:
        self.metrics.gauge("ent_logins_in_flight", pool.running, replica=self.name)
        self.metrics.gauge("ent_login_queue_depth", pool.waiting, replica=self.name)
        self.metrics.gauge("ent_login_limit", pool.limit, replica=self.name)

    def health(self) -> dict[str, object]:
        """What ``/_health`` adds: who answers, the store, the login capacity right now."""
        body: dict[str, object] = {
            "replica": self.name,
            "pid": os.getpid(),
            "store": self.store.backend,
            "login_iterations": self.verifier.iterations,
            "logins_in_flight": self.pool.running,
            "login_queue_depth": self.pool.waiting,
            "login_limit": self.pool.limit,
        }
        try:
            self.store.ping()
            body["store_ok"] = True
        except Exception as error:  # health reports the failure instead of failing
            body.update(ok=False, store_ok=False, store_error=type(error).__name__)
        return body

    def close(self) -> None:
        self.pool.close()
        self.store.close()


def build(ctx: ComponentContext) -> Replica:
    """Wire a replica: population, calibrated verifier, login pool, shared store, metrics."""
    config = ctx.config
    people = population.read_csv(ctx.population_csv)
    iterations = calibrate(config.login_cost_ms)
    verifier = PasswordVerifier(people, iterations)
    people = [dataclasses.replace(p, password="") for p in people]  # only the verifier needs them
    store = open_store(config, ctx.store_path)
    try:
        store.ping()
    except Exception as error:  # any backend failure means the same: no shared state, no ENT
        store.close()
        raise SandboxError(
            f"{ctx.name} cannot reach its session store ({store.backend}): "
            f"{type(error).__name__}: {error}"
        ) from error
    state = SessionState(
        store, ctx.name, ticket_ttl_s=config.ticket_ttl_s, session_ttl_s=config.session_ttl_s
    )
    faults = SharedFaultStore(store)
    metrics = Metrics(ctx.name)
    pool = LoginPool(
        config.ent_workers,
        config.ent_queue,
        config.login_cost_ms,
        capacity_override=lambda: faults.get().capacity,
    )
    teachers: dict[str, list[Person]] = defaultdict(list)
    school_staff: dict[str, list[Person]] = defaultdict(list)
    for person in people:
        if person.role == "teacher":
            teachers[person.school].append(person)
        elif person.role == "staff":
            school_staff[person.school].append(person)
    replica = Replica(
        ctx=ctx,
        store=store,
        state=state,
        faults=faults,
        metrics=metrics,
        people=population.by_username(people),
        verifier=verifier,
        pool=pool,
        registry=ServiceRegistry(config.ent_url),
        teachers=dict(teachers),
        school_staff=dict(school_staff),
    )
    pool.on_change = replica.pool_changed
    for outcome in LOGIN_OUTCOMES:
        metrics.inc("ent_logins_total", 0, outcome=outcome, replica=ctx.name)
    for page in PORTAL_PAGES:
        metrics.inc("ent_portal_pages_total", 0, page=page, replica=ctx.name)
    metrics.inc("ent_session_flushes_total", 0, replica=ctx.name)
    replica.pool_changed(pool)
    log.info(
        "%s: %d people, %d PBKDF2 iterations per login (about %.1f ms), store %s",
        ctx.name,
        len(verifier),
        iterations,
        config.login_cost_ms,
        store.backend,
    )
    return replica

"""How much of a sandbox ENT login is the deliberate password cost, and what the store costs.

Run from the repository root: ``.venv/bin/python bench/ent_login.py``. It prints

1. the shared store's cost per operation (put, get, take), SQLite against Redis;
2. the mean time of a full CAS login (GET the form, POST it: execution, PBKDF2 check, TGT,
   ticket) on one replica with ``login_cost_ms=20`` against the same replica with
   ``login_cost_ms=0``, and the share of a login the password check takes;
3. the login throughput of 2 replicas under 8 concurrent clients (the clients run on the same
   cores), against the ceiling the cores allow at 20 ms of CPU per login.

Everything runs on 127.0.0.1 with free ports. Numbers depend on the machine; the ratios are the
point.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from entdrill.sandbox.ent.redis_store import RedisStore
from entdrill.sandbox.ent.sqlite_store import SqliteStore
from entdrill.sandbox.ent.store import EntStore
from entdrill.testing import free_config
from tests.sandbox.ent.helpers import (
    REDIS_URL,
    Browser,
    EntProcesses,
    parse_form,
    redis_available,
)

STORE_OPS = 3000
SEQUENTIAL_LOGINS = 100
CONCURRENT_CLIENTS = 8
THROUGHPUT_S = 5.0


def store_cost_us(store: EntStore) -> float:
    started = time.perf_counter()
    for i in range(STORE_OPS):
        store.put("ticket", f"ST-{i}", "someone", 60)
        store.get("ticket", f"ST-{i}")
        store.take("ticket", f"ST-{i}")
    return (time.perf_counter() - started) / (3 * STORE_OPS) * 1e6


def login(ent: EntProcesses, username: str, password: str) -> int:
    browser = Browser(ent.base)
    service = quote(f"{ent.base}/", safe="")
    form = parse_form(browser.get(f"/cas/login?service={service}").body)
    fields = {**form.fields, "username": username, "password": password}
    return browser.request("POST", form.action or "", form=fields).status


def mean_login_ms(ent: EntProcesses) -> float:
    people = [p for p in ent.people() if p.role == "pupil"]
    for person in people[:5]:  # warm up
        login(ent, person.username, person.password)
    started = time.perf_counter()
    for i in range(SEQUENTIAL_LOGINS):
        person = people[i % len(people)]
        assert login(ent, person.username, person.password) == 302
    return (time.perf_counter() - started) / SEQUENTIAL_LOGINS * 1000


def throughput(ent: EntProcesses) -> float:
    people = [p for p in ent.people() if p.role == "pupil"]
    done = [0] * CONCURRENT_CLIENTS
    stop_at = time.monotonic() + THROUGHPUT_S

    def client(index: int) -> None:
        i = index
        while time.monotonic() < stop_at:
            person = people[i % len(people)]
            if login(ent, person.username, person.password) == 302:
                done[index] += 1
            i += CONCURRENT_CLIENTS

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CONCURRENT_CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / THROUGHPUT_S


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_us = store_cost_us(SqliteStore(Path(tmp) / "bench.db"))
        print(f"store, SQLite: {sqlite_us:.1f} us per operation")
        if redis_available():
            namespace = f"entdrill-bench-{uuid.uuid4().hex}"
            redis_store = RedisStore(REDIS_URL, namespace)
            redis_us = store_cost_us(redis_store)
            redis_store.drop_namespace()
            print(
                f"store, Redis:  {redis_us:.1f} us per operation ({redis_us / sqlite_us:.2f}x SQLite)"
            )

        results: dict[str, float] = {}
        for label, cost, replicas in (("cost 20 ms", 20.0, 1), ("cost 0 ms", 0.0, 1)):
            ent = EntProcesses.start(
                Path(tmp) / label.replace(" ", "-"),
                free_config(login_cost_ms=cost, replicas=replicas),
                replicas,
            )
            try:
                results[label] = mean_login_ms(ent)
            finally:
                ent.stop()
            print(f"login, 1 replica, {label}: {results[label]:.1f} ms mean (sequential)")
        share = (results["cost 20 ms"] - results["cost 0 ms"]) / results["cost 20 ms"]
        print(f"password check share of a login: {share:.0%}")

        ent = EntProcesses.start(
            Path(tmp) / "rate", free_config(login_cost_ms=20.0, replicas=2, ent_workers=2), 2
        )
        try:
            rate = throughput(ent)
        finally:
            ent.stop()
        cores = os.cpu_count() or 1
        ceiling = cores * 1000 / 20.0
        print(
            f"throughput, 2 replicas, {CONCURRENT_CLIENTS} clients: {rate:.0f} logins/s, "
            f"{rate / ceiling:.0%} of the {ceiling:.0f}/s that {cores} cores allow at 20 ms a login"
        )


if __name__ == "__main__":
    main()

"""The ENT store protocol, the same tests on both implementations (SQLite file, Redis server)."""

from __future__ import annotations

import multiprocessing
import random
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from entdrill.errors import InvalidConfig
from entdrill.sandbox.ent.redis_store import RedisStore
from entdrill.sandbox.ent.sessions import PortalSession, SessionState, SharedFaultStore
from entdrill.sandbox.ent.sqlite_store import SqliteStore
from entdrill.sandbox.ent.store import EntStore, open_store, redis_target
from entdrill.sandbox.faults import FaultSettings
from entdrill.testing import free_config
from tests.sandbox.ent.helpers import REDIS_URL, needs_redis


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=needs_redis)])
def store_spec(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(backend, where): a SQLite file path or a Redis namespace unique to this test."""
    if request.param == "sqlite":
        yield "sqlite", str(tmp_path / "ent-store.db")
        return
    namespace = f"entdrill-test-{uuid.uuid4().hex}"
    yield "redis", namespace
    RedisStore(REDIS_URL, namespace).drop_namespace()


def connect(spec: tuple[str, str]) -> EntStore:
    backend, where = spec
    return SqliteStore(Path(where)) if backend == "sqlite" else RedisStore(REDIS_URL, where)


def take_all(spec: tuple[str, str], rounds: list[list[str]], start: Any, results: Any) -> None:
    """One competing replica: each round, take every key it can, in its own order (own process)."""
    store = connect(spec)
    for keys in rounds:
        random.Random().shuffle(keys)
        start.wait(30)
        results.put([key for key in keys if store.take("ticket", key) is not None])
    store.close()


def test_put_get_and_delete_round_trip(store_spec: tuple[str, str]) -> None:
    store = connect(store_spec)
    store.put("session", "s1", "value-1", 60)
    assert store.get("session", "s1") == "value-1"
    store.put("session", "s1", "value-2", 60)
    assert store.get("session", "s1") == "value-2"
    assert store.get("tgt", "s1") is None
    assert store.delete("session", "s1") is True
    assert store.delete("session", "s1") is False
    assert store.get("session", "s1") is None


def test_take_returns_a_value_once(store_spec: tuple[str, str]) -> None:
    store = connect(store_spec)
    store.put("ticket", "ST-1", "alice", 60)
    assert store.take("ticket", "ST-1") == "alice"
    assert store.take("ticket", "ST-1") is None


def test_entries_expire_after_their_ttl(store_spec: tuple[str, str]) -> None:
    store = connect(store_spec)
    store.put("ticket", "ST-short", "bob", 0.2)
    store.put("ticket", "ST-long", "bob", 60)
    store.put("faults", "current", "{}", None)
    time.sleep(0.4)
    assert store.get("ticket", "ST-short") is None
    assert store.take("ticket", "ST-short") is None
    assert store.count("ticket") == 1
    assert store.get("ticket", "ST-long") == "bob"
    assert store.get("faults", "current") == "{}"


def test_unknown_kinds_are_refused(store_spec: tuple[str, str]) -> None:
    with pytest.raises(ValueError, match="unknown ENT store kind 'cookie'"):
        connect(store_spec).put("cookie", "k", "v", 1)


def test_lose_sessions_destroys_tgts_tickets_and_sessions_only(
    store_spec: tuple[str, str],
) -> None:
    store = connect(store_spec)
    for i in range(3):
        store.put("tgt", f"TGT-{i}", "u", 60)
        store.put("session", f"S-{i}", "{}", 60)
    store.put("ticket", "ST-live", "u", 60)
    store.put("ticket", "ST-dead", "u", 0.05)
    store.put("execution", "e1", "1", 60)
    store.put("faults", "current", "{}", None)
    time.sleep(0.2)
    assert store.lose_sessions() == 7
    assert [store.count(kind) for kind in ("tgt", "ticket", "session")] == [0, 0, 0]
    assert store.get("execution", "e1") == "1"
    assert store.get("faults", "current") == "{}"


def test_only_one_of_several_processes_takes_each_ticket(store_spec: tuple[str, str]) -> None:
    """Three processes race for the same tickets; several rounds, so that a round where the
    scheduler let one process run alone does not hide the race."""
    store = connect(store_spec)
    rounds = [[f"ST-{r}-{i}" for i in range(600)] for r in range(3)]
    for keys in rounds:
        for key in keys:
            store.put("ticket", key, "u", 60)
    context = multiprocessing.get_context("fork")  # children open their own store
    start, queue = context.Barrier(3), context.Queue()
    workers = [
        context.Process(target=take_all, args=(store_spec, rounds, start, queue)) for _ in "abc"
    ]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=60) for _ in range(3 * len(rounds))]
    for worker in workers:
        worker.join(timeout=10)
    won = [key for result in results for key in result]
    assert sorted(won) == sorted(key for keys in rounds for key in keys)  # each taken once
    winners_by_round = [
        sum(1 for result in results if result and result[0].startswith(f"ST-{r}-"))
        for r in range(len(rounds))
    ]
    assert max(winners_by_round) >= 2, f"the processes never competed: {winners_by_round}"


def test_session_state_keeps_typed_tickets_and_sessions(store_spec: tuple[str, str]) -> None:
    state = SessionState(connect(store_spec), "ent-9", ticket_ttl_s=5, session_ttl_s=60)
    ticket = state.new_ticket("alice", "http://127.0.0.1:1/", new_login=True)
    assert ticket.startswith("ST-") and ticket.endswith("-ent-9")
    record = state.take_ticket(ticket)
    assert record is not None
    assert (record.user, record.service, record.new_login) == ("alice", "http://127.0.0.1:1/", True)
    assert state.take_ticket(ticket) is None
    session = PortalSession("alice", "Alice Martin", "pupil", "lycee", "alice@ecole.test")
    assert state.session(state.new_session(session)) == session
    execution = state.new_execution()
    assert state.use_execution(execution) is True
    assert state.use_execution(execution) is False
    assert state.use_execution("") is False


def test_shared_fault_settings_reach_another_replica_within_the_cache_time(
    store_spec: tuple[str, str],
) -> None:
    one, two = SharedFaultStore(connect(store_spec)), SharedFaultStore(connect(store_spec))
    assert two.get() == FaultSettings()
    one.set(FaultSettings(latency_ms=250.0))
    assert one.get().latency_ms == 250.0
    time.sleep(0.25)
    assert two.get().latency_ms == 250.0


def test_a_redis_url_names_its_namespace_in_a_prefix_parameter() -> None:
    config = free_config(store_url="redis://127.0.0.1:6379/2?prefix=run-42&health_check_interval=5")
    assert redis_target(config) == ("redis://127.0.0.1:6379/2?health_check_interval=5", "run-42")
    default = free_config(store_url="redis://127.0.0.1:6379/0")
    assert redis_target(default)[1] == f"entdrill:ent:{default.ent_port}"
    with pytest.raises(InvalidConfig, match="prefix 'a\\*' must be"):
        redis_target(free_config(store_url="redis://127.0.0.1:6379/0?prefix=a*"))


def test_open_store_picks_sqlite_without_a_url(tmp_path: Path) -> None:
    store = open_store(free_config(), tmp_path / "s.db")
    assert store.backend == "sqlite"
    assert (tmp_path / "s.db").exists()
    store.close()

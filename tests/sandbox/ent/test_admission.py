"""A replica's login capacity is finite: past workers + queue it answers 503 with Retry-After."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest

from entdrill.sandbox.ent.admission import LoginPool, Overloaded
from entdrill.testing import free_config
from tests.sandbox.ent.helpers import Browser, EntProcesses, Reply, parse_form

CONCURRENT_LOGINS = 16


def test_concurrent_logins_beyond_workers_and_queue_get_503_with_retry_after(
    tmp_path: Path,
) -> None:
    config = free_config(ent_workers=1, ent_queue=1, login_cost_ms=150.0)
    ent = EntProcesses.start(tmp_path, config, replicas=1)
    try:
        people = [p for p in ent.people() if p.role == "pupil"][:CONCURRENT_LOGINS]
        service = quote(f"{ent.base}/", safe="")
        forms = []
        for person in people:
            browser = Browser(ent.base)
            form = parse_form(browser.get(f"/cas/login?service={service}").body)
            fields = {**form.fields, "username": person.username, "password": person.password}
            forms.append((browser, form.action or "", fields))
        barrier = threading.Barrier(len(forms))
        replies: list[Reply] = []

        def post(browser: Browser, action: str, fields: dict[str, str]) -> None:
            barrier.wait()
            replies.append(browser.request("POST", action, form=fields))

        threads = [threading.Thread(target=post, args=form) for form in forms]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        statuses = Counter(reply.status for reply in replies)
        assert set(statuses) <= {302, 503}, statuses
        assert statuses[503] >= 1, statuses
        assert statuses[302] >= 1, statuses
        for reply in replies:
            if reply.status == 503:
                assert int(reply.headers["Retry-After"]) >= 1
        metrics = Browser(ent.base).get("/metrics").body
        assert f'outcome="overloaded",replica="ent-1"}} {statuses[503]}' in metrics
    finally:
        ent.stop()


def test_a_refused_login_keeps_its_execution_so_the_client_can_retry() -> None:
    """Admission is decided before the execution is consumed (checked at the pool's seam)."""

    async def scenario() -> tuple[bool, int]:
        pool = LoginPool(workers=1, queue=0, cost_ms=100.0)
        started = threading.Event()
        release = threading.Event()

        def hold() -> None:
            started.set()
            release.wait(10)

        running = asyncio.create_task(pool.run(hold))
        await asyncio.to_thread(started.wait, 10)
        refused, retry = False, 0
        try:
            pool.check()
        except Overloaded as error:
            refused, retry = True, error.retry_after_s
        release.set()
        await running
        pool.check()  # admitted again once the work is done
        pool.close()
        return refused, retry

    refused, retry = asyncio.run(scenario())
    assert refused
    assert retry == 1


@pytest.mark.parametrize(("capacity", "admitted"), [(0, 0), (3, 3), (None, 5)])
def test_the_capacity_fault_overrides_workers_plus_queue(
    capacity: int | None, admitted: int
) -> None:
    pool = LoginPool(workers=2, queue=3, cost_ms=1.0, capacity_override=lambda: capacity)
    assert pool.limit == admitted
    pool.admitted = admitted
    with pytest.raises(Overloaded):
        pool.check()
    pool.close()


def test_running_and_waiting_split_what_was_admitted() -> None:
    pool = LoginPool(workers=2, queue=10, cost_ms=500.0)
    pool.admitted = 5
    assert (pool.running, pool.waiting) == (2, 3)
    assert pool.retry_after_s() == 2  # 5 logins x 0.5 s on 2 threads
    pool.close()

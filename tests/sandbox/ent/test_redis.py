"""The ENT with its shared state in Redis instead of SQLite: same flow, keys under a namespace."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from entdrill.sandbox.ent.redis_store import RedisStore
from entdrill.testing import free_config
from tests.sandbox.ent.helpers import (
    REDIS_URL,
    Browser,
    EntProcesses,
    needs_redis,
    portal_login,
    pupil,
)

pytestmark = needs_redis


@pytest.fixture(scope="module")
def redis_ent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EntProcesses, str]]:
    namespace = f"entdrill-test-{uuid.uuid4().hex}"
    config = free_config(store_url=f"{REDIS_URL}?prefix={namespace}")
    directory: Path = tmp_path_factory.mktemp("ent-redis")
    ents = EntProcesses.start(directory, config, replicas=2)
    yield ents, namespace
    ents.stop()
    RedisStore(REDIS_URL, namespace).drop_namespace()


def test_the_cas_flow_works_with_the_redis_store(redis_ent: tuple[EntProcesses, str]) -> None:
    ent, namespace = redis_ent
    health = json.loads(Browser(ent.base).get("/_health").body)
    assert health["store"] == "redis"
    assert health["store_ok"] is True
    person = pupil(ent.people(), 3)
    browser = Browser(ent.base)
    page = portal_login(browser, person)
    assert json.loads(page.body)["user"] == person.username
    client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    tgt = browser.cookies["TGC"][0]
    assert client.get(f"{namespace}:tgt:{tgt}") == person.username
    session = browser.cookies["ENTSESSION"][0]
    assert json.loads(client.get(f"{namespace}:session:{session}") or "{}")["user"] == (
        person.username
    )
    assert 0 < client.pttl(f"{namespace}:session:{session}") <= ent.config.session_ttl_s * 1000


def test_losing_the_redis_session_store_logs_everyone_out(
    redis_ent: tuple[EntProcesses, str],
) -> None:
    ent, namespace = redis_ent
    browser = Browser(ent.base)
    assert portal_login(browser, pupil(ent.people(), 4)).status == 200
    flushed = browser.request(
        "POST",
        "/_admin/sessions/flush",
        headers={"Authorization": f"Bearer {ent.admin_token}"},
    )
    assert json.loads(flushed.body)["lost"] >= 2
    client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    assert list(client.scan_iter(match=f"{namespace}:session:*")) == []
    assert browser.get("/homework").status == 302

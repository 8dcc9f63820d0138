"""Two ENT replicas as separate processes on one port (SO_REUSEPORT), sharing the SQLite store."""

from __future__ import annotations

import json
import time
from collections import Counter
from urllib.parse import quote

from tests.sandbox.ent.helpers import Browser, EntProcesses, Reply, parse_form, portal_login, pupil

POLL_LIMIT = 300


def admin(ent: EntProcesses, method: str, path: str, body: object = None) -> Reply:
    headers = {"Authorization": f"Bearer {ent.admin_token}"}
    return Browser(ent.base).request(method, path, json_body=body, headers=headers)


def test_both_replica_processes_answer_on_the_one_port(ent_pair: EntProcesses) -> None:
    seen: dict[str, int] = {}
    for _ in range(POLL_LIMIT):
        health = json.loads(Browser(ent_pair.base).get("/_health").body)
        seen[health["replica"]] = health["pid"]
        if len(seen) == 2:
            break
    assert set(seen) == {"ent-1", "ent-2"}
    assert set(seen.values()) == ent_pair.pids()


def test_a_login_on_fresh_connections_succeeds_whichever_replica_answers(
    ent_pair: EntProcesses,
) -> None:
    people = [p for p in ent_pair.people() if p.role in ("pupil", "parent")]
    crossed = 0
    for index in range(40):
        person = people[index % len(people)]
        browser = Browser(ent_pair.base)
        page = portal_login(browser, person)
        assert page.status == 200
        assert json.loads(page.body)["user"] == person.username
        replicas = [reply.replica for reply in browser.replies]
        assert set(replicas) <= {"ent-1", "ent-2"}
        if len(set(replicas)) == 2:
            crossed += 1
        if crossed >= 3 and index >= 5:
            break
    assert crossed >= 3, "no login had its steps answered by both replicas"


def test_a_fault_set_through_one_replica_applies_on_the_other(ent_pair: EntProcesses) -> None:
    put = admin(ent_pair, "PUT", "/_admin/faults", {"error_ratio": 1.0})
    assert put.status == 200, put.body
    setter = put.replica
    try:
        failed_on: Counter[str] = Counter()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(failed_on) < 2:
            reply = Browser(ent_pair.base).get("/cas/login")
            if reply.status == 500:
                failed_on[reply.replica] += 1
        assert set(failed_on) == {"ent-1", "ent-2"}, f"set on {setter}, failed on {failed_on}"
        assert "injected fault" in Browser(ent_pair.base).get("/").body
    finally:
        assert admin(ent_pair, "DELETE", "/_admin/faults").status == 200
    deadline = time.monotonic() + 10
    answered_on: set[str] = set()
    while time.monotonic() < deadline and len(answered_on) < 2:
        reply = Browser(ent_pair.base).get("/cas/login")
        if reply.status == 200:
            answered_on.add(reply.replica)
    assert answered_on == {"ent-1", "ent-2"}


def test_admin_endpoints_refuse_a_missing_or_wrong_token(ent_pair: EntProcesses) -> None:
    browser = Browser(ent_pair.base)
    assert browser.request("POST", "/_admin/sessions/flush").status == 401
    wrong = browser.request(
        "POST", "/_admin/sessions/flush", headers={"Authorization": "Bearer nope"}
    )
    assert wrong.status == 401
    assert browser.get("/_admin/sessions").status == 401


def test_losing_the_session_store_logs_everyone_out(ent_pair: EntProcesses) -> None:
    people = [p for p in ent_pair.people() if p.role == "teacher"][:3]
    browsers = [Browser(ent_pair.base) for _ in people]
    for browser, person in zip(browsers, people, strict=True):
        assert portal_login(browser, person, "/messages?format=json").status == 200
    counts = json.loads(admin(ent_pair, "GET", "/_admin/sessions").body)
    assert counts["tgt"] >= 3
    assert counts["session"] >= 3
    flushed = admin(ent_pair, "POST", "/_admin/sessions/flush")
    assert flushed.status == 200
    assert json.loads(flushed.body)["lost"] >= 6
    assert json.loads(admin(ent_pair, "GET", "/_admin/sessions").body) == {
        "tgt": 0,
        "ticket": 0,
        "session": 0,
    }
    service = quote(f"{ent_pair.base}/", safe="")
    for browser in browsers:
        page = browser.get("/messages?format=json")
        assert page.status == 302
        assert "/cas/login?service=" in page.location
        form = browser.get(f"/cas/login?service={service}")
        assert form.status == 200, "the TGC must no longer log anyone in"
    again = portal_login(Browser(ent_pair.base), people[0])
    assert again.status == 200


def test_metrics_count_logins_and_pages_with_the_replica_label(ent_pair: EntProcesses) -> None:
    browser = Browser(ent_pair.base)
    assert portal_login(browser, pupil(ent_pair.people(), 5)).status == 200
    totals: Counter[str] = Counter()
    seen: set[str] = set()
    for _ in range(POLL_LIMIT):
        reply = Browser(ent_pair.base).get("/metrics")
        if reply.replica in seen:
            continue
        seen.add(reply.replica)
        for line in reply.body.splitlines():
            if line.startswith("entdrill_sandbox_ent_") and f'replica="{reply.replica}"' in line:
                name_labels, value = line.rsplit(" ", 1)
                totals[name_labels.replace(reply.replica, "*")] += int(float(value))
        if len(seen) == 2:
            break
    assert seen == {"ent-1", "ent-2"}
    success = 'entdrill_sandbox_ent_logins_total{component="*",outcome="success",replica="*"}'
    assert totals[success] >= 1
    homework = 'entdrill_sandbox_ent_portal_pages_total{component="*",page="homework",replica="*"}'
    assert totals[homework] >= 1
    assert 'entdrill_sandbox_ent_login_queue_depth{component="*",replica="*"}' in totals
    assert 'entdrill_sandbox_ent_logins_in_flight{component="*",replica="*"}' in totals


def test_the_capacity_fault_refuses_logins_on_every_replica(ent_pair: EntProcesses) -> None:
    service = quote(f"{ent_pair.base}/", safe="")
    person = pupil(ent_pair.people(), 7)
    assert admin(ent_pair, "PUT", "/_admin/faults", {"capacity": 0}).status == 200
    try:
        refused_on: set[str] = set()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(refused_on) < 2:
            browser = Browser(ent_pair.base)
            form = parse_form(browser.get(f"/cas/login?service={service}").body)
            fields = {**form.fields, "username": person.username, "password": person.password}
            reply = browser.request("POST", form.action or "", form=fields)
            if reply.status == 503:
                assert reply.headers["Retry-After"] == "1"
                refused_on.add(reply.replica)
        assert refused_on == {"ent-1", "ent-2"}
    finally:
        assert admin(ent_pair, "DELETE", "/_admin/faults").status == 200

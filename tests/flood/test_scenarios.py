"""CAS and BBB scenarios against real (small) servers that behave like Apereo CAS and BBB."""

from __future__ import annotations

import csv
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from entdrill.flood.scenarios.base import resolve
from tests.flood.conftest import flood
from tests.flood.servers import JOINS, LOGINS, LiveServer, ServerState, bbb_app, cas_app

PEOPLE = {f"eleve{i}": f"secret-{i}" for i in range(20)} | {"prof1": "craie-1", "parent1": "p-1"}


def write_users(path: Path, people: dict[str, str], wrong: bool = False) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["username", "password", "role", "school"])
        for user, password in people.items():
            role = (
                "teacher"
                if user.startswith("prof")
                else "parent"
                if user.startswith("parent")
                else "pupil"
            )
            writer.writerow([user, password + ("x" if wrong else ""), role, "college"])
    return path


@pytest.fixture
def cas() -> Iterator[LiveServer]:
    with LiveServer(cas_app(ServerState(), PEOPLE)) as live:
        yield live


def test_pupil_login_runs_the_full_cas_flow_and_opens_an_app_page(
    cas: LiveServer, tmp_path: Path
) -> None:
    users = write_users(tmp_path / "users.csv", PEOPLE)
    report = flood(target=cas.url, scenario="pupil-login", users=str(users), rate=10, duration=1)
    scenario = report["scenarios"]["pupil-login"]
    assert report["errors"] == {}
    assert scenario["completed"] == 10
    assert len(cas.app[LOGINS]) == 10
    assert all(user.startswith("eleve") for user in cas.app[LOGINS])
    assert {s: scenario["steps"][s]["count"] for s in scenario["steps"]} == {
        "login-form": 10,
        "credentials": 10,
        "ticket": 20,  # the ticket URL, then the portal's redirect to itself
        "app-page": 10,
    }
    assert scenario["login"]["latency_ms"]["count"] == 10
    paths = [s.path for s in cas.state.load()]
    assert paths.count("/homework") == 10


def test_cookies_are_kept_per_virtual_user(cas: LiveServer, tmp_path: Path) -> None:
    users = write_users(tmp_path / "users.csv", PEOPLE)
    flood(target=cas.url, scenario="pupil-login", users=str(users), rate=15, duration=1)
    posts = [s for s in cas.state.seen if s.method == "POST"]
    flows = [s.cookies.get("JSESSIONID") for s in posts]
    assert len(posts) == 15 and None not in flows
    assert len(set(flows)) == 15  # one cookie jar per user, none shared
    homework = [s for s in cas.state.seen if s.path == "/homework"]
    assert len({s.cookies["PORTAL"] for s in homework}) == 15


def test_form_field_names_are_read_from_the_form(tmp_path: Path) -> None:
    app = cas_app(ServerState(), PEOPLE, user_field="j_username", password_field="j_password")
    with LiveServer(app) as live:
        users = write_users(tmp_path / "users.csv", PEOPLE)
        report = flood(
            target=live.url, scenario="teacher-login", users=str(users), rate=4, duration=1
        )
        assert report["scenarios"]["teacher-login"]["completed"] == 4
        assert live.app[LOGINS] == ["prof1"] * 4


def test_wrong_passwords_are_counted_as_login_rejected(cas: LiveServer, tmp_path: Path) -> None:
    users = write_users(tmp_path / "users.csv", PEOPLE, wrong=True)
    report = flood(target=cas.url, scenario="parent-login", users=str(users), rate=5, duration=1)
    assert report["errors"] == {"login_rejected": 5}
    assert report["scenarios"]["parent-login"]["steps"]["credentials"]["errors"] == {
        "login_rejected": 5
    }
    assert cas.app[LOGINS] == []


def test_credential_stuffing_is_rejected_and_keeps_no_cookies(
    cas: LiveServer, tmp_path: Path
) -> None:
    users = write_users(tmp_path / "users.csv", PEOPLE)
    report = flood(
        target=cas.url, scenario="credential-stuffing", users=str(users), rate=10, duration=1
    )
    assert report["scenarios"]["credential-stuffing"]["completed"] == 10
    assert report["errors"] == {}
    assert cas.app[LOGINS] == []
    posts = [s for s in cas.state.seen if s.method == "POST"]
    assert len(posts) == 10 and all(not s.cookies for s in posts)


def test_a_redirect_outside_the_allowed_hosts_is_not_followed(tmp_path: Path) -> None:
    app = cas_app(ServerState(), PEOPLE, portal_redirect="http://ent.example.invalid/portal")
    with LiveServer(app) as live:
        users = write_users(tmp_path / "users.csv", PEOPLE)
        report = flood(
            target=live.url, scenario="pupil-login", users=str(users), rate=3, duration=1
        )
        assert report["errors"] == {"redirect_refused": 3}
        assert report["scenarios"]["pupil-login"]["steps"]["ticket"]["errors"] == {
            "redirect_refused": 3
        }
        # nothing after the refused redirect reached the server
        assert [s.path for s in live.state.load()].count("/homework") == 0


def test_video_join_creates_and_joins_with_valid_checksums(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "bbb-shared-secret-1234"
    with LiveServer(bbb_app(ServerState(), secret)) as live:
        monkeypatch.setenv("ENTDRILL_BRIDGE_SECRET", secret)
        report = flood(
            target=live.url,
            bridge_url=live.url + "/bigbluebutton/api",
            scenario="video-join",
            rate=8,
            duration=1,
        )
        assert report["scenarios"]["video-join"]["completed"] == 8
        assert len(live.app[JOINS]) == 8
        monkeypatch.setenv("ENTDRILL_BRIDGE_SECRET", "not-the-secret")
        report = flood(
            target=live.url,
            bridge_url=live.url + "/bigbluebutton/api",
            scenario="video-join",
            rate=3,
            duration=1,
        )
        assert report["errors"] == {"bbb_failed": 3}


def test_a_mix_runs_each_scenario_in_its_share(cas: LiveServer, tmp_path: Path) -> None:
    users = write_users(tmp_path / "users.csv", PEOPLE)
    report = flood(
        target=cas.url,
        mix="pupil-login=1,credential-stuffing=4",
        users=str(users),
        rate=40,
        duration=1,
    )
    asked = {name: s["asked"] for name, s in report["scenarios"].items()}
    assert sum(asked.values()) == 40
    assert 3 <= asked["pupil-login"] <= 16
    assert len(cas.app[LOGINS]) == report["scenarios"]["pupil-login"]["completed"]


URL_PARTS = st.text(st.sampled_from(list("/.?#:@%\\\t\n aZ0-_=&[]")), max_size=12)


@settings(max_examples=500)
@given(
    st.sampled_from(["http://h", "https://h:8443", "HTTP://H", "ftp://h", "h"]),
    URL_PARTS,
    URL_PARTS,
)
def test_redirects_resolve_as_urljoin_resolves_them(origin: str, path: str, location: str) -> None:
    """(An absolute location is taken as it is, as libcurl would, without urljoin's clean-up.)"""
    base = origin + path
    for ref in (location, "/" + location):
        try:
            expected: str | type[ValueError] = urllib.parse.urljoin(base, ref)
        except ValueError:
            expected = ValueError
        try:
            got: str | type[ValueError] = resolve(base, ref)
        except ValueError:
            got = ValueError
        assert got == expected, (base, ref)


def test_requests_the_same_for_every_user_are_built_once_per_process() -> None:
    """http-get's request, the login form's and the app page's are one object per context,
    named by the scenario's own steps (the engine then sets no URL the handle already has)."""
    from entdrill.flood.scenarios import cas as cas_scenarios
    from entdrill.flood.scenarios.base import Reply, ScenarioContext
    from entdrill.flood.scenarios.http_get import http_get
    from entdrill.guard.allowlist import AllowList
    from entdrill.population import Person

    ctx = ScenarioContext(
        target="http://127.0.0.1:8080", cas_url="http://127.0.0.1:8080/cas", allow=AllowList()
    )
    firsts = [next(http_get(ctx, draw)) for draw in range(2)]
    assert firsts[0] is firsts[1]
    assert firsts[0].url == "http://127.0.0.1:8080/" and firsts[0].step == "get"
    assert ctx.form_request.step == cas_scenarios.FORM_STEP
    assert ctx.form_request.url == ctx.login_url() and ctx.form_request.want_body
    assert ctx.app_request.step == cas_scenarios.APP_STEP
    assert ctx.app_request.url == ctx.app_url and ctx.app_request.body is None
    ctx.users_by_role["pupil"] = [
        Person("eleve1", "secret-1", "pupil", "college", "eleve1@example.org", "Élève Un")
    ]
    journey = cas_scenarios.pupil_login(ctx, 0)
    assert next(journey) is ctx.form_request
    gen = http_get(ctx, 0)
    next(gen)
    with pytest.raises(StopIteration) as end:
        gen.send(Reply(404, "", b""))
    assert end.value.value == "http_4xx"

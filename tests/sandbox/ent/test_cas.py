"""The CAS server and the portal behind it, end to end, against a real replica process."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from entdrill.sandbox.ent.validation import parse
from entdrill.testing import free_config
from tests.sandbox.ent.helpers import (
    Browser,
    EntProcesses,
    parse_form,
    portal_login,
    pupil,
    submit_login,
)


def service_of(ent: EntProcesses, path: str = "/") -> str:
    return f"{ent.base}{path}"


def ticket_for(browser: Browser, ent: EntProcesses, service: str, person_index: int = 0) -> str:
    person = pupil(ent.people(), person_index)
    form = browser.get(f"/cas/login?service={quote(service, safe='')}")
    redirect = submit_login(browser, form.body, person.username, person.password)
    assert redirect.status == 302, redirect
    assert redirect.location.startswith(service + "?ticket=ST-")
    return redirect.location.split("ticket=", 1)[1]


def validate(browser: Browser, service: str, ticket: str, *, p3: bool = False) -> str:
    path = "/cas/p3/serviceValidate" if p3 else "/cas/serviceValidate"
    reply = browser.get(f"{path}?service={quote(service, safe='')}&ticket={ticket}")
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("application/xml")
    return reply.body


def test_portal_login_goes_through_cas_and_homework_names_the_user(ent: EntProcesses) -> None:
    person = pupil(ent.people())
    browser = Browser(ent.base)
    homework = portal_login(browser, person)
    assert homework.status == 200
    data = json.loads(homework.body)
    assert data["user"] == person.username
    assert data["name"] == person.name
    assert data["school"] == person.school
    assert len(data["homework"]) == 10
    assert {"given_on", "due_on", "subject", "teacher", "task"} <= set(data["homework"][0])
    assert set(browser.cookies) == {"TGC", "ENTSESSION"}
    home = browser.get("/")
    assert home.status == 200
    assert person.name in home.body
    assert 'href="/homework"' in home.body


def test_the_login_form_has_apereo_fields_and_a_single_use_execution(ent: EntProcesses) -> None:
    browser = Browser(ent.base)
    service = service_of(ent)
    page = browser.get(f"/cas/login?service={quote(service, safe='')}")
    form = parse_form(page.body)
    assert set(form.fields) == {"username", "password", "execution", "_eventId"}
    assert form.fields["_eventId"] == "submit"
    assert len(form.fields["execution"]) >= 32
    assert form.action == f"/cas/login?service={quote(service, safe='')}"
    person = pupil(ent.people())
    fields = {**form.fields, "username": person.username, "password": person.password}
    first = browser.request("POST", form.action, form=fields)
    assert first.status == 302
    replayed = Browser(ent.base).request("POST", form.action, form=fields)
    assert replayed.status == 200
    assert "expired or was already used" in parse_form(replayed.body).error
    assert parse_form(replayed.body).fields["execution"] != form.fields["execution"]


def test_successful_login_sets_an_httponly_tgc_on_path_cas(ent: EntProcesses) -> None:
    browser = Browser(ent.base)
    ticket_for(browser, ent, service_of(ent))
    set_cookie = browser.replies[-1].headers["Set-Cookie"]
    assert set_cookie.startswith("TGC=TGT-")
    assert "HttpOnly" in set_cookie
    assert "Path=/cas" in set_cookie


def test_wrong_password_answers_401_with_the_form_and_an_error(ent: EntProcesses) -> None:
    person = pupil(ent.people())
    browser = Browser(ent.base)
    page = browser.get(f"/cas/login?service={quote(service_of(ent), safe='')}")
    reply = submit_login(browser, page.body, person.username, person.password + "x")
    assert reply.status == 401
    form = parse_form(reply.body)
    assert form.error == "Invalid credentials."
    assert form.fields["username"] == person.username
    assert form.fields["execution"] != parse_form(page.body).fields["execution"]
    assert "TGC" not in browser.cookies
    unknown = submit_login(browser, reply.body, "nobody.here", "whatever")
    assert unknown.status == 401


def test_a_replayed_ticket_is_invalid(ent: EntProcesses) -> None:
    browser = Browser(ent.base)
    service = service_of(ent, "/messages")
    ticket = ticket_for(browser, ent, service)
    first = parse(validate(browser, service, ticket))
    assert first.ok
    assert first.user == pupil(ent.people()).username
    assert first.attributes == {}
    second = parse(validate(browser, service, ticket))
    assert second.code == "INVALID_TICKET"
    assert ticket in second.message


def test_a_ticket_for_another_service_is_invalid_service_and_consumed(ent: EntProcesses) -> None:
    browser = Browser(ent.base)
    ticket = ticket_for(browser, ent, service_of(ent, "/homework"))
    wrong = parse(validate(browser, service_of(ent, "/messages"), ticket))
    assert wrong.code == "INVALID_SERVICE"
    again = parse(validate(browser, service_of(ent, "/homework"), ticket))
    assert again.code == "INVALID_TICKET"


def test_validation_without_parameters_is_invalid_request(ent: EntProcesses) -> None:
    reply = Browser(ent.base).get("/cas/serviceValidate?ticket=ST-x")
    assert parse(reply.body).code == "INVALID_REQUEST"


def test_p3_validation_releases_role_school_email_and_name(ent: EntProcesses) -> None:
    person = pupil(ent.people())
    browser = Browser(ent.base)
    service = service_of(ent)
    result = parse(validate(browser, service, ticket_for(browser, ent, service), p3=True))
    assert result.user == person.username
    assert result.attributes["role"] == "pupil"
    assert result.attributes["school"] == person.school
    assert result.attributes["email"] == person.email
    assert result.attributes["name"] == person.name
    assert result.attributes["isFromNewLogin"] == "true"


def test_a_valid_tgc_gives_a_ticket_without_the_form(ent: EntProcesses) -> None:
    browser = Browser(ent.base)
    service = service_of(ent)
    ticket_for(browser, ent, service)
    sso = browser.get(f"/cas/login?service={quote(service, safe='')}")
    assert sso.status == 302
    ticket = sso.location.split("ticket=", 1)[1]
    result = parse(validate(browser, service, ticket, p3=True))
    assert result.ok
    assert result.attributes["isFromNewLogin"] == "false"


def test_an_unregistered_service_is_refused_at_login_and_at_validation(ent: EntProcesses) -> None:
    browser = Browser(ent.base)
    evil = "http://127.0.0.2:9/steal"
    refused = browser.get(f"/cas/login?service={quote(evil, safe='')}")
    assert refused.status == 403
    assert "Application Not Authorized to Use CAS" in refused.body
    assert "execution" not in refused.body
    lookalike = f"{ent.base}.evil.test/"
    assert browser.get(f"/cas/login?service={quote(lookalike, safe='')}").status == 403
    person = pupil(ent.people())
    form = browser.get(f"/cas/login?service={quote(service_of(ent), safe='')}")
    fields = {**parse_form(form.body).fields, "username": person.username}
    posted = browser.request(
        "POST", f"/cas/login?service={quote(evil, safe='')}", form={**fields, "password": "x"}
    )
    assert posted.status == 403
    ticket = ticket_for(browser, ent, service_of(ent))
    assert parse(validate(browser, evil, ticket)).code == "INVALID_SERVICE"


def test_logout_destroys_the_tgc_and_the_portal_session(ent: EntProcesses) -> None:
    browser = Browser(ent.base)
    assert portal_login(browser, pupil(ent.people())).status == 200
    tgc = browser.cookies["TGC"][0]
    out = browser.get(f"/cas/logout?service={quote(service_of(ent), safe='')}")
    assert out.status == 302
    assert out.location == service_of(ent)
    assert browser.cookies == {}
    again = browser.get("/homework")
    assert again.status == 302
    assert urlsplit(again.location).path == "/cas/login"
    stale = Browser(ent.base, cookies={"TGC": (tgc, "/cas")})
    form = stale.get(f"/cas/login?service={quote(service_of(ent), safe='')}")
    assert form.status == 200
    assert "execution" in parse_form(form.body).fields


def test_a_forged_ticket_at_the_portal_is_refused_with_the_cas_code(ent: EntProcesses) -> None:
    reply = Browser(ent.base).get("/homework?ticket=ST-forged")
    assert reply.status == 403
    assert "INVALID_TICKET" in reply.body


@pytest.fixture(scope="module")
def short_tickets(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EntProcesses]:
    directory: Path = tmp_path_factory.mktemp("ent-short")
    ents = EntProcesses.start(directory, free_config(ticket_ttl_s=0.3), replicas=1)
    yield ents
    ents.stop()


def test_an_expired_ticket_is_invalid(short_tickets: EntProcesses) -> None:
    browser = Browser(short_tickets.base)
    service = service_of(short_tickets)
    ticket = ticket_for(browser, short_tickets, service)
    time.sleep(0.6)
    assert parse(validate(browser, service, ticket)).code == "INVALID_TICKET"

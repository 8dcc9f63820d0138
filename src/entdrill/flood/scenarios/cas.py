"""Login journeys of virtual users, as a browser does them (see :mod:`entdrill.journeys`).

``login``: GET the start of the journey (``{cas}/login?service=…`` for direct CAS, a portal page
that redirects to CAS, or the ENT's own login page), redirects followed within the allowed hosts,
and read the login form from the HTML, field names included; POST the credentials with every
hidden field of the form (``execution``, ``lt``, ``csrfmiddlewaretoken``, …). With CAS, follow
the redirect to ``service?ticket=ST-…`` (the portal validates the ticket and opens a session);
with a form, apply the journey's success test; then open one app page. Cookies are kept per
virtual user by the engine. Failures are named by their step: no login form (``form_not_found``),
wrong credentials shown the form again (HTTP 401 in Apereo CAS, or 200) or a failed success test
(``login_rejected``), a portal that refuses the ticket or sends the user back to CAS
(``ticket_invalid``), an app page that does not exist (``page_missing``).

``credential-stuffing``: a bot trying usernames of the population with wrong passwords, keeping
no cookies. Being rejected is its expected end; being let in is a finding (``stuffing_accepted``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Generator

from entdrill.flood.scenarios.base import (
    Journey,
    Reply,
    Request,
    Scenario,
    ScenarioContext,
    ScenarioFunction,
    follow,
    resolve,
)
from entdrill.flood.scenarios.form import encode_form, read_login_form
from entdrill.journeys import LoginJourney
from entdrill.probes.form import LoginForm

FORM_STEP, CREDENTIALS_STEP, TICKET_STEP, APP_STEP = (
    "login-form",
    "credentials",
    "ticket",
    "app-page",
)
LOGIN_STEPS = (FORM_STEP, CREDENTIALS_STEP, TICKET_STEP)


def _form(body: bytes) -> LoginForm | None:
    return read_login_form(body.decode("utf-8", errors="replace"))


def _is_login_page(ctx: ScenarioContext, url: str) -> bool:
    return url.startswith(ctx.cas_login)


def _open_form(
    ctx: ScenarioContext, first: Request
) -> Generator[Request, Reply, tuple[str, LoginForm | None, str]]:
    """GET the start of the login and follow it to the form: ``(cause, form, page URL)``."""
    reply = yield first
    page_url = first.url
    if reply.location:  # (a generator to follow redirects only when there is one)
        reply, page_url = yield from follow(ctx, FORM_STEP, first, reply)
        if not page_url:
            return "redirect_refused", None, ""
    if reply.status >= 400:
        return ("form_not_found" if reply.status in (404, 410) else "http_4xx"), None, page_url
    form = _form(reply.body)
    return ("" if form is not None else "form_not_found"), form, page_url


def _after_cas_credentials(ctx: ScenarioContext, action: str, reply: Reply) -> Journey:
    """From CAS's answer to the credentials to the portal's session (the ticket step)."""
    if reply.status == 401 or reply.status == 200:
        return "login_rejected"
    if not (300 <= reply.status < 400 and reply.location):
        return "http_4xx" if reply.status >= 400 else "unexpected"
    landing = resolve(action, reply.location)
    if not ctx.allow.allows_url(landing):
        return "redirect_refused"
    if "ticket=" not in landing:
        return "login_rejected"
    ticket_request = Request(TICKET_STEP, landing)
    reply = yield ticket_request
    portal_url = landing
    if reply.location:
        reply, portal_url = yield from follow(ctx, TICKET_STEP, ticket_request, reply)
        if not portal_url:
            return "redirect_refused"
    if reply.status in (401, 403) or _is_login_page(ctx, portal_url):
        return "ticket_invalid"
    if reply.status >= 400:
        return "http_4xx"
    return None


def _after_form_credentials(ctx: ScenarioContext, action: str, reply: Reply) -> Journey:
    """The form's answer to the credentials, judged by the journey's success test."""
    if reply.status in (401, 403):
        return "login_rejected"
    test = ctx.login.success
    landing = action
    if reply.location:
        request = Request(CREDENTIALS_STEP, action, want_body=test.kind != "url")
        reply, landing = yield from follow(ctx, CREDENTIALS_STEP, request, reply)
        if not landing:
            return "redirect_refused"
    if reply.status >= 400:
        return "http_4xx"
    if test.kind == "url":
        expected = test.value if "://" in test.value else ctx.login.ent_base_url + test.value
        return None if landing.startswith(expected) else "login_rejected"
    if test.kind == "text":
        return None if test.value.encode() in reply.body else "login_rejected"
    # no test, or a cookie (libcurl keeps cookies out of the journey's sight: the app page that
    # follows proves the session): the form must not come back
    return "login_rejected" if reply.body and _form(reply.body) is not None else None


def login_journey(ctx: ScenarioContext, draw: int, role: str) -> Journey:
    person = ctx.user(role, draw)
    not_found, form, page_url = yield from _open_form(ctx, ctx.form_request)
    if form is None:
        return not_found
    action = resolve(page_url, form.action or page_url)
    if not ctx.allow.allows_url(action):
        return "redirect_refused"
    body = encode_form(form.payload(person.username, person.password))
    reply = yield Request(CREDENTIALS_STEP, action, body=body, want_body=not ctx.login.uses_cas)
    judge = _after_cas_credentials if ctx.login.uses_cas else _after_form_credentials
    cause = yield from judge(ctx, action, reply)
    if cause is not None:
        return cause
    app = ctx.app_request
    reply = yield app
    app_url = app.url
    if reply.location:
        reply, app_url = yield from follow(ctx, APP_STEP, app, reply)
        if not app_url:
            return "redirect_refused"
    if _is_login_page(ctx, app_url):
        return "ticket_invalid" if ctx.login.uses_cas else "login_rejected"
    if reply.status in (404, 410):
        return "page_missing"
    if reply.status >= 400:
        return "http_4xx"
    return None


def pupil_login(ctx: ScenarioContext, draw: int) -> Journey:
    return login_journey(ctx, draw, "pupil")


def parent_login(ctx: ScenarioContext, draw: int) -> Journey:
    return login_journey(ctx, draw, "parent")


def teacher_login(ctx: ScenarioContext, draw: int) -> Journey:
    return login_journey(ctx, draw, "teacher")


def credential_stuffing(ctx: ScenarioContext, draw: int) -> Journey:
    victim = ctx.everyone[draw % len(ctx.everyone)]
    first = Request(FORM_STEP, ctx.login_url(), want_body=True, clear_cookies=True)
    reply = yield first
    reply, page_url = yield from follow(ctx, FORM_STEP, first, reply)
    if not page_url:
        return "redirect_refused"
    form = _form(reply.body) if reply.status < 400 else None
    if form is None:
        return "form_not_found" if reply.status < 400 or reply.status in (404, 410) else "http_4xx"
    action = resolve(page_url, form.action or page_url)
    if not ctx.allow.allows_url(action):
        return "redirect_refused"
    guess = f"{victim.password[::-1]}{draw % 1000:03d}!"  # never the real password
    body = encode_form(form.payload(victim.username, guess))
    reply = yield Request(CREDENTIALS_STEP, action, body=body, clear_cookies=True)
    if 300 <= reply.status < 400 and ("ticket=" in reply.location or not ctx.login.uses_cas):
        return "stuffing_accepted"
    if reply.status in (200, 401, 403):
        return None
    return "http_4xx" if reply.status >= 400 else "unexpected"


def for_journey(scenario: Scenario, journey: LoginJourney) -> Scenario:
    """``scenario`` with the steps ``journey`` has (a form login has no ticket step)."""
    if journey.uses_cas or TICKET_STEP not in scenario.steps:
        return scenario
    drop = tuple(step for step in scenario.steps if step != TICKET_STEP)
    logins = tuple(step for step in scenario.login_steps if step != TICKET_STEP)
    return dataclasses.replace(scenario, steps=drop, login_steps=logins)


def _login(name: str, function: ScenarioFunction, role: str) -> Scenario:
    return Scenario(
        name,
        function,
        steps=(*LOGIN_STEPS, APP_STEP),
        needs_role=role,
        needs_users=True,
        login_steps=LOGIN_STEPS,
    )


SCENARIOS = (
    _login("pupil-login", pupil_login, "pupil"),
    _login("parent-login", parent_login, "parent"),
    _login("teacher-login", teacher_login, "teacher"),
    Scenario(
        "credential-stuffing",
        credential_stuffing,
        steps=(FORM_STEP, CREDENTIALS_STEP),
        needs_users=True,
    ),
)

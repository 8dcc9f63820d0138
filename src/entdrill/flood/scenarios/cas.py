"""CAS login journeys, as a browser does them against any Apereo-style CAS 2/3 server.

``login``: GET ``{cas}/login?service=…`` (redirects followed within the allowed hosts) and read
the login form from the HTML, field names included; POST the credentials with every hidden field
of the form (``execution``, ``lt``, ``_eventId``, …); follow the redirect to ``service?ticket=ST-…``
(the portal validates the ticket and opens a session); then open one app page. Cookies are kept
per virtual user by the engine. Wrong credentials show the form again (HTTP 401 in Apereo CAS, or
200): ``login_rejected``. A portal that sends the user back to CAS after the ticket, or refuses
it: ``ticket_invalid``.

``credential-stuffing``: a bot trying usernames of the population with wrong passwords, keeping
no cookies. Being rejected is its expected end; being let in is a finding (``stuffing_accepted``).
"""

from __future__ import annotations

from entdrill.flood.scenarios.base import (
    Journey,
    Request,
    Scenario,
    ScenarioContext,
    ScenarioFunction,
    follow,
    resolve,
)
from entdrill.flood.scenarios.form import encode_form, read_login_form
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


def _is_cas_login(ctx: ScenarioContext, url: str) -> bool:
    return url.startswith(ctx.cas_login)


def login_journey(ctx: ScenarioContext, draw: int, role: str) -> Journey:
    person = ctx.user(role, draw)
    first = Request(FORM_STEP, ctx.login_url(), want_body=True)
    reply = yield first
    page_url = first.url
    if reply.location:  # (a generator to follow redirects only when there is one)
        reply, page_url = yield from follow(ctx, FORM_STEP, first, reply)
        if not page_url:
            return "redirect_refused"
    if reply.status >= 400:
        return "http_4xx"
    form = _form(reply.body)
    if form is None:
        return "unexpected"
    action = resolve(page_url, form.action or page_url)
    if not ctx.allow.allows_url(action):
        return "redirect_refused"
    body = encode_form(form.payload(person.username, person.password))
    reply = yield Request(CREDENTIALS_STEP, action, body=body)
    if reply.status == 401 or reply.status == 200:
        return "login_rejected"
    if not (300 <= reply.status < 400 and reply.location):
        return "http_4xx" if reply.status >= 400 else "unexpected"
    landing = resolve(action, reply.location)
    if not ctx.allow.allows_url(landing):
        return "redirect_refused"
    if "ticket=" not in landing:
        return "unexpected"
    ticket_request = Request(TICKET_STEP, landing)
    reply = yield ticket_request
    portal_url = landing
    if reply.location:
        reply, portal_url = yield from follow(ctx, TICKET_STEP, ticket_request, reply)
        if not portal_url:
            return "redirect_refused"
    if reply.status in (401, 403) or _is_cas_login(ctx, portal_url):
        return "ticket_invalid"
    if reply.status >= 400:
        return "http_4xx"
    app = Request(APP_STEP, ctx.target + ctx.app_path)
    reply = yield app
    app_url = app.url
    if reply.location:
        reply, app_url = yield from follow(ctx, APP_STEP, app, reply)
        if not app_url:
            return "redirect_refused"
    if _is_cas_login(ctx, app_url):
        return "ticket_invalid"
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
        return "unexpected" if reply.status < 400 else "http_4xx"
    action = resolve(page_url, form.action or page_url)
    if not ctx.allow.allows_url(action):
        return "redirect_refused"
    guess = f"{victim.password[::-1]}{draw % 1000:03d}!"  # never the real password
    body = encode_form(form.payload(victim.username, guess))
    reply = yield Request(CREDENTIALS_STEP, action, body=body, clear_cookies=True)
    if 300 <= reply.status < 400 and "ticket=" in reply.location:
        return "stuffing_accepted"
    if reply.status in (200, 401, 403):
        return None
    return "http_4xx" if reply.status >= 400 else "unexpected"


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

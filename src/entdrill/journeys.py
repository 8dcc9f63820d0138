"""Login journeys of real ENTs: which one a staging ENT uses, where it starts, what proves it (pure).

Three journeys, as browsers do them:

``cas``
    Direct CAS with an explicit service: ``GET {cas_url}/login?service={service_url}``, the form,
    ``POST`` the credentials, follow the redirect to ``service_url?ticket=ST-...`` (the portal
    validates the ticket), then open the app page.
``cas-portal``
    Portal-initiated CAS: ``GET {login_url}`` (a portal page, by default the app page), follow the
    portal's redirect to CAS, keeping the service URL the portal chose exactly as it wrote it
    (query string and percent-encoding included), then as ``cas``.
``form``
    The ENT's own login form, no CAS: ``GET {login_url}``, read the form from the HTML, ``POST``
    the credentials; the **success test** decides whether they were accepted: ``url:PREFIX``
    (where the login lands, a path on the ENT or a full URL), ``cookie:NAME`` (a cookie set),
    ``text:TEXT`` (words on the page it lands on); by default, that page shows no login form.

Where a journey fails names the step: form not found (``login-form``), credentials refused
(``credentials``), ticket refused (``ticket``), page missing (``app-page``).
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Literal

from entdrill.errors import InvalidArgument

JOURNEYS = ("cas", "cas-portal", "form")
SUCCESS_KINDS = ("url", "cookie", "text")

#: the failures of a journey, by step, as the probe and the flood report name them
FAILURES = {
    "form_not_found": "login-form",
    "credentials_refused": "credentials",
    "ticket_refused": "ticket",
    "page_missing": "app-page",
}

Style = Literal["option", "key"]


#: how a user names each setting: on the ``entdrill flood`` command line, or as a key
#: (Chaos Toolkit configuration, a var file, a drill plan's target)
_NAMES: dict[Style, dict[str, str]] = {
    "option": {
        "kind": "--journey",
        "ent_base_url": "--target",
        "cas_url": "--cas-url",
        "service_url": "--service-url",
        "login_url": "--login-url",
        "success": "--login-success",
        "app_path": "--app-path",
    },
    "key": {
        "kind": "login_journey",
        "ent_base_url": "ent_base_url",
        "cas_url": "cas_url",
        "service_url": "cas_service_url",
        "login_url": "login_url",
        "success": "login_success",
        "app_path": "app_path",
    },
}


def _name(field: str, style: Style) -> str:
    return _NAMES[style][field]


@dataclass(frozen=True)
class SuccessTest:
    """What proves a form login worked (``kind`` "" means: the landing page has no login form)."""

    kind: str = ""
    value: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}" if self.kind else ""

    def describe(self) -> str:
        return {
            "url": f"the login lands on {self.value}",
            "cookie": f"the cookie {self.value} is set",
            "text": f"the page shows {self.value!r}",
        }.get(self.kind, "the page after the login shows no login form")


def parse_success(text: str, style: Style = "key") -> SuccessTest:
    """``url:/homework``, ``cookie:sessionid``, ``text:Bienvenue``, or "" (no login form)."""
    if not text:
        return SuccessTest()
    kind, sep, value = text.partition(":")
    if not sep or kind not in SUCCESS_KINDS or not value.strip():
        raise InvalidArgument(
            f"{_name('success', style)} {text!r} is not a success test: expected url:PATH_OR_URL, "
            "cookie:NAME or text:TEXT, e.g. cookie:sessionid"
        )
    return SuccessTest(kind, value.strip())


@dataclass(frozen=True)
class LoginJourney:
    """One staging ENT's login, as a scenario or a probe runs it (see the module docstring)."""

    kind: str
    ent_base_url: str  # without a trailing slash
    cas_url: str  # without a trailing slash
    service_url: str  # cas: the service CAS sends the ticket to
    login_url: str  # cas-portal: the portal page that starts the login; form: the login page
    app_path: str = "/homework"
    success: SuccessTest = SuccessTest()

    @property
    def uses_cas(self) -> bool:
        return self.kind != "form"

    def start_url(self) -> str:
        """The first request of the journey."""
        if self.kind == "cas":
            return f"{self.cas_url}/login?service={urllib.parse.quote(self.service_url, safe='')}"
        return self.login_url

    def app_url(self) -> str:
        return self.ent_base_url + self.app_path

    def is_login_page(self, url: str) -> bool:
        """True when ``url`` is where a user who is not logged in is sent (CAS, or the form)."""
        if self.uses_cas:
            return url.startswith(self.cas_url + "/login")
        return _without_query(url) == _without_query(self.login_url)

    def urls(self, style: Style = "key") -> dict[str, str]:
        """Every URL the journey sends requests to, by the name the user gave it (a
        configuration key, or with ``style="option"`` a command-line option)."""
        found = {"ent_base_url": self.ent_base_url}
        if self.uses_cas:
            found["cas_url"] = self.cas_url
        if self.kind == "cas":
            found["service_url"] = self.service_url
        if self.kind != "cas":
            found["login_url"] = self.login_url
        return {_name(field, style): url for field, url in found.items()}


def _without_query(url: str) -> str:
    return url.split("?", 1)[0].split("#", 1)[0].rstrip("/")


def check_url(name: str, value: str) -> str:
    """``value`` when it is an http(s) URL with a host; else one sentence naming ``name``."""
    parts = urllib.parse.urlsplit(value)
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise InvalidArgument(f"{name} {value!r} has an invalid port") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidArgument(
            f"{name} must be an http(s) URL such as https://ent-staging.example.fr, got {value!r}"
        )
    return value


def build(
    *,
    kind: str = "cas",
    ent_base_url: str,
    cas_url: str = "",
    service_url: str = "",
    login_url: str = "",
    success: str = "",
    app_path: str = "/homework",
    style: Style = "key",
) -> LoginJourney:
    """Check a journey's settings and fill in its defaults; errors name the option or key."""
    if kind not in JOURNEYS:
        raise InvalidArgument(
            f"{_name('kind', style)} {kind!r} is not a login journey: expected one of "
            f"{', '.join(JOURNEYS)}"
        )
    base = check_url(_name("ent_base_url", style), ent_base_url).rstrip("/")
    if not app_path.startswith("/"):
        raise InvalidArgument(f"{_name('app_path', style)} must start with /, got {app_path!r}")
    cas = check_url(_name("cas_url", style), cas_url).rstrip("/") if cas_url else base + "/cas"
    service = check_url(_name("service_url", style), service_url) if service_url else base + "/"
    if login_url:
        login = check_url(_name("login_url", style), login_url)
    elif kind == "form":
        raise InvalidArgument(
            f"the form login journey needs {_name('login_url', style)}: the URL of the ENT's "
            "login page, e.g. https://ent-staging.example.fr/accounts/login/"
        )
    else:
        login = base + app_path
    test = parse_success(success, style)
    if test.kind and kind != "form":
        raise InvalidArgument(
            f"{_name('success', style)} goes with the form journey only (CAS logins are judged "
            f"by the ticket), not with {_name('kind', style)} {kind}"
        )
    if test.kind == "url" and not test.value.startswith("/"):
        check_url(_name("success", style) + " url:", test.value)
    return LoginJourney(kind, base, cas, service, login, app_path, test)

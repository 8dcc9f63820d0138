"""One description of a staging ENT, in Chaos Toolkit's terms: its keys, their environment
variables and defaults, and what a valid value of each is (pure).

Every experiment under ``experiments/`` declares these keys as configuration with environment
defaults, so ``chaos run --var-file staging.json`` retargets a run completely; a drill plan's
``target:`` takes the same keys, and ``entdrill flood`` the same values as options. Secrets (the
``secret`` kind) may also come from the var file's ``"secrets": {"staging": {...}}`` group, which
the staging control moves into the configuration (they never reach the journal).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from entdrill.errors import GuardRefusal, InvalidArgument
from entdrill.guard.allowlist import AllowList
from entdrill.journeys import JOURNEYS, LoginJourney, check_url
from entdrill.journeys import build as build_journey

SECRET_GROUP = "staging"  # noqa: S105 - the name of a secrets group


@dataclass(frozen=True)
class Key:
    name: str
    env: str
    default: str
    kind: str  # url, path, journey, success, file, secret
    meaning: str
    flood_option: str = ""  # the matching option of entdrill flood


KEYS: tuple[Key, ...] = (
    Key("ent_base_url", "ENT_BASE_URL", "", "url",
        "the staging ENT's base URL (the portal); empty: the embedded sandbox", "--target"),
    Key("cas_url", "ENTDRILL_CAS_URL", "", "url",
        "the CAS server's base URL; empty: ent_base_url + /cas", "--cas-url"),
    Key("cas_service_url", "ENTDRILL_CAS_SERVICE_URL", "", "url",
        "the service URL the portal registers with CAS (journey cas); empty: ent_base_url + /",
        "--service-url"),
    Key("login_journey", "ENTDRILL_LOGIN_JOURNEY", "cas", "journey",
        "how users log in: cas, cas-portal or form", "--journey"),
    Key("login_url", "ENTDRILL_LOGIN_URL", "", "url",
        "cas-portal: the portal page where login starts (empty: ent_base_url + app_path); "
        "form: the login page", "--login-url"),
    Key("login_success", "ENTDRILL_LOGIN_SUCCESS", "", "success",
        "form: what proves a login, url:PATH, cookie:NAME or text:TEXT; empty: no login form "
        "on the page it lands on", "--login-success"),
    Key("app_path", "ENTDRILL_APP_PATH", "/homework", "path",
        "the page a logged-in user opens (storms)", "--app-path"),
    Key("probe_page", "ENTDRILL_PROBE_PAGE", "/homework?format=json", "path",
        "the page that proves a session (probes)"),
    Key("population_csv", "ENTDRILL_POPULATION_CSV", "", "file",
        "the population file (username,password,role,...); empty: the sandbox's", "--users"),
    Key("bridge_url", "ENTDRILL_BRIDGE_URL", "", "url",
        "the video bridge's BigBlueButton API URL", "--bridge-url"),
    Key("backup_bridge_url", "ENTDRILL_BACKUP_BRIDGE_URL", "", "url",
        "the backup bridge's BigBlueButton API URL"),
    Key("consent_token", "ENTDRILL_CONSENT_TOKEN", "", "secret",
        "the token the ENT serves at /.well-known/entdrill-consent", "--consent-token"),
    Key("bridge_secret", "ENTDRILL_BRIDGE_SECRET", "", "secret",
        "the bridge's BigBlueButton shared secret"),
    Key("backup_bridge_secret", "ENTDRILL_BACKUP_BRIDGE_SECRET", "", "secret",
        "the backup bridge's shared secret"),
    Key("probe_username", "ENTDRILL_PROBE_USERNAME", "", "secret",
        "a staging account for the login probes (instead of one from the population)"),
    Key("probe_password", "ENTDRILL_PROBE_PASSWORD", "", "secret",
        "the probe account's password"),
    Key("prometheus_base_url", "PROMETHEUS_BASE_URL", "", "url",
        "the Prometheus watching the staging ENT (PromQL probes, as chaostoolkit-prometheus "
        "names it); empty: the sandbox's, or no PromQL check"),
)  # fmt: skip
BY_NAME = {key.name: key for key in KEYS}
SECRETS = tuple(key.name for key in KEYS if key.kind == "secret")


def declaration(key: Key) -> dict[str, str]:
    """The key as an experiment declares it: Chaos Toolkit's ``env`` configuration type."""
    return {"type": "env", "key": key.env, "default": key.default}


def check_value(name: str, value: Any) -> str:
    """The problem with ``value`` for the staging key ``name``, or ""."""
    key = BY_NAME.get(name)
    if key is None:
        return ""
    if not isinstance(value, str):
        return f"expected text, got {type(value).__name__} {value!r}"
    if not value:
        return ""
    try:
        if key.kind == "url":
            check_url(name, value)
        elif key.kind == "path" and not value.startswith("/"):
            return f"expected a path starting with /, got {value!r}"
        elif key.kind == "journey" and value not in JOURNEYS:
            return f"expected one of {', '.join(JOURNEYS)}, got {value!r}"
    except InvalidArgument:
        return f"expected an http(s) URL such as https://ent-staging.example.fr, got {value!r}"
    return ""


def move_secrets(configuration: dict[str, Any], secrets: dict[str, Any] | None) -> list[str]:
    """Copy the ``staging`` secrets group over the configuration; the names of those set."""
    group = (secrets or {}).get(SECRET_GROUP)
    moved = []
    if isinstance(group, dict):
        for name in SECRETS:
            if group.get(name):
                configuration[name] = group[name]
                moved.append(name)
    return moved


def derive(configuration: dict[str, Any]) -> None:
    """Fill the defaults that depend on another key (``cas_url`` from ``ent_base_url``)."""
    base = str(configuration.get("ent_base_url") or "").rstrip("/")
    if base and not configuration.get("cas_url"):
        configuration["cas_url"] = base + "/cas"


def journey_of(configuration: dict[str, Any]) -> LoginJourney:
    """The login journey the configuration describes; bad values name their key."""
    return build_journey(
        kind=str(configuration.get("login_journey") or "cas"),
        ent_base_url=str(configuration.get("ent_base_url") or ""),
        cas_url=str(configuration.get("cas_url") or ""),
        service_url=str(configuration.get("cas_service_url") or ""),
        login_url=str(configuration.get("login_url") or ""),
        success=str(configuration.get("login_success") or ""),
        app_path=str(configuration.get("app_path") or "/homework"),
    )


def check_allowed(configuration: dict[str, Any], allow: AllowList) -> None:
    """Refuse, like a flood target, any URL of the login journey outside the allow-list."""
    if not configuration.get("ent_base_url"):
        return
    for name, url in journey_of(configuration).urls().items():
        if not allow.allows_url(url):
            raise GuardRefusal(
                f"{name} {url} is not in the allow-list: loopback only, unless its host is in "
                "ENTDRILL_ALLOWED_TARGETS",
                rule="allow-list",
            )

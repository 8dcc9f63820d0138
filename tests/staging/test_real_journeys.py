"""Each login journey, as a probe and as a flood scenario, against a CAS server, a CAS client and
a login form that were written elsewhere (django-cas-server, django-cas-ng, Django's LoginView)."""

from __future__ import annotations

import sqlite3
import urllib.parse
from pathlib import Path

import pytest

from entdrill.flood import plan as plan_module
from entdrill.flood.runner import run_shard
from entdrill.journeys import LoginJourney, build
from entdrill.probes.login import journey_login
from tests.staging_ent.sites import CONSENT_TOKEN, POPULATION, StagingEnt

PUPIL, PASSWORD = POPULATION[0][0], POPULATION[0][1]


def journeys(ent: StagingEnt) -> dict[str, LoginJourney]:
    return {
        "cas-portal": build(kind="cas-portal", ent_base_url=ent.portal_url, cas_url=ent.cas_url),
        "cas": build(
            ent_base_url=ent.portal_url,
            cas_url=ent.cas_url,
            service_url=ent.portal_url + "/accounts/login/?next=%2Fhomework",
        ),
        "form": build(
            kind="form",
            ent_base_url=ent.forms_url,
            login_url=ent.forms_url + "/accounts/login/",
            success="cookie:sessionid",
        ),
    }


def portal_users(ent: StagingEnt) -> set[str]:
    """The users the portal's CAS client created: who it really validated a ticket for."""
    with sqlite3.connect(ent.logs / "portal.sqlite3") as db:
        return {row[0] for row in db.execute("SELECT username FROM auth_user")}


@pytest.mark.parametrize("kind", ["cas-portal", "cas", "form"])
def test_the_probe_logs_in_along_each_journey_and_times_each_step(
    real_ent: StagingEnt, kind: str
) -> None:
    result = journey_login(journeys(real_ent)[kind], PUPIL, PASSWORD, page="/homework")
    assert result.ok, result
    assert result.status == 200 and result.url.endswith("/homework")
    steps = (
        ["login-form", "credentials", "page"]
        if kind == "form"
        else ["login-form", "credentials", "ticket", "page"]
    )
    assert list(result.steps) == steps
    assert all(seconds > 0 for seconds in result.steps.values())
    assert sum(result.steps.values()) <= result.seconds
    if kind != "form":
        assert PUPIL in portal_users(real_ent)


def test_the_portal_journey_keeps_the_service_url_the_portal_wrote(real_ent: StagingEnt) -> None:
    """django-cas-ng registers ``/accounts/login/?next=%2Fhomework``: percent-encoded, as is."""
    from entdrill.probes.login import _Browser  # the probe's own redirect-by-redirect client

    browser = _Browser(
        {"127.0.0.1", "127.0.0.2"}, 5.0, __import__("http.cookiejar").cookiejar.CookieJar()
    )
    answer = browser.get(real_ent.portal_url + "/homework")
    service = urllib.parse.parse_qs(urllib.parse.urlsplit(answer.url).query)["service"][0]
    assert service == real_ent.portal_url + "/accounts/login/?next=%2Fhomework"


def test_each_failure_is_named_by_its_step(real_ent: StagingEnt) -> None:
    paths = journeys(real_ent)
    wrong = journey_login(paths["cas-portal"], PUPIL, "not-the-password")
    assert (wrong.ok, wrong.failure, wrong.step) == (False, "credentials_refused", "credentials")
    assert wrong.error.startswith(
        "credentials refused: CAS showed the login form again (HTTP 200) at " + real_ent.cas_url
    )
    form_wrong = journey_login(paths["form"], PUPIL, "not-the-password")
    assert (
        form_wrong.failure == "credentials_refused"
        and form_wrong.url == real_ent.forms_url + "/accounts/login/"
    )
    # a service URL written differently from the portal's (unencoded ?next=): CAS issues the
    # ticket, the portal's CAS client validates it for its own service URL, and refuses it
    unencoded = build(ent_base_url=real_ent.portal_url, cas_url=real_ent.cas_url,
                      service_url=real_ent.portal_url + "/accounts/login/?next=/homework")  # fmt: skip
    refused = journey_login(unencoded, PUPIL, PASSWORD)
    assert (refused.failure, refused.step, refused.status) == ("ticket_refused", "ticket", 403)
    assert refused.error.startswith(
        "ticket refused: the portal answered HTTP 403 at " + real_ent.portal_url
    )
    missing = journey_login(paths["cas-portal"], PUPIL, PASSWORD, page="/cahier-de-textes")
    assert (missing.failure, missing.step, missing.status) == ("page_missing", "page", 404)
    assert missing.error == f"page missing: HTTP 404 at {real_ent.portal_url}/cahier-de-textes"
    no_form = build(
        kind="form",
        ent_base_url=real_ent.forms_url,
        login_url=real_ent.forms_url + "/.well-known/entdrill-consent",
    )
    lost = journey_login(no_form, PUPIL, PASSWORD)
    assert (lost.failure, lost.step) == ("form_not_found", "login-form")
    assert (
        lost.error
        == f"form not found: no login form at {real_ent.forms_url}/.well-known/entdrill-consent"
    )


def flood(ent: StagingEnt, tmp_path: Path, **options: object) -> dict:
    options = {
        "scenario": "pupil-login",
        "users": str(ent.population_csv),
        "rate": 2.0,
        "duration": 2.0,
        "processes": 1,
        "app_path": "/homework",
        **options,
    }
    plan = plan_module.build(plan_module.FloodOptions(**options))  # type: ignore[arg-type]
    return run_shard(plan, CONSENT_TOKEN, install_signals=False)


@pytest.mark.parametrize("kind", ["cas-portal", "form"])
def test_a_flood_runs_each_journey_to_the_app_page(
    real_ent: StagingEnt, tmp_path: Path, kind: str
) -> None:
    if kind == "form":
        options = {
            "target": real_ent.forms_url,
            "journey": "form",
            "login_url": real_ent.forms_url + "/accounts/login/",
            "login_success": "url:/homework",
        }
    else:
        options = {
            "target": real_ent.portal_url,
            "journey": "cas-portal",
            "cas_url": real_ent.cas_url,
        }
    report = flood(real_ent, tmp_path, **options)
    scenario = report["scenarios"]["pupil-login"]
    assert report["errors"] == {}, report["errors"]
    assert scenario["completed"] == scenario["asked"] == 4
    expected = {"login-form", "credentials", "app-page"} | (set() if kind == "form" else {"ticket"})
    assert set(scenario["steps"]) == expected
    assert scenario["login"]["latency_ms"]["count"] == 4


def test_a_flood_with_a_service_url_the_portal_does_not_write_fails_at_the_ticket(
    real_ent: StagingEnt, tmp_path: Path
) -> None:
    report = flood(real_ent, tmp_path, target=real_ent.portal_url, cas_url=real_ent.cas_url,
                   service_url=real_ent.portal_url + "/accounts/login/?next=/homework", duration=1.0)  # fmt: skip
    assert report["errors"] == {"ticket_invalid": 2}
    assert report["scenarios"]["pupil-login"]["steps"]["ticket"]["errors"] == {"ticket_invalid": 2}

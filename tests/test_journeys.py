"""Login journeys: defaults filled from the ENT's base URL, bad settings named (pure)."""

from __future__ import annotations

import pytest

from entdrill.errors import InvalidArgument
from entdrill.journeys import build, parse_success

BASE = "https://ent-staging.example.fr"


def test_direct_cas_starts_at_cas_with_the_service_percent_encoded() -> None:
    journey = build(ent_base_url=BASE + "/", service_url=BASE + "/accounts/login/?next=%2Fhomework")
    assert journey.cas_url == BASE + "/cas"
    assert journey.start_url() == (
        BASE + "/cas/login?service=https%3A%2F%2Fent-staging.example.fr%2Faccounts%2Flogin%2F"
        "%3Fnext%3D%252Fhomework"
    )
    assert journey.is_login_page(BASE + "/cas/login?service=x")
    assert journey.urls() == {
        "ent_base_url": BASE,
        "cas_url": BASE + "/cas",
        "cas_service_url": BASE + "/accounts/login/?next=%2Fhomework",
    }


def test_portal_journey_starts_at_the_app_page_unless_told_otherwise() -> None:
    journey = build(kind="cas-portal", ent_base_url=BASE, app_path="/cahier")
    assert journey.start_url() == BASE + "/cahier"
    assert (
        build(
            kind="cas-portal", ent_base_url=BASE, login_url=BASE + "/auth/login?callBack=%2F"
        ).start_url()
        == BASE + "/auth/login?callBack=%2F"
    )


def test_form_journey_needs_its_login_page_and_reads_its_success_test() -> None:
    with pytest.raises(InvalidArgument, match="the form login journey needs login_url"):
        build(kind="form", ent_base_url=BASE)
    with pytest.raises(InvalidArgument, match="needs --login-url"):
        build(kind="form", ent_base_url=BASE, style="option")
    journey = build(
        kind="form", ent_base_url=BASE, login_url=BASE + "/login", success="cookie:sessionid"
    )
    assert (journey.success.kind, journey.success.value) == ("cookie", "sessionid")
    assert journey.is_login_page(BASE + "/login?next=/x") and not journey.is_login_page(BASE + "/x")
    assert not journey.uses_cas and "cas_url" not in journey.urls()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"kind": "saml"},
            "login_journey 'saml' is not a login journey: expected one of cas, cas-portal, form",
        ),
        ({"cas_url": "cas.example.fr"}, "cas_url must be an http(s) URL"),
        (
            {"service_url": "http://127.0.0.1:99999/"},
            "cas_service_url 'http://127.0.0.1:99999/' has an invalid port",
        ),
        ({"app_path": "homework"}, "app_path must start with /"),
        ({"success": "cookie:sessionid"}, "login_success goes with the form journey only"),
    ],
)
def test_bad_settings_are_one_sentence_naming_the_key(
    settings: dict[str, str], message: str
) -> None:
    with pytest.raises(
        InvalidArgument, match="^" + message.replace("(", r"\(").replace(")", r"\)")
    ):
        build(ent_base_url=BASE, **settings)


@pytest.mark.parametrize("text", ["cookie", "header:x", "text:", "url"])
def test_a_success_test_must_be_url_cookie_or_text(text: str) -> None:
    with pytest.raises(InvalidArgument, match="is not a success test: expected url:PATH_OR_URL"):
        parse_success(text)

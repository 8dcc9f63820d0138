"""The CAS service registry and service URLs."""

from __future__ import annotations

import pytest

from entdrill.sandbox.ent.services import ServiceRegistry, login_url, with_ticket, without_ticket

PORTAL = "http://127.0.0.1:8800"


@pytest.mark.parametrize(
    "service",
    [PORTAL, f"{PORTAL}/", f"{PORTAL}/homework?format=json", f"{PORTAL}/a/b"],
)
def test_the_portal_urls_are_registered(service: str) -> None:
    assert ServiceRegistry(PORTAL + "/").authorized(service)


@pytest.mark.parametrize(
    "service",
    [
        "http://127.0.0.1:8801/",
        "http://127.0.0.1:88000/",
        "http://127.0.0.1:8800.evil.test/",
        "https://127.0.0.1:8800/",
        "http://localhost:8800/",
        "http://example.org/?x=http://127.0.0.1:8800/",
        f"{PORTAL}/ with space",
    ],
)
def test_other_urls_are_not_registered(service: str) -> None:
    assert not ServiceRegistry(PORTAL).authorized(service)


def test_a_ticket_is_added_and_removed_keeping_the_rest_of_the_query() -> None:
    assert with_ticket(f"{PORTAL}/", "ST-1") == f"{PORTAL}/?ticket=ST-1"
    assert with_ticket(f"{PORTAL}/h?format=json", "ST-2") == f"{PORTAL}/h?format=json&ticket=ST-2"
    assert without_ticket(f"{PORTAL}/h?format=json&ticket=ST-2") == f"{PORTAL}/h?format=json"
    assert without_ticket(f"{PORTAL}/?ticket=ST-1") == f"{PORTAL}/"
    assert ServiceRegistry(PORTAL).portal_page("/messages?ticket=ST-9") == f"{PORTAL}/messages"


def test_the_login_url_quotes_the_service() -> None:
    assert login_url(PORTAL, f"{PORTAL}/h?a=1") == (
        f"{PORTAL}/cas/login?service=http%3A%2F%2F127.0.0.1%3A8800%2Fh%3Fa%3D1"
    )

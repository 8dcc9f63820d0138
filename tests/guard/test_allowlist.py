"""The allow-list: loopback by default, staging hosts by ENTDRILL_ALLOWED_TARGETS."""

from __future__ import annotations

import pytest

from entdrill.errors import GuardRefusal, InvalidConfig
from entdrill.guard import allowlist
from tests.flood.conftest import flood
from tests.flood.servers import LiveServer


def test_the_default_allows_loopback_only() -> None:
    allow = allowlist.parse("")
    assert allow.allows_url("http://127.0.0.1:8800/")
    assert allow.allows_url("http://127.9.9.9/")
    assert allow.allows_url("http://[::1]:8800/")
    assert allow.allows_url("http://localhost/")
    assert not allow.allows_url("http://ent.example.invalid/")
    assert not allow.allows_url("http://10.0.0.1/")
    assert not allow.allows_url("ftp://127.0.0.1/")


def test_names_wildcards_and_networks_are_added_to_loopback() -> None:
    allow = allowlist.parse("ent.staging.example, *.academie.example, 192.0.2.0/24")
    assert allow.allows_host("ent.staging.example")
    assert allow.allows_host("cas.academie.example")
    assert not allow.allows_host("academie.example.evil")
    assert allow.allows_host("192.0.2.44")
    assert not allow.allows_host("192.0.3.1")
    assert allow.allows_host("127.0.0.1")


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ("http://x/", "is a URL; write its host only"),
        ("garbage!!", "is neither a host name, *.domain, an IP address nor a CIDR network"),
        ("*", "allows every host"),
        ("*.fr", "allows every host of a top-level domain"),
        ("*.staging*.example", "has a * elsewhere than as a whole first label"),
        ("999.1.1.1", "looks like an IPv4 address or network but is not one"),
        ("10.0.0/8", "looks like an IPv4 address or network but is not one"),
        ("0.0.0.0/0", "is wider than a /8 and would allow a large part of the Internet"),
        ("::/0", "is wider than a /16 and would allow a large part of the Internet"),
        ("ent staging", "is neither a host name"),
    ],
)
def test_a_malformed_entry_is_refused_naming_the_variable_and_the_entry(
    entry: str, why: str
) -> None:
    with pytest.raises(InvalidConfig) as caught:
        allowlist.parse(f"ent.staging.example, {entry}")
    assert str(caught.value).startswith(f"ENTDRILL_ALLOWED_TARGETS: {entry!r} {why}")


def test_good_entries_of_every_kind_are_kept() -> None:
    allow = allowlist.parse("ent.staging.example, *.staging.example, 10.0.0.0/8, 2001:db8::/32")
    assert allow.allows_host("ent.staging.example") and allow.allows_host("a.staging.example")
    assert allow.allows_host("10.1.2.3") and allow.allows_host("2001:db8::1")
    assert not allow.allows_host("staging.example.org")


def test_a_target_outside_the_allow_list_is_refused_before_any_request(
    server: LiveServer,
) -> None:
    with pytest.raises(
        GuardRefusal, match=r"refused by the allow-list: --target host 'ent.example.invalid'"
    ) as caught:
        flood(target="http://ent.example.invalid", scenario="http-get", rate=1, duration=1)
    assert caught.value.rule == "allow-list"


def test_a_bridge_outside_the_allow_list_is_refused_too(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENTDRILL_BRIDGE_SECRET", "bbb-secret-123")
    with pytest.raises(GuardRefusal, match=r"ent.example.invalid"):
        flood(
            target=server.url,
            bridge_url="http://ent.example.invalid/bigbluebutton/api",
            scenario="video-join",
            rate=1,
            duration=1,
        )
    assert server.state.seen == []

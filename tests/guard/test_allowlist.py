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


def test_a_malformed_entry_is_refused_naming_the_variable() -> None:
    with pytest.raises(InvalidConfig, match="ENTDRILL_ALLOWED_TARGETS: 'http://x/' is neither"):
        allowlist.parse("http://x/")


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

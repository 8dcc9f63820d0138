"""Sandbox configuration: defaults, validation sentences, round trip."""

import pytest

from entdrill.errors import InvalidConfig
from entdrill.sandbox.config import SandboxConfig


def test_default_urls_are_on_loopback() -> None:
    config = SandboxConfig()
    assert config.ent_url == "http://127.0.0.1:8800"
    assert config.bridge_url == "http://127.0.0.1:8900/bigbluebutton/api"
    assert config.backup_bridge_url == "http://127.0.0.1:8901/bigbluebutton/api"


def test_two_components_on_one_port_are_refused_with_both_names() -> None:
    with pytest.raises(InvalidConfig, match="bridge and ent cannot share port 8800"):
        SandboxConfig(bridge_port=8800)


def test_zero_replicas_is_refused_naming_the_setting() -> None:
    with pytest.raises(InvalidConfig, match="replicas must be a whole number of at least 1"):
        SandboxConfig(replicas=0)


def test_unknown_setting_is_refused() -> None:
    with pytest.raises(InvalidConfig, match="unknown sandbox setting"):
        SandboxConfig.from_dict({"replica": 3})


def test_config_round_trips_through_dict() -> None:
    config = SandboxConfig(replicas=3, login_cost_ms=5.0)
    assert SandboxConfig.from_dict(config.to_dict()) == config

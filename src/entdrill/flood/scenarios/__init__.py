"""The scenarios a flood can run, by name (see ``base`` for what a scenario is)."""

from __future__ import annotations

from entdrill.errors import InvalidArgument
from entdrill.flood.scenarios import cas, http_get, video
from entdrill.flood.scenarios.base import Reply, Request, Scenario, ScenarioContext

SCENARIOS: dict[str, Scenario] = {
    s.name: s for s in (*cas.SCENARIOS, video.SCENARIO, http_get.SCENARIO)
}

__all__ = ["SCENARIOS", "Reply", "Request", "Scenario", "ScenarioContext", "get"]


def get(name: str, option: str = "--scenario") -> Scenario:
    """The scenario called ``name``; an unknown name is an error naming ``option``."""
    try:
        return SCENARIOS[name]
    except KeyError:
        raise InvalidArgument(
            f"{option}: unknown scenario {name!r}; expected one of {', '.join(SCENARIOS)}"
        ) from None

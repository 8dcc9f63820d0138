"""``http-get``: one GET of ``--path``, for benchmarks and plain availability storms."""

from __future__ import annotations

from entdrill.flood.scenarios.base import Journey, Scenario, ScenarioContext


def http_get(ctx: ScenarioContext, draw: int) -> Journey:
    reply = yield ctx.get_request
    if reply.status >= 400:
        return "http_4xx"
    return None


SCENARIO = Scenario("http-get", http_get, steps=("get",), keeps_cookies=False)

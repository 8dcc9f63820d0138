"""``http-get``: one GET of ``--path``, for benchmarks and plain availability storms."""

from __future__ import annotations

from entdrill.flood.scenarios.base import Journey, Request, Scenario, ScenarioContext


def http_get(ctx: ScenarioContext, draw: int) -> Journey:
    reply = yield Request("get", ctx.target + ctx.path)
    if reply.status >= 400:
        return "http_4xx"
    return None


SCENARIO = Scenario("http-get", http_get, steps=("get",))

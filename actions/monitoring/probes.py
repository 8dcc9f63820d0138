"""Probes reading the staging ENT's Prometheus (configuration key `prometheus_base_url`).

chaostoolkit-prometheus's `chaosprometheus.probes.query` can be used as is for a raw answer;
`promql_value` exists because a tolerance needs a number, and because that query has no HTTP
timeout and reports a rejected expression as a dump of its parameters and Prometheus's body.
"""

import logging

from chaoslib.exceptions import ActivityFailed

from actions.types import Configuration, JsonObject, Secrets
from entdrill.errors import EntdrillError
from entdrill.monitoring import promql

__all__ = ["promql_value"]
logger = logging.getLogger("chaostoolkit")


def promql_value(
    query: str = "",
    empty: float = 0.0,
    timeout_s: float = 5.0,
    configuration: Configuration = None,
    secrets: Secrets = None,
) -> JsonObject:
    """Evaluate a PromQL expression now on the Prometheus at `prometheus_base_url`.

    query: the PromQL expression; its value is a scalar, or the sum of an instant vector.
    empty: the value when the vector is empty (a ratio over no requests: 0).
    timeout_s: the limit of the HTTP call.
    Returns `{"query", "prometheus", "value", "series", "skipped"}`; with no Prometheus
    configured (`prometheus_base_url` empty: a sandbox without it) nothing is measured, and
    `skipped` says so. A rejected expression fails the probe with Prometheus's own words.
    """
    base = str((configuration or {}).get("prometheus_base_url") or "")
    if not base:
        why = "no Prometheus: prometheus_base_url is empty"
        logger.warning("PromQL %r not evaluated: %s", query, why)
        return {"query": query, "prometheus": "", "value": None, "series": 0, "skipped": why}
    try:
        found = promql.query_value(base, query, empty=empty, timeout_s=timeout_s)
    except EntdrillError as error:
        raise ActivityFailed(f"promql_value: {error}") from error
    logger.info("PromQL %r on %s: %s", query, base, found.value)
    return {
        "query": query,
        "prometheus": base,
        "value": found.value,
        "series": found.series,
        "skipped": "",
    }

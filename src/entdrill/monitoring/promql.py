"""PromQL against a Prometheus: one instant query, its value as a number, its errors as sentences.

``GET /api/v1/query``, with a timeout on the HTTP call (chaostoolkit-prometheus's ``query`` has
none, returns Prometheus's JSON as is, and reports a rejected expression as a dump of the query
parameters and the answer body). The value of a query is the one number it gives: a scalar, or
the sum of an instant vector's samples (``empty`` when the vector is empty: a ratio of no
requests). A range vector is refused: ask for a number (``rate``, ``max_over_time``...).
"""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from entdrill.errors import EntdrillError, MonitoringUnreachable

TIMEOUT_S = 5.0


class PromqlRejected(EntdrillError):
    """Prometheus refused the expression (a parse or evaluation error); its words are kept."""


@dataclass(frozen=True)
class PromqlValue:
    query: str
    prometheus: str
    value: float | None  # None: no sample and no ``empty`` value
    series: int  # how many samples the instant vector held (1 for a scalar)


def query_value(
    base_url: str, query: str, *, empty: float | None = 0.0, timeout_s: float = TIMEOUT_S
) -> PromqlValue:
    """Evaluate ``query`` now on the Prometheus at ``base_url`` (see the module docstring)."""
    url = base_url.rstrip("/") + "/api/v1/query?" + urllib.parse.urlencode({"query": query})
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:  # noqa: S310
            body = json.loads(response.read())
    except urllib.error.HTTPError as error:
        body = _error_body(error)
        if body is None:
            raise MonitoringUnreachable(
                f"Prometheus at {base_url} answered HTTP {error.code} to the query {query!r}"
            ) from error
    except (OSError, ValueError) as error:
        raise MonitoringUnreachable(f"cannot query Prometheus at {base_url}: {error}") from error
    return parse(base_url, query, body, empty)


def _error_body(error: urllib.error.HTTPError) -> dict[str, Any] | None:
    try:
        body = json.loads(error.read())
    except (OSError, ValueError):
        return None
    return body if isinstance(body, dict) and body.get("status") == "error" else None


def parse(base_url: str, query: str, body: Any, empty: float | None) -> PromqlValue:
    """The number in Prometheus's answer ``body`` (pure)."""
    if not isinstance(body, dict):
        raise MonitoringUnreachable(f"Prometheus at {base_url} did not answer a JSON object")
    if body.get("status") != "success":
        kind = body.get("errorType") or "error"
        words = str(body.get("error") or "no reason given").rstrip(".")
        raise PromqlRejected(
            f"Prometheus at {base_url} rejected the PromQL {query!r} ({kind}): {words}"
        )
    data = body.get("data") or {}
    kind, result = data.get("resultType"), data.get("result")
    if kind == "scalar" and isinstance(result, list) and len(result) == 2:
        return PromqlValue(query, base_url, _number(result[1]), 1)
    if kind == "vector" and isinstance(result, list):
        if not result:
            return PromqlValue(query, base_url, empty, 0)
        total = math.fsum(_number(sample.get("value", [0, "NaN"])[1]) for sample in result)
        return PromqlValue(query, base_url, total, len(result))
    raise PromqlRejected(
        f"the PromQL {query!r} gives a {kind or 'result'} at {base_url}, not a number; "
        "wrap it in an aggregation such as sum(...), max_over_time(...[1m]) or rate(...[1m])"
    )


def _number(text: Any) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan

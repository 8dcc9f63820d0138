"""PromQL probes: a number from Prometheus, or Prometheus's own error in one sentence."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from chaoslib.exceptions import ActivityFailed

from actions.monitoring.probes import promql_value
from actions.monitoring.tolerances import promql_at_most
from entdrill.errors import MonitoringUnreachable
from entdrill.monitoring import promql
from entdrill.monitoring.promql import PromqlRejected, parse
from entdrill.testing import free_port
from tests.monitoring.support import needs_monitoring, prometheus_server


def vector(*values: str) -> dict[str, object]:
    result = [{"metric": {"job": f"j{i}"}, "value": [1.0, v]} for i, v in enumerate(values)]
    return {"status": "success", "data": {"resultType": "vector", "result": result}}


def test_an_instant_vector_is_the_sum_of_its_samples() -> None:
    found = parse("http://p", "q", vector("0.25", "0.5"), 0.0)
    assert (found.value, found.series) == (0.75, 2)


def test_an_empty_vector_is_the_empty_value() -> None:
    assert parse("http://p", "q", vector(), 0.0).value == 0.0
    assert parse("http://p", "q", vector(), None).value is None


def test_a_scalar_is_its_value() -> None:
    body = {"status": "success", "data": {"resultType": "scalar", "result": [1.0, "3"]}}
    assert parse("http://p", "q", body, 0.0).value == 3.0


def test_a_range_vector_is_refused_with_what_to_write_instead() -> None:
    body = {"status": "success", "data": {"resultType": "matrix", "result": []}}
    with pytest.raises(PromqlRejected, match=r"gives a matrix .* not a number; wrap it"):
        parse("http://p", "up[1m]", body, 0.0)


def test_a_rejected_expression_is_one_sentence_with_prometheus_words() -> None:
    body = {"status": "error", "errorType": "bad_data", "error": "1:5: parse error: x"}
    with pytest.raises(PromqlRejected) as caught:
        parse("http://p", "sum((", body, 0.0)
    assert str(caught.value) == (
        "Prometheus at http://p rejected the PromQL 'sum((' (bad_data): 1:5: parse error: x"
    )


def test_an_unreachable_prometheus_is_unreachable_not_a_value() -> None:
    with pytest.raises(MonitoringUnreachable, match="cannot query Prometheus at"):
        promql.query_value(f"http://127.0.0.1:{free_port()}", "up", timeout_s=1.0)


def test_without_a_prometheus_the_probe_is_skipped_and_says_so() -> None:
    found = promql_value("up", configuration={"prometheus_base_url": ""})
    assert found["skipped"] == "no Prometheus: prometheus_base_url is empty"
    assert found["value"] is None
    assert promql_at_most(found, 0.01) is True


def test_the_tolerance_judges_the_value() -> None:
    assert promql_at_most({"value": 0.01, "skipped": ""}, 0.01) is True
    assert promql_at_most({"value": 0.02, "skipped": ""}, 0.01) is False
    assert promql_at_most({"value": math.nan, "skipped": ""}, 0.01) is False
    assert promql_at_most({"value": None, "skipped": ""}, 0.01) is False


@needs_monitoring
def test_real_prometheus_evaluates_and_rejects(tmp_path: Path) -> None:
    with prometheus_server(tmp_path / "prom") as url:
        configuration = {"prometheus_base_url": url}
        found = promql_value("vector(0.25) + vector(0.5)", configuration=configuration)
        assert found["value"] == 0.75 and found["prometheus"] == url
        empty = promql_value('up{job="nothing"}', empty=0.0, configuration=configuration)
        assert empty["value"] == 0.0 and empty["series"] == 0
        with pytest.raises(ActivityFailed) as caught:
            promql_value("sum((up)", configuration=configuration)
    message = str(caught.value)
    assert message.startswith(
        f"promql_value: Prometheus at {url} rejected the PromQL 'sum((up)' (bad_data): "
    )
    assert "parse error" in message and "\n" not in message

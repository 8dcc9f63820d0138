"""Prometheus text metrics for sandbox components: counters, gauges and one latency histogram."""

from __future__ import annotations

import threading
from collections import defaultdict

BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """Counters and gauges with labels, rendered in the Prometheus text format."""

    def __init__(self, component: str, prefix: str = "entdrill_sandbox") -> None:
        self.component = component
        self.prefix = prefix
        self._lock = threading.Lock()
        self._counters: dict[tuple[str, tuple[tuple[str, str], ...]], float] = defaultdict(float)
        self._gauges: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
        self._buckets = [0] * len(BUCKETS_S)
        self._latency_sum = 0.0
        self._latency_count = 0

    def inc(self, name: str, amount: float = 1.0, **labels: str) -> None:
        with self._lock:
            self._counters[(name, tuple(sorted(labels.items())))] += amount

    def gauge(self, name: str, value: float, **labels: str) -> None:
        with self._lock:
            self._gauges[(name, tuple(sorted(labels.items())))] = value

    def observe_request(self, method: str, status: int, seconds: float) -> None:
        self.inc("http_requests_total", method=method, status=str(status))
        with self._lock:
            self._latency_sum += seconds
            self._latency_count += 1
            for i, bound in enumerate(BUCKETS_S):
                if seconds <= bound:
                    self._buckets[i] += 1

    def render(self) -> str:
        lines: list[str] = []
        base = f'component="{self.component}"'
        with self._lock:
            for kind, series in (("counter", self._counters), ("gauge", self._gauges)):
                seen: set[str] = set()
                for (name, labels), value in sorted(series.items()):
                    full = f"{self.prefix}_{name}"
                    if full not in seen:
                        lines.append(f"# TYPE {full} {kind}")
                        seen.add(full)
                    extra = "".join(f',{k}="{v}"' for k, v in labels)
                    lines.append(f"{full}{{{base}{extra}}} {value:g}")
            full = f"{self.prefix}_http_request_duration_seconds"
            lines.append(f"# TYPE {full} histogram")
            for bound, count in zip(BUCKETS_S, self._buckets, strict=True):
                lines.append(f'{full}_bucket{{{base},le="{bound}"}} {count}')
            lines.append(f'{full}_bucket{{{base},le="+Inf"}} {self._latency_count}')
            lines.append(f"{full}_sum{{{base}}} {self._latency_sum:.6f}")
            lines.append(f"{full}_count{{{base}}} {self._latency_count}")
        return "\n".join(lines) + "\n"

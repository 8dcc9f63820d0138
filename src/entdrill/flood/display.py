"""The live display of a flood on a terminal: one line, rewritten every second.

``t=12s  asked 100/s  achieved 99/s  in flight 34  p50 120 ms  p95 480 ms  errors 3``

Progress lines come from every shard process; :class:`Display` adds up the shards' numbers of
the same second and merges their latency histograms of that second for p50/p95.
"""

from __future__ import annotations

from typing import Any, TextIO

from hdrh.histogram import HdrHistogram

from entdrill.flood.stats import new_histogram


class Display:
    def __init__(self, stream: TextIO, shards: int = 1) -> None:
        self.stream = stream
        self.shards = shards
        self.pending: dict[int, list[dict[str, Any]]] = {}
        self.errors = 0
        self.shown = -1

    def update(self, line: dict[str, Any]) -> None:
        """Take one shard's progress line; show the second once every shard has reported it."""
        second = int(line["second"])
        parts = self.pending.setdefault(second, [])
        parts.append(line)
        if len(parts) >= self.shards:
            self.show(second, self.pending.pop(second))

    def show(self, second: int, parts: list[dict[str, Any]]) -> None:
        if second <= self.shown:
            return
        self.shown = second
        histogram: HdrHistogram = new_histogram()
        for part in parts:
            if part.get("latency"):
                histogram.decode_and_add(part["latency"])
        total = {k: sum(int(p[k]) for p in parts) for k in ("asked", "achieved", "in_flight")}
        self.errors += sum(int(p["failed"]) for p in parts)
        if histogram.get_total_count():
            p50 = histogram.get_value_at_percentile(50) / 1000
            p95 = histogram.get_value_at_percentile(95) / 1000
            latency = f"p50 {p50:,.0f} ms  p95 {p95:,.0f} ms"
        else:
            latency = "p50 -  p95 -"
        self.stream.write(
            f"\rt={second + 1}s  asked {total['asked']}/s  achieved {total['achieved']}/s  "
            f"in flight {total['in_flight']}  {latency}  errors {self.errors}\x1b[K"
        )
        self.stream.flush()

    def close(self) -> None:
        for second in sorted(self.pending):
            self.show(second, self.pending[second])
        self.pending.clear()
        if self.shown >= 0:
            self.stream.write("\n")
            self.stream.flush()

"""The shape of a flood report read back from a file: every field ``flood merge`` uses, checked.

A report is JSON a person may have edited, truncated or produced with another tool. Before it is
merged, :func:`check` verifies each field the merge reads (types, counts that are whole numbers
of at least 0, finite times, shard indices within the shard count, per-second series of bounded
length) and :func:`decode_histogram` decodes a histogram only when it has this engine's settings
and a bounded size, so a crafted one cannot make the decoder allocate without limit. Each
refusal is one sentence naming the file and the field.
"""

from __future__ import annotations

import math
from typing import Any

from hdrh.codec import HdrHistogramEncoder
from hdrh.histogram import HdrHistogram

from entdrill.errors import InvalidArgument
from entdrill.flood.stats import Series, new_histogram

MAX_ENCODED = 64 * 1024  # a full 1 µs to 1 h histogram encodes to about 14 KB
MAX_SECONDS = 2 * 86_400  # per-second series: a storm lasts at most a day (and its drain)
MAX_SHARDS = 100_000
COUNTS = ("asked", "started", "completed", "failed")


def check(data: Any, name: str) -> dict[str, Any]:
    """``data`` when it has the shape of a flood report (see the module docstring)."""
    path = _Path(name)
    report = path.mapping(data, "")
    path.text(report, "target")
    schedule = path.mapping(report.get("schedule"), "schedule")
    path.text(schedule, "fingerprint", "schedule.")
    shards = path.mapping(report.get("shards"), "shards")
    count = path.count(shards.get("count"), "shards.count", low=1, high=MAX_SHARDS)
    indices = shards.get("indices")
    if not isinstance(indices, list) or not indices:
        raise path.wrong("shards.indices", "a non-empty list of shard numbers", indices)
    for i, index in enumerate(indices):
        path.count(index, f"shards.indices[{i}]", high=count - 1)
    for field in ("started_at", "ended_at"):
        value = report.get(field)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise path.wrong(field, "a time in seconds", value)
    path.text(report, "stopped_by")
    path.counts(report.get("totals"), "totals")
    path.counts(report.get("errors"), "errors")
    path.count(report.get("max_in_flight"), "max_in_flight")
    path.histogram(report.get("dispatch_lag"), "dispatch_lag")
    series = path.mapping(report.get("series"), "series")
    if "asked" not in series:
        raise path.wrong("series", "per-second series including asked", sorted(series))
    for key, values in series.items():
        if key not in Series.NAMES:
            raise path.wrong("series", f"series among {', '.join(Series.NAMES)}", key)
        if not isinstance(values, list) or len(values) > MAX_SECONDS:
            raise path.wrong(f"series.{key}", f"a list of at most {MAX_SECONDS} counts", values)
        for i, value in enumerate(values):
            path.count(value, f"series.{key}[{i}]")
    scenarios = path.mapping(report.get("scenarios"), "scenarios")
    for scenario, part in scenarios.items():
        where = f"scenarios.{scenario}"
        entry = path.mapping(part, where)
        for key in COUNTS:
            path.count(entry.get(key), f"{where}.{key}")
        path.counts(entry.get("errors"), f"{where}.errors")
        steps = path.mapping(entry.get("steps"), f"{where}.steps")
        for step, value in steps.items():
            item = path.mapping(value, f"{where}.steps.{step}")
            path.count(item.get("count"), f"{where}.steps.{step}.count")
            path.counts(item.get("errors"), f"{where}.steps.{step}.errors")
            if "histogram" in item:
                path.histogram(item, f"{where}.steps.{step}")
        if entry.get("login") is not None:
            path.histogram(entry.get("login"), f"{where}.login")
        path.histogram(entry.get("journey"), f"{where}.journey")
    return report


def decode_histogram(encoded: Any, where: str = "histogram") -> HdrHistogram:
    """The histogram ``encoded`` (HdrHistogram's compressed base64), checked before decoding."""
    if not isinstance(encoded, str) or not 0 < len(encoded) <= MAX_ENCODED:
        raise InvalidArgument(
            f"{where}: expected an encoded histogram of at most {MAX_ENCODED} characters"
        )
    ours = new_histogram()
    try:
        payload = HdrHistogramEncoder.decode(encoded, True)
        settings = payload.payload
        found = (
            settings.lowest_trackable_value,
            settings.highest_trackable_value,
            settings.significant_figures,
        )
        expected = (
            ours.lowest_trackable_value,
            ours.highest_trackable_value,
            ours.significant_figures,
        )
        if found != expected:
            raise InvalidArgument(
                f"{where}: the histogram tracks {found[0]} to {found[1]} with {found[2]} figures, "
                f"not {expected[0]} to {expected[1]} with {expected[2]} like entdrill's"
            )
        return HdrHistogram(*found, hdr_payload=payload)
    except InvalidArgument:
        raise
    except Exception as error:  # hdrh raises its own, binascii, zlib and ctypes errors
        raise InvalidArgument(
            f"{where}: the histogram cannot be decoded ({error or type(error).__name__})"
        ) from None


class _Path:
    """Sentences naming the report and the field."""

    def __init__(self, name: str) -> None:
        self.name = name

    def wrong(self, field: str, expected: str, value: Any) -> InvalidArgument:
        shown = repr(value)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        where = f"{self.name}: {field}" if field else self.name
        return InvalidArgument(
            f"{where}: expected {expected}, got {shown}; is it an entdrill flood report?"
        )

    def mapping(self, value: Any, field: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.wrong(field, "an object", value)
        return value

    def text(self, data: dict[str, Any], key: str, prefix: str = "") -> str:
        value = data.get(key)
        if not isinstance(value, str):
            raise self.wrong(prefix + key, "text", value)
        return value

    def count(self, value: Any, field: str, *, low: int = 0, high: int = 2**62) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.wrong(field, f"a whole number from {low} to {high}", value)
        return value

    def counts(self, value: Any, field: str) -> None:
        for key, item in self.mapping(value, field).items():
            self.count(item, f"{field}.{key}")

    def histogram(self, value: Any, field: str) -> None:
        entry = self.mapping(value, field)
        if not isinstance(entry.get("histogram"), str):
            raise self.wrong(f"{field}.histogram", "an encoded histogram", entry.get("histogram"))
        decode_histogram(entry["histogram"], f"{self.name}: {field}.histogram")

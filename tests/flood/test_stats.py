"""Latencies recorded in bulk land in the same HDR buckets as one record_value at a time."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from entdrill.flood.stats import HIGHEST_US, LOWEST_US, Recorder, add_values, new_histogram

latencies = st.lists(st.integers(min_value=-10, max_value=2 * HIGHEST_US), max_size=200)


@settings(deadline=None, max_examples=200)
@given(latencies, latencies)
def test_bulk_recording_equals_recording_each_value(first: list[int], second: list[int]) -> None:
    one_by_one, bulk = new_histogram(), new_histogram()
    for value in first + second:
        one_by_one.record_value(min(max(value, LOWEST_US), HIGHEST_US))
    add_values(bulk, first)
    add_values(bulk, second)
    assert bulk.encode() == one_by_one.encode()
    assert bulk.get_total_count() == one_by_one.get_total_count() == len(first + second)
    assert bulk.get_min_value() == one_by_one.get_min_value()
    assert bulk.get_max_value() == one_by_one.get_max_value()


def test_a_recorder_adds_what_it_recorded_when_flushed_and_forgets_it_on_reset() -> None:
    recorder = Recorder()
    for value in (120, 120, 4_500, 3_000_000):
        recorder.record(value)
    assert recorder.histogram.get_total_count() == 0  # nothing added before a flush
    histogram = recorder.flush()
    assert histogram.get_total_count() == 4
    assert histogram.get_max_value() == histogram.get_highest_equivalent_value(3_000_000)
    assert recorder.flush().get_total_count() == 4  # flushing twice adds nothing
    recorder.record(7)
    recorder.reset()
    assert recorder.flush().get_total_count() == 0

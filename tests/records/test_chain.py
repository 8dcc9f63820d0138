"""The hash chain, pure: whatever single field of whichever event is changed, verification
points at that event; an intact chain always verifies."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from entdrill.records.chain import chain_events, verify_events
from entdrill.records.models import DrillRecord, Event

T0 = datetime(2026, 3, 30, 5, 45, tzinfo=UTC)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=5,
)
items = st.lists(
    st.tuples(
        st.integers(0, 10_000),
        st.sampled_from(["announce", "inject", "verify"]),
        st.text(min_size=1, max_size=8),
        st.dictionaries(st.text(max_size=5), json_values, max_size=4),
    ),
    min_size=1,
    max_size=8,
)


def chained(raw: list[tuple[int, str, str, dict[str, object]]]) -> tuple[DrillRecord, list[Event]]:
    events = chain_events(
        "d1", [(T0 + timedelta(seconds=s), phase, kind, data) for s, phase, kind, data in raw]
    )
    drill = DrillRecord(
        id="d1",
        plan_name="p",
        plan_path="p.yaml",
        plan_digest="x",
        target="sandbox",
        started_at=T0,
        status="running",
        last_seq=events[-1].seq,
        head_hash=events[-1].hash,
    )
    return drill, events


@settings(deadline=None, max_examples=25)
@given(items)
def test_an_intact_chain_verifies(raw: list[tuple[int, str, str, dict[str, object]]]) -> None:
    drill, events = chained(raw)
    report = verify_events(drill, events)
    assert report.ok and report.checked == len(events)


@settings(deadline=None, max_examples=25)
@given(items, st.data())
def test_a_changed_field_is_reported_at_its_event(
    raw: list[tuple[int, str, str, dict[str, object]]], data: st.DataObject
) -> None:
    drill, events = chained(raw)
    index = data.draw(st.integers(0, len(events) - 1))
    event = events[index]
    field = data.draw(st.sampled_from(["at", "phase", "kind", "data"]))
    changed = {
        "at": event.at + timedelta(microseconds=1),
        "phase": event.phase + "!",
        "kind": event.kind + "!",
        "data": {**event.data, "tampered": True},
    }[field]
    events[index] = replace(event, **{field: changed})
    report = verify_events(drill, events)
    assert not report.ok
    assert report.first_bad_seq == event.seq


@settings(deadline=None, max_examples=25)
@given(items, st.data())
def test_a_removed_event_is_reported_missing(
    raw: list[tuple[int, str, str, dict[str, object]]], data: st.DataObject
) -> None:
    drill, events = chained(raw)
    index = data.draw(st.integers(0, len(events) - 1))
    del events[index]
    report = verify_events(drill, events)
    assert [(p.seq, p.kind) for p in report.problems][:1] == [(index + 1, "missing")]

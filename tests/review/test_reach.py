"""The reach rows folded: streamed from the records or read from a list, the same summary."""

from __future__ import annotations

import pytest

from entdrill.errors import RecordsUnavailable
from entdrill.records import Records, open_records
from entdrill.review import source
from entdrill.review.reach import ReachSummary, fact_of, fold_reach, fold_rows, from_totals
from entdrill.review.source import reach_of

from .support import at, reach


def test_the_streamed_facts_are_the_reach_rows_folded_by_the_database(fleet: str) -> None:
    with open_records(fleet) as records:
        data = records.load_review_data()
        streamed = records.scan_reach(None, None, list)
    assert len(streamed) == len(data.reach) > 1000
    by_key = {(f[0], f[1], f[3]): f for f in streamed}
    assert by_key == {(r.drill_id, r.person, r.channel): fact_of(r) for r in data.reach}


def same_summary(one: ReachSummary, other: ReachSummary) -> None:
    assert one.people_sent == other.people_sent > 0
    assert one.any_ack_minutes == other.any_ack_minutes
    assert {p: (m.drills, m.group) for p, m in one.nowhere.items()} == {
        p: (m.drills, m.group) for p, m in other.nowhere.items()
    }
    assert one.channels.keys() == other.channels.keys()
    for name, channel in other.channels.items():
        mine = one.channels[name]
        assert (mine.sent, mine.delivered, mine.acknowledged) == (
            channel.sent,
            channel.delivered,
            channel.acknowledged,
        )
        assert (mine.drills, mine.sent_drills) == (channel.drills, channel.sent_drills)
        assert (mine.median_wait_s, mine.p90_wait_s) == (channel.median_wait_s, channel.p90_wait_s)
        assert mine.ack_minutes == channel.ack_minutes
        assert mine.per_drill == channel.per_drill
        assert {p: (m.drills, m.group) for p, m in mine.missed.items()} == {
            p: (m.drills, m.group) for p, m in channel.missed.items()
        }


def test_the_streamed_fold_is_the_fold_of_the_rows_in_memory(fleet: str) -> None:
    with open_records(fleet) as records:
        data = records.load_review_data()
        streamed = records.scan_reach(None, None, lambda facts: reach_of(data, facts))
    same_summary(streamed, fold_rows(data.reach))


def test_the_reach_folded_by_the_database_is_the_fold_of_the_rows_in_memory(fleet: str) -> None:
    with open_records(fleet) as records:
        data = records.load_review_data()
        totals = records.reach_totals(None, None)
    rank = {d.id: i for i, d in enumerate(data.drills)}
    assert totals.ended == rank.keys()
    same_summary(from_totals(totals, rank), fold_rows(data.reach))


def test_the_database_folds_the_reach_of_one_drill_or_a_window(fleet: str) -> None:
    with open_records(fleet) as records:
        data = records.load_review_data()
        drill = data.drills[len(data.drills) // 2]
        one = records.reach_totals(drill.started_at, None, drill.id)
        since, until = data.drills[10].started_at, data.drills[40].started_at
        window = records.reach_totals(since, until)
        window_data = records.load_review_data(since, until)
    rank = {d.id: i for i, d in enumerate(data.drills)}
    assert one.ended == {drill.id}
    mine = [r for r in data.reach if r.drill_id == drill.id]
    same_summary(from_totals(one, rank), fold_rows(mine))
    assert window.ended == {d.id for d in window_data.drills}
    same_summary(from_totals(window, rank), fold_rows(window_data.reach))


def test_the_review_folds_the_reach_on_its_own_connection_when_no_other_opens(
    fleet: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_records(fleet, mode="read") as records:
        _, _, beside, _ = source.load_review(records, None, None)

        def refused(self: Records) -> Records:
            raise RecordsUnavailable("too many connections")

        monkeypatch.setattr(Records, "twin", refused)
        _, _, alone, _ = source.load_review(records, None, None)
    same_summary(alone(), beside())


def test_a_person_missed_in_several_drills_keeps_the_group_of_the_first_row() -> None:
    rows = [
        reach("d2", "eve", "slack", day=7, failed=1, group="direction"),
        reach("d1", "eve", "slack", failed=1, group="enseignants"),
        reach("d1", "ana", "slack", delivered=1, acked=30),
    ]
    summary = fold_rows(rows)
    missed = summary.channels["slack"].missed["eve"]
    assert (missed.drills, missed.group) == (2, "direction")
    assert summary.nowhere["eve"].group == "direction"
    assert summary.people_sent == 3
    assert summary.channels["slack"].median_wait_s == 30.0


def test_rows_of_a_drill_must_come_together_when_streamed() -> None:
    rows = [
        reach("d1", "ana", "slack", acked=30),
        reach("d2", "ana", "slack", day=1, acked=30),
        reach("d1", "ben", "slack", acked=60),
    ]
    with pytest.raises(ValueError, match="reach rows of drill d1 are not together"):
        fold_reach(enumerate(fact_of(row) for row in rows))


def test_drills_left_out_count_for_nothing() -> None:
    rows = [reach("d1", "ana", "slack", acked=30), reach("d2", "ben", "sms", day=1, failed=2)]
    summary = fold_reach(enumerate(fact_of(row) for row in rows), {"d1": at(0)})
    assert list(summary.channels) == ["slack"]
    assert summary.people_sent == 1 and not summary.nowhere

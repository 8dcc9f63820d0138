"""Reading the communications ledger: states per person and channel, time to acknowledge, and
which channel reached each person in the end (pure, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from entdrill.records import LedgerEntry, by_person, fold, never_reached, states_by_channel

T0 = datetime(2026, 3, 30, 5, 45, tzinfo=UTC)


def entry(n: int, person: str, channel: str, state: str, after_s: float) -> LedgerEntry:
    return LedgerEntry(
        id=f"e{n:03d}",
        drill_id="d1",
        person=person,
        channel=channel,
        state=state,  # type: ignore[arg-type]
        at=T0 + timedelta(seconds=after_s),
        group="enseignants",
    )


# Léa answers on Slack; Hugo ignores Slack and acknowledges the SMS escalation; Zoé's Slack DM is
# delivered but she never answers, and her SMS fails; Paul's email is refused and Slack fails.
ENTRIES = [
    entry(1, "lea", "slack", "sent", 0),
    entry(2, "lea", "slack", "delivered", 1),
    entry(3, "lea", "slack", "acknowledged", 95),
    entry(4, "hugo", "slack", "sent", 0),
    entry(5, "hugo", "slack", "delivered", 1),
    entry(6, "hugo", "sms", "sent", 600),
    entry(7, "hugo", "sms", "delivered", 610),
    entry(8, "hugo", "sms", "acknowledged", 720),
    entry(9, "zoe", "slack", "sent", 0),
    entry(10, "zoe", "slack", "delivered", 1),
    entry(11, "zoe", "sms", "sent", 600),
    entry(12, "zoe", "sms", "failed", 660),
    entry(13, "paul", "email", "refused", 2),
    entry(14, "paul", "slack", "sent", 0),
    entry(15, "paul", "slack", "failed", 1),
]


def test_states_per_person_and_channel_come_in_time_order() -> None:
    states = states_by_channel(reversed(ENTRIES))
    assert states["hugo"] == {
        "slack": ["sent", "delivered"],
        "sms": ["sent", "delivered", "acknowledged"],
    }
    assert states["paul"] == {"slack": ["sent", "failed"], "email": ["refused"]}


def test_fold_keeps_the_first_time_of_each_state() -> None:
    rows = {
        (r.person, r.channel): r
        for r in fold([*ENTRIES, entry(16, "lea", "slack", "acknowledged", 300)])
    }
    lea = rows[("lea", "slack")]
    assert (lea.sent_at, lea.acknowledged_at) == (T0, T0 + timedelta(seconds=95))
    assert lea.time_to_ack_s == 95.0
    assert rows[("hugo", "slack")].time_to_ack_s is None
    assert rows[("paul", "email")].refused_at == T0 + timedelta(seconds=2)
    assert [(r.person, r.channel) for r in fold(ENTRIES)] == sorted(rows)


def test_the_channel_that_reached_each_person_in_the_end() -> None:
    reach = {p.person: p for p in by_person(fold(ENTRIES))}
    assert (reach["lea"].outcome, reach["lea"].reached_by, reach["lea"].time_to_ack_s) == (
        "acknowledged",
        "slack",
        95.0,
    )
    # Hugo's time to acknowledge counts from the first message, on Slack, not from the SMS.
    assert (reach["hugo"].outcome, reach["hugo"].reached_by, reach["hugo"].time_to_ack_s) == (
        "acknowledged",
        "sms",
        720.0,
    )
    assert (reach["zoe"].outcome, reach["zoe"].reached_by) == ("delivered", "slack")
    assert (reach["paul"].outcome, reach["paul"].reached_by) == ("not_reached", None)
    assert [p.person for p in never_reached(fold(ENTRIES))] == ["paul"]

"""The channel contract, shown with the memory fake: labels, allow-list, acknowledgements."""

from entdrill.channels import DRILL_LABEL, LedgerState, Message, Recipient
from entdrill.channels.memory import MemoryChannel

ALICE = Recipient("alice", "Alice", email="alice@ecole.test")
BOB = Recipient("bob", "Bob", email="bob@ecole.test")
MALLORY = Recipient("mallory", "Mallory", email="mallory@example.invalid")


def message(text: str = "Basculez sur la salle de secours") -> Message:
    return Message("drill-1", "n-1", "Continuité", text)


def test_every_message_carries_the_drill_label() -> None:
    channel = MemoryChannel("mail", [ALICE])
    channel.send(message(), [ALICE])
    sent, _ = channel.sent[0]
    assert sent.text.startswith(f"[{DRILL_LABEL}]")
    assert DRILL_LABEL in sent.subject


def test_a_recipient_outside_the_audience_is_refused_and_never_sent() -> None:
    channel = MemoryChannel("mail", [ALICE, BOB])
    events = channel.send(message(), [ALICE, MALLORY])
    assert {(e.person_id, e.state) for e in events} == {
        ("alice", LedgerState.SENT),
        ("mallory", LedgerState.REFUSED),
    }
    assert [r.person_id for _, r in channel.sent] == ["alice"]


def test_same_id_with_other_addresses_is_not_in_the_audience() -> None:
    channel = MemoryChannel("mail", [ALICE])
    impostor = Recipient("alice", "Alice", email="alice@example.invalid")
    events = channel.send(message(), [impostor])
    assert [e.state for e in events] == [LedgerState.REFUSED]


def test_a_failing_channel_reports_failed_events_with_the_cause() -> None:
    channel = MemoryChannel("mail", [ALICE], fail_with="SMTP 421 service not available")
    events = channel.send(message(), [ALICE])
    assert events[0].state is LedgerState.FAILED
    assert events[0].evidence["cause"] == "SMTP 421 service not available"


def test_poll_reports_acknowledgements_once() -> None:
    channel = MemoryChannel("slack", [ALICE])
    channel.send(message(), [ALICE])
    channel.acknowledge("alice", how="reaction")
    assert [e.state for e in channel.poll()] == [LedgerState.ACKNOWLEDGED]
    assert channel.poll() == []

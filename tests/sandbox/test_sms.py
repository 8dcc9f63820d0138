"""The SMS gateway: a real process on loopback, and its delivery model on a hand-held clock."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from entdrill.population import read_csv
from entdrill.sandbox.sms_messages import SENT_AFTER_S, InvalidMessage, SmsGateway
from entdrill.sandbox.state import SandboxState
from entdrill.testing import free_config, prepare_sandbox_dir
from tests.sandbox.component_process import component, http, wait_until

UNKNOWN = "+33999999999"


class Sms:
    def __init__(self, base: str, state: SandboxState, phones: list[str]) -> None:
        self.base = base
        self.token = state.secrets.sms_token
        self.admin = state.secrets.admin_token
        self.phones = phones

    def send(self, to: str, text: str = "Exercice : l'ENT est indisponible", **extra: Any) -> Any:
        reply = http(
            "POST",
            self.base + "/v1/messages",
            body={"to": to, "text": text, **extra},
            token=self.token,
        )
        assert reply.status == 201, reply
        return reply.json()

    def settled(self, message_id: str) -> dict[str, Any]:
        found: dict[str, Any] = {}

        def done() -> bool:
            found.update(
                http("GET", f"{self.base}/v1/messages/{message_id}", token=self.token).json()
            )
            return found["status"] in ("delivered", "failed")

        assert wait_until(done, timeout_s=15), found
        return found


@pytest.fixture(scope="module")
def sms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sms]:
    directory: Path = tmp_path_factory.mktemp("sms-sandbox")
    state = prepare_sandbox_dir(directory, free_config())
    phones = [p.phone for p in read_csv(directory / "population.csv") if p.phone]
    with component("sms", directory) as base:
        yield Sms(base, state, phones)


def test_a_message_to_a_population_phone_is_delivered_and_lands_in_its_outbox(sms: Sms) -> None:
    phone = sms.phones[0]
    sent = sms.send(phone, "Cours en visio à 9 h", **{"from": "ENT"})
    assert sent["status"] == "queued" and sent["to"] == phone and sent["id"]
    settled = sms.settled(sent["id"])
    assert settled["status"] == "delivered"
    assert settled["error"] is None and settled["delivered_at"] >= settled["created_at"]

    outbox = http("GET", f"{sms.base}/v1/outbox?to=%2B{phone[1:]}&since=0", token=sms.admin).json()
    [received] = [m for m in outbox["messages"] if m["id"] == sent["id"]]
    assert received["text"] == "Cours en visio à 9 h" and received["from"] == "ENT"
    later = http(
        "GET", f"{sms.base}/v1/outbox?to=%2B{phone[1:]}&since={received['seq']}", token=sms.admin
    )
    assert later.json()["messages"] == []


def test_a_message_to_an_unknown_number_fails_and_reaches_no_one(sms: Sms) -> None:
    sent = sms.send(UNKNOWN)
    settled = sms.settled(sent["id"])
    assert (settled["status"], settled["error"]) == ("failed", "unknown number")
    outbox = http("GET", f"{sms.base}/v1/outbox?since=0", token=sms.admin).json()
    assert sent["id"] not in [m["id"] for m in outbox["messages"]]


def test_wrong_tokens_are_refused_with_401(sms: Sms) -> None:
    body = {"to": sms.phones[0], "text": "x"}
    for token in ("wrong", None, sms.admin):
        reply = http("POST", sms.base + "/v1/messages", body=body, token=token)
        assert reply.status == 401 and "token" in reply.json()["error"]
    assert http("GET", sms.base + "/v1/outbox", token=sms.token).status == 401
    assert http("GET", sms.base + "/v1/inbound", token="wrong").status == 401


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"to": "0612345678", "text": "x"}, "to must be a phone number"),
        ({"to": "+33 6 12 34 56 78", "text": "x"}, "to must be a phone number"),
        ({"to": "+3361", "text": "x"}, "to must be a phone number"),
        ({"to": "+33612345678", "text": "  "}, "text must be a non-empty string"),
        ({"to": "+33612345678"}, "text must be a non-empty string"),
    ],
)
def test_malformed_numbers_and_empty_texts_are_refused_with_400(
    sms: Sms, body: dict[str, str], named: str
) -> None:
    reply = http("POST", sms.base + "/v1/messages", body=body, token=sms.token)
    assert reply.status == 400
    assert named in reply.json()["error"]


def test_a_reply_from_a_phone_is_read_by_the_drill(sms: Sms) -> None:
    sent = sms.send(sms.phones[1])
    before = http("GET", sms.base + "/v1/inbound?since=0", token=sms.token).json()["messages"]
    reply = {"from": sms.phones[1], "text": "OK", "in_reply_to": sent["id"]}
    posted = http("POST", sms.base + "/v1/inbound", body=reply, token=sms.admin)
    assert posted.status == 201
    seq = posted.json()["seq"]
    after = http("GET", f"{sms.base}/v1/inbound?since={len(before)}", token=sms.token).json()[
        "messages"
    ]
    assert [(m["seq"], m["from"], m["text"], m["in_reply_to"]) for m in after] == [
        (seq, sms.phones[1], "OK", sent["id"])
    ]
    assert after[0]["received_at"].endswith("Z")
    assert http("GET", f"{sms.base}/v1/inbound?since={seq}", token=sms.token).json() == {
        "messages": []
    }
    unknown = {"from": sms.phones[1], "text": "OK", "in_reply_to": "SMnope"}
    assert http("POST", sms.base + "/v1/inbound", body=unknown, token=sms.admin).status == 400


def test_error_ratio_fails_messages_at_the_carrier_not_the_send(sms: Sms) -> None:
    faults = sms.base + "/_admin/faults"
    assert http("PUT", faults, body={"error_ratio": 1.0}, token=sms.admin).status == 200
    try:
        sent = sms.send(sms.phones[2])  # accepted: 201, not 500
        assert http("GET", f"{sms.base}/v1/messages/{sent['id']}", token=sms.token).status == 500
    finally:
        http("DELETE", faults, token=sms.admin)
    settled = sms.settled(sent["id"])
    assert (settled["status"], settled["error"]) == ("failed", "carrier error")


def test_unknown_message_id_is_404(sms: Sms) -> None:
    assert http("GET", sms.base + "/v1/messages/SMnope", token=sms.token).status == 404


# --- the delivery model, without a server --------------------------------------------------


class Draws(random.Random):
    """A random source whose delivery delays are given in advance."""

    def __init__(self, *delays: float) -> None:
        super().__init__(0)
        self.delays = list(delays)

    def uniform(self, a: float, b: float) -> float:
        return self.delays.pop(0)


def test_outbox_seq_follows_delivery_order_not_sending_order() -> None:
    gateway = SmsGateway({"+33600000001", "+33600000002"}, Draws(1.5, 0.5))
    slow = gateway.send("+33600000001", "first sent", None, 0.0)
    fast = gateway.send("+33600000002", "second sent", None, 0.0)
    assert slow.status(0.0) == "queued" and slow.status(SENT_AFTER_S) == "sent"
    gateway.advance(1.0)
    assert [m.id for m in gateway.outbox(None, 0, 10)] == [fast.id]
    assert slow.status(1.0) == "sent" and slow.view(1.0)["delivered_at"] is None
    gateway.advance(2.0)
    assert [(m.seq, m.id) for m in gateway.outbox(None, 0, 10)] == [(1, fast.id), (2, slow.id)]
    assert [m.id for m in gateway.outbox(None, 1, 10)] == [slow.id]
    assert [m.id for m in gateway.outbox("+33600000002", 0, 10)] == [fast.id]
    assert slow.view(2.0)["status"] == "delivered" and slow.view(2.0)["delivered_at"]


def test_delays_are_seeded_and_within_the_range() -> None:
    def delays(seed: int) -> list[float]:
        gateway = SmsGateway({"+33600000001"}, random.Random(seed), (0.2, 2.0))
        return [gateway.send("+33600000001", "x", None, 0.0).due_at for _ in range(20)]

    assert delays(7) == delays(7) != delays(8)
    assert all(0.2 <= d <= 2.0 for d in delays(7))


def test_senders_are_an_alphanumeric_id_or_a_number() -> None:
    gateway = SmsGateway(set(), random.Random(1))
    assert gateway.send("+33600000001", "x", "Mairie", 0.0).sender == "Mairie"
    assert gateway.send("+33600000001", "x", None, 0.0).sender == "ENT"
    with pytest.raises(InvalidMessage, match="from must be"):
        gateway.send("+33600000001", "x", "a sender far too long", 0.0)

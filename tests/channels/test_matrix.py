"""The Matrix channel against a real Synapse on loopback (the sandbox's own ``matrix`` component).

People registered by each test answer as the test says (reactions, replies); the simulated staff
answer in the last test. Rate limits are Synapse's own, set low for one bot where a test asks.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from entdrill.channels import DRILL_LABEL, LedgerEvent, LedgerState, Message, Recipient
from entdrill.channels.context import ChannelContext
from entdrill.channels.factory import check_matrix_room
from entdrill.channels.matrix import CONTENT_KEY, MatrixChannel
from entdrill.channels.matrix_client import MatrixConnection
from entdrill.errors import InvalidConfig
from entdrill.population import read_csv
from entdrill.sandbox import staff
from entdrill.sandbox.component import ComponentContext
from entdrill.sandbox.staff_profile import build_profiles, simulated
from entdrill.testing import free_port
from tests.channels.lossy_proxy import LossyProxy
from tests.channels.school import poll_until
from tests.sandbox.threaded_server import serving
from tests.synapse_support import Account, MatrixServer

NOTICE = "La visio est en panne : rejoignez la salle de secours, {name}. Réagissez pour accuser réception."


def message(notification: str = "start", ack: bool = True) -> Message:
    return Message("drill", notification, "Continuité", NOTICE, ack_requested=ack)


def recipient(account: Account) -> Recipient:
    local = account.user_id[1:].split(":")[0]
    return Recipient(local, local.title(), matrix_id=account.user_id)


def channel(
    synapse: MatrixServer,
    people: list[Recipient],
    connection: MatrixConnection | None = None,
    **options: Any,
) -> MatrixChannel:
    return MatrixChannel(
        "crisis-tchap",
        people,
        connection=connection or synapse.connection(),
        drill_id=f"drill-{uuid.uuid4().hex[:12]}",
        **options,
    )


def states(events: list[LedgerEvent]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for e in events:
        found.setdefault(e.person_id, []).append(e.state.value)
    return found


def new_room(synapse: MatrixServer, *members: Account, bot: Account | None = None) -> str:
    """A public room the bot creates, with ``members`` joined; its alias."""
    alias = f"r{uuid.uuid4().hex[:10]}"
    synapse.call(
        bot or synapse.accounts.bot,
        "POST",
        "/createRoom",
        {"room_alias_name": alias, "preset": "public_chat"},
    )
    for member in members:
        synapse.join(member, f"#{alias}:{synapse.domain}")
    return f"#{alias}:{synapse.domain}"


def test_a_room_post_is_delivered_to_its_members_labelled_and_failed_for_the_others(
    synapse: MatrixServer,
) -> None:
    inside, outside = synapse.user(), synapse.user()
    room = new_room(synapse, inside)
    made = channel(synapse, [recipient(inside), recipient(outside)], room=room)
    made.check()
    sent = made.send(message(), [recipient(inside), recipient(outside)])
    by_person = states(sent)
    assert by_person[recipient(inside).person_id] == ["sent", "delivered"]
    assert by_person[recipient(outside).person_id] == ["sent", "failed"]
    failed = next(e for e in sent if e.state is LedgerState.FAILED)
    assert failed.evidence["cause"] == f"not a member of {room}"
    room_id = synapse.call(synapse.accounts.bot, "GET", f"/directory/room/%23{room[1:]}")["room_id"]
    posted = synapse.messages(room_id)
    assert len(posted) == 1
    assert posted[0]["content"]["body"].startswith(f"[{DRILL_LABEL}] La visio est en panne")
    assert "{name}" not in posted[0]["content"]["body"]  # a room post names nobody
    assert posted[0]["content"][CONTENT_KEY]["notification_id"] == "start"
    assert sent[0].evidence["event_id"] == posted[0]["event_id"]


def test_direct_messages_open_one_room_per_person_and_the_next_drill_reuses_it(
    synapse: MatrixServer,
) -> None:
    bot = synapse.bot()
    eva, leo = synapse.user("eva"), synapse.user("leo")
    people = [recipient(eva), recipient(leo)]
    first = channel(synapse, people, connection=synapse.connection(bot), direct=True)
    events = first.send(message(), people)
    assert states(events) == {p.person_id: ["sent", "delivered"] for p in people}
    rooms = {e.person_id: e.evidence["room_id"] for e in events if e.state is LedgerState.SENT}
    assert len(set(rooms.values())) == 2
    assert set(synapse.invites(eva)) == {rooms[people[0].person_id]}
    synapse.join(eva, rooms[people[0].person_id])
    text = synapse.messages(rooms[people[0].person_id], eva)[0]["content"]["body"]
    assert text.startswith(f"[{DRILL_LABEL}]") and f"{people[0].name}." in text  # personalised
    again = channel(synapse, people, connection=synapse.connection(bot), direct=True)
    second = again.send(message("start-2"), people)
    assert {e.evidence["room_id"] for e in second if e.state is LedgerState.SENT} == set(
        rooms.values()
    )
    direct = synapse.call(bot, "GET", f"/user/{bot.user_id}/account_data/m.direct")
    assert direct == {p.matrix_id: [rooms[p.person_id]] for p in people}


def test_a_reaction_on_the_message_acknowledges_it_at_the_homeservers_time(
    synapse: MatrixServer,
) -> None:
    alice, bob, stranger = synapse.user(), synapse.user(), synapse.user()
    room = new_room(synapse, alice, bob, stranger)
    people = [recipient(alice), recipient(bob)]
    made = channel(synapse, people, room=room)
    sent = made.send(message(), people)
    room_id, event_id = sent[0].evidence["room_id"], sent[0].evidence["event_id"]
    other = synapse.say(alice, room_id, {"msgtype": "m.text", "body": "bonjour"})
    synapse.say(
        bob,
        room_id,
        {"m.relates_to": {"rel_type": "m.annotation", "event_id": other, "key": "👍"}},
        "m.reaction",
    )
    synapse.say(
        stranger,
        room_id,
        {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": "✅"}},
        "m.reaction",
    )
    reaction = synapse.say(
        alice,
        room_id,
        {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": "✅"}},
        "m.reaction",
    )
    events = poll_until(made, lambda found: len(found) >= 1, "alice's reaction")
    time.sleep(1.2)
    events += made.poll()
    assert [(e.person_id, e.state) for e in events] == [
        (people[0].person_id, LedgerState.ACKNOWLEDGED)
    ]
    ack = events[0]
    assert ack.evidence["how"] == "reaction" and ack.evidence["reaction"] == "✅"
    assert ack.evidence["answer_event_id"] == reaction
    served = synapse.call(alice, "GET", f"/rooms/{room_id}/event/{reaction}")
    assert ack.at.timestamp() == pytest.approx(served["origin_server_ts"] / 1000.0)


def test_a_reply_in_the_thread_or_to_the_message_acknowledges_it_and_ack_by_chooses(
    synapse: MatrixServer,
) -> None:
    threaded, quoting, reacting = synapse.user(), synapse.user(), synapse.user()
    room = new_room(synapse, threaded, quoting, reacting)
    people = [recipient(threaded), recipient(quoting), recipient(reacting)]
    made = channel(synapse, people, room=room, ack_by=["reply"])
    sent = made.send(message(), people)
    room_id, event_id = sent[0].evidence["room_id"], sent[0].evidence["event_id"]
    synapse.say(
        threaded,
        room_id,
        {
            "msgtype": "m.text",
            "body": "reçu",
            "m.relates_to": {"rel_type": "m.thread", "event_id": event_id},
        },
    )
    synapse.say(
        quoting,
        room_id,
        {
            "msgtype": "m.text",
            "body": "ok",
            "m.relates_to": {"m.in_reply_to": {"event_id": event_id}},
        },
    )
    synapse.say(
        reacting,
        room_id,
        {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": "✅"}},
        "m.reaction",
    )
    synapse.say(
        reacting, room_id, {"msgtype": "m.text", "body": "a message in the room, not a reply"}
    )
    events = poll_until(made, lambda found: len(found) >= 2, "two replies")
    time.sleep(1.2)
    events += made.poll()
    assert {e.person_id: e.evidence["text"] for e in events} == {
        people[0].person_id: "reçu",
        people[1].person_id: "ok",
    }
    assert all(e.evidence["how"] == "reply" for e in events)


def test_in_a_direct_room_any_message_after_it_acknowledges(synapse: MatrixServer) -> None:
    person = synapse.user()
    made = channel(synapse, [recipient(person)], direct=True)
    sent = made.send(message(), [recipient(person)])
    room_id = sent[0].evidence["room_id"]
    synapse.join(person, room_id)
    synapse.say(person, room_id, {"msgtype": "m.text", "body": "bien reçu"})
    events = poll_until(made, lambda found: len(found) >= 1, "the reply in the direct room")
    ack = events[0]
    assert ack.state is LedgerState.ACKNOWLEDGED and ack.person_id == recipient(person).person_id
    assert (ack.evidence["how"], ack.evidence["via"], ack.evidence["text"]) == (
        "reply",
        "dm",
        "bien reçu",
    )
    assert ack.evidence["event_id"] == sent[0].evidence["event_id"]


def test_a_429_from_synapse_is_waited_out_and_never_doubles_a_message(
    synapse: MatrixServer,
) -> None:
    bot = synapse.bot()
    synapse.limit(
        bot, per_second=1, burst=1
    )  # Synapse's own limiter: a 2nd send within 1 s is refused
    accounts = [synapse.user() for _ in range(3)]
    people = [recipient(a) for a in accounts]
    room = new_room(synapse, *accounts, bot=bot)
    made = channel(synapse, people, connection=synapse.connection(bot), room=room, direct=True)
    sent = made.send(message(), people)
    assert all(s == ["sent", "delivered", "sent", "delivered"] for s in states(sent).values())
    waits = {e.evidence["event_id"]: e.evidence["rate_limited_s"] for e in sent}
    assert len(waits) == 4 and any(w > 0 for w in waits.values())  # refused, then waited
    assert made.connection.rate_limited_s >= sum(waits.values()) > 0.3
    for room_id in {e.evidence["room_id"] for e in sent if e.state is LedgerState.SENT}:
        ours = [m for m in synapse.messages(room_id, bot) if CONTENT_KEY in m["content"]]
        assert len(ours) == 1  # one message per room, whatever the 429s


def test_a_rate_limit_longer_than_the_cap_fails_the_send_and_names_the_wait(
    synapse: MatrixServer,
) -> None:
    bot = synapse.bot()
    accounts = [synapse.user(), synapse.user()]
    people = [recipient(a) for a in accounts]
    room = new_room(synapse, *accounts, bot=bot)
    capped = synapse.connection(bot, rate_limit_cap_s=0.5)  # a drill that waits 0.5 s at most
    room_id = capped.join(room)
    synapse.limit(bot, per_second=1, burst=1)  # one message, then about 1 s to wait
    time.sleep(1.2)  # what the bot did before is forgotten: the next message is the one
    capped.send(room_id, {"msgtype": "m.text", "body": "before"}, txn=uuid.uuid4().hex)
    made = channel(synapse, people, connection=capped, room=room)
    sent = made.send(message(), people)
    assert capped.rate_limited_s == 0.0  # never slept
    assert states(sent) == {p.person_id: ["failed"] for p in people}
    cause = sent[0].evidence["cause"]
    assert cause.startswith("the Matrix homeserver rate-limited PUT /rooms/")
    assert "(M_LIMIT_EXCEEDED): asked to wait " in cause
    assert cause.endswith(" s, more than the 0.5 s a drill waits")
    assert [m["content"]["body"] for m in synapse.messages(room_id, bot)] == ["before"]


def test_a_send_whose_answer_is_lost_is_retried_with_the_same_transaction_and_posted_once(
    synapse: MatrixServer,
) -> None:
    person = synapse.user()
    room = new_room(synapse, person)
    lose = lambda line: line.startswith("PUT ") and "/send/m.room.message/" in line  # noqa: E731
    with LossyProxy(synapse.config.matrix_port, lose) as proxy:
        connection = MatrixConnection(proxy.url, synapse.accounts.bot.access_token, backoff_s=0.05)
        made = channel(synapse, [recipient(person)], connection=connection, room=room)
        sent = made.send(message(), [recipient(person)])
    puts = [line for line in proxy.seen if line.startswith("PUT ")]
    assert len(puts) == 2 and puts[0] == puts[1]  # the same transaction id, twice
    assert states(sent) == {recipient(person).person_id: ["sent", "delivered"]}
    assert sent[0].evidence["attempts"] == 2
    posted = [
        m for m in synapse.messages(sent[0].evidence["room_id"]) if CONTENT_KEY in m["content"]
    ]
    assert [m["event_id"] for m in posted] == [sent[0].evidence["event_id"]]


def test_a_wrong_token_fails_everyone_at_once_in_the_homeservers_words(
    synapse: MatrixServer,
) -> None:
    people = [recipient(synapse.user()), recipient(synapse.user())]
    lose = lambda line: False  # noqa: E731 - only counts the requests
    with LossyProxy(synapse.config.matrix_port, lose) as proxy:
        made = channel(
            synapse,
            people,
            connection=MatrixConnection(proxy.url, "syt_not_a_token_at_all"),
            direct=True,
            room=synapse.room,
        )
        made.check()  # the homeserver and the room are fine: no token is needed to know that
        before = len(proxy.seen)
        sent = made.send(message(), people)
        calls = proxy.seen[before:]
    assert states(sent) == {p.person_id: ["failed", "failed"] for p in people}
    causes = {e.evidence["cause"] for e in sent}
    assert len(causes) == 1 and causes.pop().startswith(
        "the Matrix homeserver refused the token (M_UNKNOWN_TOKEN"
    )
    assert len(calls) == 1  # the first refusal stops it: no call per person
    assert made.poll() == []


def test_a_room_that_does_not_exist_is_refused_before_anything_is_sent(
    synapse: MatrixServer,
) -> None:
    made = channel(synapse, [recipient(synapse.user())], room=f"#nowhere:{synapse.domain}")
    with pytest.raises(InvalidConfig) as refused:
        made.check()
    assert str(refused.value) == (
        f"channel 'crisis-tchap' (matrix): the Matrix room #nowhere:{synapse.domain} "
        f"does not exist on {synapse.url}"
    )


class NotMatrix(BaseHTTPRequestHandler):
    body = b'{"status": "ok", "service": "intranet"}'
    kind = "application/json"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", self.kind)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def not_matrix() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), NotMatrix)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_homeserver_that_answers_other_json_is_refused_in_one_sentence(not_matrix: str) -> None:
    made = MatrixChannel(
        "crisis-tchap",
        [],
        connection=MatrixConnection(not_matrix, "token-123456"),
        drill_id="d",
        direct=True,
    )
    with pytest.raises(InvalidConfig) as refused:
        made.check()
    assert str(refused.value) == (
        f"channel 'crisis-tchap' (matrix): {not_matrix} does not answer as a Matrix homeserver: "
        "its /_matrix/client/versions has no list of versions"
    )
    NotMatrix.body, NotMatrix.kind = b"<html><body>Intranet</body></html>", "text/html"
    try:
        with pytest.raises(InvalidConfig) as html:
            made.check()
    finally:
        NotMatrix.body, NotMatrix.kind = (
            b'{"status": "ok", "service": "intranet"}',
            "application/json",
        )
    assert "is not JSON (it starts '<html><body>Intranet</body></html>')" in str(html.value)
    assert "\n" not in str(html.value)


def test_people_without_a_matrix_id_fail_and_outsiders_are_refused(synapse: MatrixServer) -> None:
    member = recipient(synapse.user())
    nobody = Recipient("sans.matrix", "Sans Matrix", email="x@ecole.test")
    made = channel(synapse, [member, nobody], direct=True)
    outsider = recipient(synapse.user())
    sent = made.send(message(), [member, nobody, outsider])
    assert states(sent) == {
        outsider.person_id: ["refused"],
        nobody.person_id: ["failed"],
        member.person_id: ["sent", "delivered"],
    }
    assert next(e for e in sent if e.person_id == nobody.person_id).evidence["cause"] == (
        "no Matrix id for this person"
    )


def test_the_simulated_staff_accept_their_direct_rooms_and_acknowledge_on_matrix(
    synapse: MatrixServer,
) -> None:
    people = simulated(read_csv(synapse.directory / "population.csv"))
    profiles = build_profiles(people, synapse.config.seed, synapse.config.staff_silent_share)
    answering = {p.username for p in people if profiles[p.username].answers_on("matrix")}
    assert answering and len(answering) < len(people)  # some answer, some never do
    audience = [Recipient(p.username, p.name, matrix_id=p.matrix_id) for p in people]
    ctx = ComponentContext("staff", synapse.config, synapse.state.secrets, synapse.directory)
    with serving(lambda: staff.make_app(ctx, poll_s=0.2), synapse.config.staff_port):
        made = channel(synapse, audience, direct=True)
        sent = made.send(message(), audience)
        assert sum(e.state is LedgerState.DELIVERED for e in sent) == len(people)
        events = poll_until(made, lambda found: len(found) >= len(answering), "every answer", 40)
        time.sleep(1.5)
        events += made.poll()
    assert {e.person_id for e in events} == answering
    hows = {e.evidence["how"] for e in events}
    assert hows <= {"reaction", "reply"} and all(e.evidence["via"] == "dm" for e in events)
    for event in events:
        style = profiles[event.person_id].slack_style
        assert event.evidence["how"] == style
        if style == "reaction":
            assert event.evidence["reaction"] == "✅"


def test_the_sync_stream_reads_every_room_in_one_call_per_poll(synapse: MatrixServer) -> None:
    people = [recipient(synapse.user()) for _ in range(4)]
    lose = lambda line: False  # noqa: E731 - only counts the requests
    with LossyProxy(synapse.config.matrix_port, lose) as proxy:
        connection = MatrixConnection(proxy.url, synapse.accounts.bot.access_token)
        made = channel(synapse, people, connection=connection, direct=True)
        made.send(message(), people)
        before = len(proxy.seen)
        connection.feed.next_pull = 0.0
        made.poll()
        reads = [line for line in proxy.seen[before:] if "/relations/" not in line]
    assert len(reads) == 1 and reads[0].startswith("GET /_matrix/client/v3/sync?since=")


def encrypted(relation: dict[str, Any]) -> dict[str, Any]:
    """What a Tchap client sends in an end-to-end encrypted room: ciphertext, and the relation
    in clear text (Matrix keeps it there so servers can aggregate)."""
    return {
        "algorithm": "m.megolm.v1.aes-sha2",
        "ciphertext": "AwgAEnACgAkLmt6qF84IK++J7UDH2Za1YVchHyprqTqsg",
        "device_id": "RJYKSTBOIE",
        "sender_key": "IlRMeOPX2e0MurIyfWEucYBRVOEEUMrOHqn/8mLqMjA",
        "session_id": "X3lUlvLELLYxeTx4yOVu6UDpasGEVO0Jbu+QFnm0cKQ",
        "m.relates_to": relation,
    }


def test_answers_from_encrypted_rooms_count_by_their_clear_text_relation(
    synapse: MatrixServer,
) -> None:
    threaded, in_dm = synapse.user(), synapse.user()
    room = new_room(synapse, threaded)
    made = channel(synapse, [recipient(threaded), recipient(in_dm)], room=room, direct=True)
    sent = made.send(message(), [recipient(threaded), recipient(in_dm)])
    post = next(e for e in sent if e.evidence["via"] == "room")
    dm = next(
        e for e in sent if e.evidence["via"] == "dm" and e.person_id == recipient(in_dm).person_id
    )
    thread = {"rel_type": "m.thread", "event_id": post.evidence["event_id"]}
    synapse.say(threaded, post.evidence["room_id"], encrypted(thread), "m.room.encrypted")
    synapse.join(in_dm, dm.evidence["room_id"])
    synapse.say(in_dm, dm.evidence["room_id"], encrypted({}), "m.room.encrypted")
    events = poll_until(made, lambda found: len(found) >= 2, "both encrypted answers")
    assert {e.person_id: (e.evidence["how"], e.evidence["via"]) for e in events} == {
        recipient(threaded).person_id: ("reply", "room"),
        recipient(in_dm).person_id: ("reply", "dm"),
    }
    assert all(e.evidence["encrypted"] is True and "text" not in e.evidence for e in events)


def test_the_announcements_room_is_checked_before_the_drill_starts(synapse: MatrixServer) -> None:
    context = ChannelContext(
        drill_id="d", matrix_url=synapse.url, matrix_token=synapse.accounts.bot.access_token
    )
    check_matrix_room(context, synapse.room)  # the sandbox's #continuite: fine
    secret = f"secret{uuid.uuid4().hex[:8]}"
    synapse.call(
        synapse.accounts.bot,
        "POST",
        "/createRoom",
        {
            "room_alias_name": secret,
            "initial_state": [
                {
                    "type": "m.room.encryption",
                    "state_key": "",
                    "content": {"algorithm": "m.megolm.v1.aes-sha2"},
                }
            ],
        },
    )
    with pytest.raises(InvalidConfig) as refused:
        check_matrix_room(context, f"#{secret}:{synapse.domain}")
    assert str(refused.value) == (
        f"the announcement's Matrix room #{secret}:{synapse.domain} is end-to-end encrypted, so "
        "STOP DRILL could not be read there: name a room without encryption (on Tchap, a forum)"
    )
    with pytest.raises(InvalidConfig, match=r"#gone:ecole\.test does not exist on"):
        check_matrix_room(context, "#gone:ecole.test")
    with pytest.raises(InvalidConfig, match="needs the Matrix homeserver and its token"):
        check_matrix_room(ChannelContext(drill_id="d"), synapse.room)

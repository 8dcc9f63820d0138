"""SMS, the backup video room and the status page against the sandbox's real components."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import pytest

from entdrill.channels import DRILL_LABEL, LedgerState, Message, Recipient, build
from entdrill.channels.sms import SmsChannel
from entdrill.channels.statuspage import StatusPageChannel
from entdrill.channels.video import VideoChannel
from entdrill.drill_plan import Channel, Expectation
from entdrill.testing import free_port
from tests.channels.school import School, poll_until

EXPECT = Expectation(60.0, delivered_share=1.0)


def plan(kind: str, **settings: object) -> Channel:
    return Channel(
        name=f"test-{kind}",
        type=kind,  # type: ignore[arg-type]
        message="Classe de secours",
        audience=("staff",),
        expect=EXPECT,
        **settings,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def school(tmp_path_factory: pytest.TempPathFactory) -> Iterator[School]:
    found = School(tmp_path_factory.mktemp("school"))
    with found.serving("sms", "backup-bridge", "statuspage"):
        yield found


# -- SMS -----------------------------------------------------------------------------------


def test_sms_is_sent_then_seen_delivered_or_failed_with_the_gateways_error(school: School) -> None:
    people = school.recipients(school.staff[:2])
    stranger = Recipient("stranger", "Inconnu", phone="+33799999999")
    made = build(plan("sms"), [*people, stranger], school.context())
    sent = made.send(
        Message("drill-1", "n-sms", "", "Bascule sur la salle de secours"), [*people, stranger]
    )
    assert [e.state for e in sent] == [LedgerState.SENT] * 3
    final = poll_until(made, lambda found: len(found) == 3, "final statuses")
    assert {e.person_id: e.state for e in final} == {
        people[0].person_id: LedgerState.DELIVERED,
        people[1].person_id: LedgerState.DELIVERED,
        "stranger": LedgerState.FAILED,
    }
    assert next(e for e in final if e.person_id == "stranger").evidence["cause"] == "unknown number"


def test_sms_replies_acknowledge_the_message_they_answer(school: School) -> None:
    people = school.recipients(school.staff[2:4])
    made = build(plan("sms", ack_by_reply=True), people, school.context())
    assert isinstance(made, SmsChannel)
    sent = made.send(Message("drill-1", "n-sms-ack", "", "Répondez OK"), people)
    answered = sent[0]
    school.admin(
        "POST",
        f"{school.config.sms_api_url}/v1/inbound",
        {"from": people[0].phone, "text": "OK", "in_reply_to": answered.evidence["sms_id"]},
    )
    events = poll_until(
        made,
        lambda found: any(e.state is LedgerState.ACKNOWLEDGED for e in found),
        "the reply",
    )
    acks = [e for e in events if e.state is LedgerState.ACKNOWLEDGED]
    assert [(e.person_id, e.evidence["text"]) for e in acks] == [(people[0].person_id, "OK")]
    request = urllib.request.Request(
        f"{school.config.sms_api_url}/v1/messages/{answered.evidence['sms_id']}",
        headers={"Authorization": f"Bearer {school.secrets.sms_token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.load(response)["text"] == f"[{DRILL_LABEL}] Répondez OK"


def test_sms_to_someone_outside_the_audience_or_without_a_phone_is_not_sent(
    school: School,
) -> None:
    people = school.recipients(school.staff[4:5])
    phoneless = Recipient("no.phone", "Sans téléphone")
    outsider = school.recipients(school.staff[5:6])[0]
    made = build(plan("sms"), [*people, phoneless], school.context())
    events = made.send(Message("drill-1", "n-sms-out", "", "x"), [*people, phoneless, outsider])
    assert {e.person_id: e.state for e in events} == {
        people[0].person_id: LedgerState.SENT,
        "no.phone": LedgerState.FAILED,
        outsider.person_id: LedgerState.REFUSED,
    }


def test_an_unreachable_gateway_fails_everyone_with_the_cause(school: School) -> None:
    people = school.recipients(school.staff[:3])
    context = school.context(sms_api_url=f"http://127.0.0.1:{free_port()}")
    made = build(plan("sms"), people, context)
    assert isinstance(made, SmsChannel)
    made.backoff_s = 0.01
    events = made.send(Message("drill-1", "n-sms-down", "", "x"), people)
    assert {e.state for e in events} == {LedgerState.FAILED}
    assert events[0].evidence["cause"].startswith("the SMS gateway unreachable")
    assert all(e.evidence["cause"].startswith("not attempted") for e in events[1:])


# -- video ---------------------------------------------------------------------------------


def test_the_backup_room_is_created_joinable_and_its_link_opens_the_client(school: School) -> None:
    people = school.recipients(school.staff[:2])
    made = build(plan("video", room="classe-de-secours"), people, school.context())
    assert isinstance(made, VideoChannel)
    facts = made.send(Message("drill-1", "n-room", "", "Classe de secours"), people)
    assert [(e.person_id, e.state) for e in facts] == [
        ("", LedgerState.SENT),
        ("", LedgerState.DELIVERED),
    ]
    link = made.join_link
    assert link.startswith(school.config.backup_bridge_url + "/join?")
    assert school.secrets.backup_bridge_secret not in link
    with urllib.request.urlopen(link, timeout=10) as page:  # what a teacher's click does
        assert page.status == 200 and "/html5client/join" in page.geturl()
    assert made.send(Message("drill-1", "n-room-2", "", "x"), people) == []  # created once
    assert made.recover() == {"meeting_id": made.meeting_id, "ended": True}


def test_a_room_on_a_stopped_bridge_fails_with_the_cause(school: School) -> None:
    context = school.context(backup_bridge_url=f"http://127.0.0.1:{free_port()}/bigbluebutton/api")
    made = build(plan("video", room="classe"), [], context)
    facts = made.send(Message("drill-1", "n-room-down", "", "x"), [])
    assert [(e.person_id, e.state) for e in facts] == [("", LedgerState.FAILED)]
    assert facts[0].evidence["cause"].startswith("bridge unreachable: [Errno 111]")


def test_a_room_with_the_wrong_secret_fails_with_the_bridges_answer(school: School) -> None:
    made = build(plan("video"), [], school.context(backup_bridge_secret="not-the-secret-42"))
    facts = made.send(Message("drill-1", "n-room-bad", "", "x"), [])
    assert facts[0].evidence["cause"] == "create refused by the bridge: checksumError"


# -- status page ---------------------------------------------------------------------------


def test_the_incident_is_posted_shown_on_the_public_page_and_resolved(school: School) -> None:
    made = build(
        plan("statuspage", component="Classes virtuelles", status="major_outage"),
        [],
        school.context(),
    )
    assert isinstance(made, StatusPageChannel)
    facts = made.send(Message("drill-1", "n-status", "", "La visio est en panne."), [])
    assert [(e.person_id, e.state) for e in facts] == [
        ("", LedgerState.SENT),
        ("", LedgerState.DELIVERED),
    ]
    with urllib.request.urlopen(school.config.status_page_url + "/", timeout=10) as page:
        text = page.read().decode()
    assert "[EXERCICE / DRILL] Classes virtuelles : panne majeure" in text
    assert made.recover() == {"incident": made.incident_id, "resolved": True}
    with urllib.request.urlopen(school.config.status_page_url + "/", timeout=10) as page:
        assert "Classes virtuelles" not in page.read().decode()


def test_a_refused_status_token_is_a_failed_fact_with_the_cause(school: School) -> None:
    made = build(plan("statuspage"), [], school.context(status_token="wrong-status-token"))
    facts = made.send(Message("drill-1", "n-status-bad", "", "x"), [])
    assert [(e.person_id, e.state) for e in facts] == [("", LedgerState.FAILED)]
    assert facts[0].evidence["cause"].startswith("the status page answered HTTP 401")
    assert "wrong-status-token" not in facts[0].evidence["cause"]


@pytest.mark.parametrize("kind", ["video", "statuspage"])
def test_channel_wide_channels_refuse_a_recipient_outside_their_audience(
    school: School, kind: str
) -> None:
    people = school.recipients(school.staff[:1])
    outsider = school.recipients(school.staff[1:2])[0]
    made = build(plan(kind, room="r", component="ENT"), people, school.context())
    events = made.send(Message("drill-1", f"n-{kind}-out", "", "x"), [*people, outsider])
    assert [(e.person_id, e.state) for e in events if e.person_id] == [
        (outsider.person_id, LedgerState.REFUSED)
    ]
    assert {e.state for e in events if not e.person_id} == {
        LedgerState.SENT,
        LedgerState.DELIVERED,
    }
    made.recover()

"""The Slack channel against the sandbox's Slack-compatible API (and its simulated staff)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient

from entdrill.channels import DRILL_LABEL, LedgerEvent, LedgerState, Message, Recipient
from entdrill.channels.slack import SlackChannel, connect
from entdrill.channels.slack_client import EVENT_TYPE
from entdrill.sandbox.slack_api import user_token
from tests.channels.school import School, poll_until

NOTICE = "La visio est en panne : rejoignez la salle de secours. Réagissez pour accuser réception."


def message(notification: str = "n-1") -> Message:
    return Message("drill-1", notification, "Continuité", NOTICE)


def states(events: list[LedgerEvent]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for e in events:
        found.setdefault(e.person_id, []).append(e.state.value)
    return found


def channel(school: School, **options: Any) -> SlackChannel:
    context = school.context()
    people = options.pop("audience", school.recipients())
    made = SlackChannel(
        "staff-slack",
        people,
        connection=connect(context),
        drill_id=context.drill_id,
        **options,
    )
    made.connection.backoff_s = 0.05
    return made


def ours(messages: list[dict[str, Any]], notification: str) -> list[dict[str, Any]]:
    return [
        m
        for m in messages
        if (m.get("metadata") or {}).get("event_type") == EVENT_TYPE
        and m["metadata"]["event_payload"]["notification_id"] == notification
    ]


@pytest.fixture(scope="module")
def slack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[School]:
    """A Slack API alone, rate limits off (forced failures still apply)."""
    school = School(tmp_path_factory.mktemp("slack"))
    with school.serving("slack"):
        school.slack_admin("PUT", "/_admin/slack/limits", {"enabled": False})
        yield school


@pytest.fixture(autouse=True)
def no_forced_failures(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "slack" in request.fixturenames:
        request.getfixturevalue("slack").slack_admin("DELETE", "/_admin/slack/force")


def test_post_and_direct_messages_are_delivered_and_acknowledged_by_the_simulated_staff(
    tmp_path: Path,
) -> None:
    school = School(tmp_path)
    with school.serving("slack", "staff"):
        made = channel(school, post_in="#continuite", direct=True)
        sent = made.send(message(), school.recipients())
        by_person = states(sent)
        assert set(by_person) == {p.username for p in school.staff}
        assert all(s == ["sent", "delivered", "sent", "delivered"] for s in by_person.values())
        posted = school.slack_messages()
        assert len(ours(posted, "n-1")) == 1 + len(school.staff)  # the post and one DM each
        assert all(m["text"].startswith(f"[{DRILL_LABEL}]") for m in ours(posted, "n-1"))

        expected = school.answering("slack")
        acks = poll_until(
            made,
            lambda found: {e.person_id for e in found} == expected,
            "the Slack readers to acknowledge",
        )
        time.sleep(1.0)  # the silent people stay silent
        acks += made.poll()
    assert {e.person_id for e in acks} == expected
    assert all(e.state is LedgerState.ACKNOWLEDGED for e in acks)
    assert len(acks) == len(expected)  # once each, though they answered the post and their DM
    repliers = {e.person_id for e in acks if e.evidence["how"] == "reply"}
    assert repliers and repliers <= school.slack_style("reply")
    reactions = [e for e in acks if e.evidence["how"] == "reaction"]
    assert reactions and {e.evidence["reaction"] for e in reactions} == {"white_check_mark"}


def test_a_reaction_or_reply_by_a_person_acknowledges_and_one_outside_the_audience_does_not(
    slack: School,
) -> None:
    alice, bob, outsider = slack.staff[0], slack.staff[1], slack.staff[2]
    made = channel(slack, audience=slack.recipients([alice, bob]), post_in="#continuite")
    events = made.send(message("n-react"), slack.recipients([alice, bob, outsider]))
    assert states(events)[outsider.username] == ["refused"]
    post = next(e for e in events if e.person_id == alice.username)
    where, ts = post.evidence["slack_channel"], post.evidence["ts"]

    def as_person(slack_id: str) -> WebClient:
        return WebClient(user_token(slack.secrets, slack_id), base_url=slack.config.slack_api_url)

    as_person(outsider.slack_id).reactions_add(channel=where, timestamp=ts, name="eyes")
    as_person(alice.slack_id).reactions_add(channel=where, timestamp=ts, name="thumbsup")
    as_person(bob.slack_id).chat_postMessage(channel=where, thread_ts=ts, text="bien reçu")
    acks = poll_until(made, lambda found: len(found) >= 2, "two acknowledgements")
    how = {
        e.person_id: (e.evidence["how"], e.evidence.get("reaction", e.evidence.get("text")))
        for e in acks
    }
    assert how == {alice.username: ("reaction", "thumbsup"), bob.username: ("reply", "bien reçu")}
    bob_ack = next(e for e in acks if e.person_id == bob.username)
    assert bob_ack.at >= post.at  # the reply's own time


def test_a_rate_limited_post_waits_retry_after_then_is_sent_once(slack: School) -> None:
    person = slack.staff[3]
    slack.slack_admin(
        "POST",
        "/_admin/slack/force",
        {"method": "chat.postMessage", "count": 1, "status": 429, "retry_after": 1},
    )
    made = channel(slack, direct=True)
    started = time.monotonic()
    events = made.send(message("n-429"), slack.recipients([person]))
    assert time.monotonic() - started >= 1.0
    assert [e.state for e in events] == [LedgerState.SENT, LedgerState.DELIVERED]
    assert len(ours(slack.slack_messages(), "n-429")) == 1


def test_a_retry_after_beyond_the_cap_is_a_failure_not_a_long_sleep(slack: School) -> None:
    slack.slack_admin(
        "POST",
        "/_admin/slack/force",
        {"method": "chat.postMessage", "count": 1, "status": 429, "retry_after": 600},
    )
    made = channel(slack, direct=True)
    started = time.monotonic()
    events = made.send(message("n-429-long"), slack.recipients(slack.staff[3:5]))
    assert time.monotonic() - started < 10
    first, second = events[0], events[1:]
    assert first.state is LedgerState.FAILED
    assert first.evidence["cause"] == "Slack rate-limited chat_postMessage (Retry-After 600 s)"
    assert [e.state for e in second] == [LedgerState.SENT, LedgerState.DELIVERED]  # goes on


def test_a_server_error_is_retried_after_checking_the_post_is_not_there(slack: School) -> None:
    person = slack.staff[4]
    slack.slack_admin(
        "POST", "/_admin/slack/force", {"method": "chat.postMessage", "count": 1, "status": 500}
    )
    events = channel(slack, direct=True).send(message("n-500"), slack.recipients([person]))
    assert events[0].state is LedgerState.SENT
    assert events[0].evidence["attempts"] == 2 and events[0].evidence["recovered"] is False
    assert len(ours(slack.slack_messages(), "n-500")) == 1


def test_persistent_server_errors_fail_that_person_with_the_cause_and_the_drill_goes_on(
    slack: School,
) -> None:
    first, second = slack.staff[5], slack.staff[6]
    slack.slack_admin(
        "POST", "/_admin/slack/force", {"method": "chat.postMessage", "count": 3, "status": 500}
    )
    events = channel(slack, direct=True).send(message("n-500s"), slack.recipients([first, second]))
    by_person = {e.person_id: e for e in events if e.state is not LedgerState.DELIVERED}
    assert by_person[first.username].state is LedgerState.FAILED
    assert by_person[first.username].evidence["cause"] == (
        "Slack answered HTTP 500 to chat_postMessage (3 attempts)"
    )
    assert by_person[second.username].state is LedgerState.SENT
    assert [m["channel"] for m in ours(slack.slack_messages(), "n-500s")] == [
        by_person[second.username].evidence["slack_channel"]
    ]


@pytest.mark.parametrize("mode", ["accept_then_fail", "accept_then_drop"])
def test_a_post_carried_out_then_failed_is_found_and_never_posted_twice(
    slack: School, mode: str
) -> None:
    person = slack.staff[7]
    for method in ("chat.postMessage",):
        slack.slack_admin(
            "POST", "/_admin/slack/force", {"method": method, "count": 2, "mode": mode}
        )
    made = channel(slack, direct=True, post_in="#continuite")
    events = made.send(message(f"n-{mode}"), slack.recipients([person]))
    sent = [e for e in events if e.state is LedgerState.SENT]
    assert [e.evidence["via"] for e in sent] == ["channel", "dm"]
    assert all(e.evidence["recovered"] for e in sent)
    found = ours(slack.slack_messages(), f"n-{mode}")
    assert sorted((m["channel"], m["ts"]) for m in found) == sorted(
        (e.evidence["slack_channel"], e.evidence["ts"]) for e in sent
    )  # exactly once in #continuite and once in the DM, with the ts the ledger keeps


def test_a_refused_token_fails_every_recipient_with_the_cause_and_posts_nothing(
    slack: School,
) -> None:
    context = slack.context(slack_token="xoxb-not-the-token-0000")
    made = SlackChannel(
        "staff-slack",
        slack.recipients(),
        connection=connect(context),
        drill_id="drill-1",
        post_in="#continuite",
        direct=True,
    )
    events = made.send(message("n-auth"), slack.recipients())
    assert {e.state for e in events} == {LedgerState.FAILED}
    assert {e.evidence["cause"] for e in events} == {"Slack refused the token: invalid_auth"}
    assert {e.person_id for e in events} == {p.username for p in slack.staff}
    assert ours(slack.slack_messages(), "n-auth") == []
    assert made.poll() == []


def test_a_person_without_a_slack_id_is_failed_with_that_cause(slack: School) -> None:
    nobody = Recipient("no.slack", "Sans Slack", email="no.slack@ecole.test")
    events = channel(slack, audience=[nobody], direct=True).send(message("n-none"), [nobody])
    assert [(e.state, e.evidence["cause"]) for e in events] == [
        (LedgerState.FAILED, "no Slack id for this person")
    ]


def test_the_kill_switch_reader_sees_who_posted_what_after_the_announcement(slack: School) -> None:
    connection = connect(slack.context())
    announcement = connection.post(
        "#continuite", "[EXERCICE / DRILL] start", drill_id="drill-1", notification_id="announce"
    )
    organiser = slack.staff[0]
    WebClient(
        user_token(slack.secrets, organiser.slack_id), base_url=slack.config.slack_api_url
    ).chat_postMessage(channel=announcement.channel, text="STOP DRILL")
    found = connection.read_messages("#continuite", announcement.ts)
    assert [(user, text) for user, text, _ in found] == [(organiser.slack_id, "STOP DRILL")]
    assert float(found[0][2]) > float(announcement.ts)

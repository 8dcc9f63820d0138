"""Manual steps confirmed on Slack (by the named person only) or from outside (drill confirm)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from entdrill.channels import LedgerState, Message, build
from entdrill.channels.factory import build_manual_step
from entdrill.channels.manual import ManualChannel, confirms
from entdrill.drill_plan import Channel, Expectation, ManualStep
from entdrill.sandbox.slack_api import user_token
from tests.channels.school import School, poll_until

STEP = Message("drill-1", "step-1", "", "Basculez votre classe sur la salle de secours.")


@pytest.fixture(scope="module")
def slack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[School]:
    school = School(tmp_path_factory.mktemp("manual"))
    with school.serving("slack"):
        school.slack_admin("PUT", "/_admin/slack/limits", {"enabled": False})
        yield school


def as_person(school: School, slack_id: str) -> WebClient:
    return WebClient(user_token(school.secrets, slack_id), base_url=school.config.slack_api_url)


def test_words_that_confirm_a_step_and_words_that_do_not() -> None:
    assert all(confirms(t) for t in ("fait", "Fait !", "c'est fait", "done", "OK", "✅", "terminé"))
    assert not any(confirms(t) for t in ("reçu", "pas encore", "je ne peux pas", "?"))


def test_only_the_named_person_confirms_a_manual_channel_on_slack(slack: School) -> None:
    chief, other = slack.staff[0], slack.staff[1]
    plan = Channel(
        name="switch-room",
        type="manual",
        message="Basculez",
        audience=("staff",),
        expect=Expectation(60.0, acknowledged_share=1.0),
        confirmed_by=chief.username,
    )
    people = slack.recipients([chief, other])
    made = build(plan, people, slack.context())
    assert isinstance(made, ManualChannel)
    sent = made.send(STEP, people)
    assert {e.state for e in sent} == {LedgerState.SENT, LedgerState.DELIVERED}
    where, ts = sent[0].evidence["slack_channel"], sent[0].evidence["ts"]
    posted = next(m for m in slack.slack_messages() if m["ts"] == ts)
    assert f"<@{chief.slack_id}>" in posted["text"] and posted["text"].startswith("[EXERCICE")

    as_person(slack, other.slack_id).chat_postMessage(channel=where, thread_ts=ts, text="fait")
    as_person(slack, chief.slack_id).chat_postMessage(channel=where, thread_ts=ts, text="reçu")
    assert made.poll() == []  # someone else's "fait", and the chief's "reçu", confirm nothing
    as_person(slack, chief.slack_id).chat_postMessage(
        channel=where, thread_ts=ts, text="C'est fait"
    )
    acks = poll_until(made, lambda found: len(found) == 1, "the chief's confirmation")
    assert [(e.person_id, e.evidence["how"], e.evidence["text"]) for e in acks] == [
        (chief.username, "reply", "C'est fait")
    ]


def test_a_reaction_confirms_a_step_and_a_refusal_does_not(slack: School) -> None:
    yes, no = slack.staff[2], slack.staff[3]
    step = ManualStep("switch-classes", "Basculez", ("staff",), 60.0, 0.5)
    people = slack.recipients([yes, no])
    made = build_manual_step(step, people, slack.context())
    sent = made.send(STEP, people)
    where, ts = sent[0].evidence["slack_channel"], sent[0].evidence["ts"]
    as_person(slack, no.slack_id).reactions_add(channel=where, timestamp=ts, name="x")
    as_person(slack, yes.slack_id).reactions_add(
        channel=where, timestamp=ts, name="white_check_mark"
    )
    acks = poll_until(made, lambda found: len(found) >= 1, "a confirmation")
    assert [(e.person_id, e.evidence["reaction"]) for e in acks] == [
        (yes.username, "white_check_mark")
    ]


def test_an_external_confirmation_is_reported_once_and_only_for_a_confirmer(slack: School) -> None:
    step = ManualStep("check-status", "Vérifiez la page d'état", ("staff",), 60.0)
    people = slack.recipients(slack.staff[:2])
    made = build_manual_step(step, people, slack.context())
    made.send(STEP, people)
    assert made.confirm(people[1].person_id, {"by": "entdrill drill confirm", "note": "vu"})
    assert made.confirm(people[1].person_id) is True  # already confirmed: nothing new
    assert made.confirm("someone.else") is False
    acks = made.poll()
    assert [(e.person_id, e.state, e.evidence["how"], e.evidence["note"]) for e in acks] == [
        (people[1].person_id, LedgerState.ACKNOWLEDGED, "external", "vu")
    ]
    assert made.poll() == []


def test_a_step_sent_to_someone_outside_its_audience_refuses_them(slack: School) -> None:
    step = ManualStep("switch", "Basculez", ("staff",), 60.0)
    people = slack.recipients(slack.staff[:1])
    outsider = slack.recipients(slack.staff[1:2])[0]
    made = build_manual_step(step, people, slack.context())
    events = made.send(STEP, [*people, outsider])
    assert [e.state for e in events if e.person_id == outsider.person_id] == [LedgerState.REFUSED]
    assert made.confirm(outsider.person_id) is False

"""The simulated staff against real Slack and SMTP components and a stand-in SMS gateway."""

from __future__ import annotations

import json
import smtplib
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient

from entdrill.mailstore import read_mailbox
from entdrill.population import Person, read_csv
from entdrill.sandbox import slack_api, smtp, staff
from entdrill.sandbox.component import ComponentContext
from entdrill.sandbox.staff_profile import StaffProfile, build_profiles, simulated
from entdrill.sandbox.state import SandboxState
from entdrill.testing import free_config, prepare_sandbox_dir
from tests.sandbox.component_process import component_process
from tests.sandbox.sms_standin import StandInSms
from tests.sandbox.threaded_server import serving

SEED = 4243  # a seed with Slack readers who react and others who reply in threads
DRILL = "EXERCICE / DRILL : la visio de secours est ouverte"


@dataclass
class School:
    state: SandboxState
    directory: Path
    staff: list[Person]
    profiles: dict[str, StaffProfile]
    sms: StandInSms

    def answering(self, channel: str) -> set[str]:
        return {name for name, p in self.profiles.items() if p.answers_on(channel)}

    def get(self, url: str) -> Any:
        request = urllib.request.Request(
            url, headers={"Authorization": f"Bearer {self.state.secrets.admin_token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def slack_dump(self) -> list[dict[str, Any]]:
        base = f"http://127.0.0.1:{self.state.config.slack_port}"
        return list(self.get(base + "/_admin/slack/messages")["messages"])

    def staff_health(self) -> dict[str, Any]:
        return dict(self.get(self.state.config.staff_url + "/_health"))


def ctx_of(state: SandboxState, directory: Path, name: str) -> ComponentContext:
    return ComponentContext(name, state.config, state.secrets, directory)


def start_school(tmp_path: Path, *, with_sms: bool = True, with_smtp: bool = True) -> Any:
    config = free_config(
        seed=SEED,
        schools=1,
        pupils_per_school=2,
        staff_ack_median_s=0.3,
        staff_silent_share=0.25,
    )
    state = prepare_sandbox_dir(tmp_path, config)
    people = simulated(read_csv(tmp_path / "population.csv"))
    sms = StandInSms(state.secrets.admin_token)
    stack = ExitStack()
    stack.enter_context(
        serving(lambda: slack_api.make_app(ctx_of(state, tmp_path, "slack")), config.slack_port)
    )
    if with_smtp:
        stack.enter_context(
            serving(lambda: smtp.make_app(ctx_of(state, tmp_path, "smtp")), config.smtp_admin_port)
        )
    if with_sms:
        stack.enter_context(serving(sms.app, config.sms_port))
    stack.enter_context(
        serving(
            lambda: staff.make_app(ctx_of(state, tmp_path, "staff"), poll_s=0.2), config.staff_port
        )
    )
    profiles = build_profiles(people, SEED, 0.25)
    return stack, School(state, tmp_path, people, profiles, sms)


@pytest.fixture
def school(tmp_path: Path) -> Iterator[School]:
    stack, found = start_school(tmp_path)
    with stack:
        yield found


def wait_for(check: Callable[[], bool], what: str, timeout: float = 25.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def settled(school: School) -> bool:
    return school.staff_health()["pending"] == 0


def responders(dump: list[dict[str, Any]], channel: str, ts: str) -> set[str]:
    """Slack ids who reacted to, or replied in the thread of, message (channel, ts)."""
    found: set[str] = set()
    for m in dump:
        if m["channel"] == channel and m["ts"] == ts:
            found.update(u for users in m["reactions"].values() for u in users)
        if m["channel"] == channel and m["thread_ts"] == ts and m["ts"] != ts:
            found.add(m["user"])
    return found


def test_slack_readers_acknowledge_a_channel_post_and_dms_and_silent_people_never_do(
    school: School,
) -> None:
    bot = WebClient(
        token=school.state.secrets.slack_token, base_url=school.state.config.slack_api_url
    )
    post = bot.chat_postMessage(channel="#continuite", text=DRILL)
    chatter = bot.chat_postMessage(channel="#general", text="Réunion à 10 h")
    dms = {p.slack_id: bot.chat_postMessage(channel=p.slack_id, text=DRILL) for p in school.staff}
    by_name = {p.username: p.slack_id for p in school.staff}
    expected = {by_name[name] for name in school.answering("slack")}
    assert expected and len(expected) < len(school.staff)

    wait_for(
        lambda: responders(school.slack_dump(), post["channel"], post["ts"]) == expected,
        "the Slack readers to acknowledge the #continuite post",
    )
    wait_for(lambda: settled(school), "the simulated staff to settle")
    dump = school.slack_dump()
    assert responders(dump, post["channel"], post["ts"]) == expected
    assert responders(dump, chatter["channel"], chatter["ts"]) == set()
    answered_dms = {uid for uid, dm in dms.items() if responders(dump, dm["channel"], dm["ts"])}
    assert answered_dms == expected
    reactions = bot.reactions_get(channel=post["channel"], timestamp=post["ts"])["message"]
    reacted = {u for r in reactions.get("reactions", []) for u in r["users"]}
    repliers = {by_name[n] for n, p in school.profiles.items() if p.slack_style == "reply"}
    assert reacted == expected - repliers and expected & repliers
    thread = bot.conversations_replies(channel=post["channel"], ts=post["ts"])["messages"][1:]
    assert {m["user"] for m in thread} == expected & repliers


def test_email_readers_reply_to_a_drill_mail_in_its_thread(school: School) -> None:
    mail = EmailMessage()
    mail["From"] = "drill@ecole.test"
    mail["Reply-To"] = "continuite@ecole.test"
    mail["To"] = ", ".join(p.email for p in school.staff)
    mail["Subject"] = DRILL
    mail["Message-ID"] = make_msgid(domain="ecole.test")
    mail.set_content("Merci d'accuser réception.")
    with smtplib.SMTP("127.0.0.1", school.state.config.smtp_port, timeout=10) as client:
        assert client.send_message(mail) == {}
    emails = {p.username: p.email for p in school.staff}
    expected = {emails[name] for name in school.answering("email")}

    def replies() -> list[Any]:
        return read_mailbox(school.directory / "mail", "continuite@ecole.test")

    wait_for(lambda: {r.envelope_from for r in replies()} == expected, "mail replies")
    wait_for(lambda: settled(school), "the simulated staff to settle")
    assert len(replies()) == len(expected)
    for reply in replies():
        assert reply.subject == f"Re: {DRILL}"
        assert reply.in_reply_to == mail["Message-ID"]
        assert mail["Message-ID"] in reply.references


def test_sms_readers_answer_through_the_gateway_inbound_endpoint(school: School) -> None:
    sent = {p.phone: school.sms.send(p.phone, DRILL) for p in school.staff}
    school.sms.send(school.staff[0].phone, "rappel: pas de réponse attendue")
    phones = {p.username: p.phone for p in school.staff}
    expected = {phones[name] for name in school.answering("sms")}
    wait_for(lambda: {r["from"] for r in school.sms.replies()} == expected, "SMS replies")
    wait_for(lambda: settled(school), "the simulated staff to settle")
    replies = school.sms.replies()
    assert len(replies) == len(expected)
    assert all(r["in_reply_to"] == sent[r["from"]]["id"] and r["text"] for r in replies)
    off_slack = school.answering("sms") - school.answering("slack")
    assert off_slack, "someone must answer SMS but not Slack, for escalations to find"


def test_people_shows_profiles_what_was_received_and_acknowledged(school: School) -> None:
    for p in school.staff:
        school.sms.send(p.phone, DRILL)
    phones = {p.username: p.phone for p in school.staff}
    expected = {phones[name] for name in school.answering("sms")}
    wait_for(lambda: {r["from"] for r in school.sms.replies()} == expected, "SMS replies")
    wait_for(lambda: settled(school), "the simulated staff to settle")
    people = school.get(school.state.config.staff_url + "/people")
    assert people["seed"] == SEED
    by_name = {p["username"]: p for p in people["people"]}
    assert set(by_name) == {p.username for p in school.staff}
    for name, entry in by_name.items():
        assert entry["profile"] == school.profiles[name].to_dict()
        assert [r["channel"] for r in entry["received"]] == ["sms"]
        acked = [a["channel"] for a in entry["acknowledged"]]
        assert acked == (["sms"] if school.profiles[name].answers_on("sms") else [])
    with pytest.raises(urllib.error.HTTPError) as anonymous:
        urllib.request.urlopen(school.state.config.staff_url + "/people", timeout=10)
    assert anonymous.value.code == 401


def test_a_component_down_is_reported_and_the_others_still_get_answers(tmp_path: Path) -> None:
    stack, school = start_school(tmp_path, with_sms=False, with_smtp=False)
    with stack:
        wait_for(
            lambda: school.staff_health()["sources"]["sms"].startswith("error"),
            "the SMS source to be reported down",
        )
        bot = WebClient(
            token=school.state.secrets.slack_token, base_url=school.state.config.slack_api_url
        )
        post = bot.chat_postMessage(channel="#continuite", text=DRILL)
        by_name = {p.username: p.slack_id for p in school.staff}
        expected = {by_name[name] for name in school.answering("slack")}
        wait_for(
            lambda: responders(school.slack_dump(), post["channel"], post["ts"]) == expected,
            "Slack acknowledgements with the SMS gateway down",
        )
        assert school.staff_health()["sources"]["slack"] == "ok"


def test_the_serve_entry_point_runs_the_staff_until_sigterm(tmp_path: Path) -> None:
    state = prepare_sandbox_dir(tmp_path, free_config(schools=1, pupils_per_school=2))
    with component_process("staff", tmp_path, state.config.staff_url + "/_health"):
        request = urllib.request.Request(
            state.config.staff_url + "/people",
            headers={"Authorization": f"Bearer {state.secrets.admin_token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert len(json.load(response)["people"]) == len(
                simulated(read_csv(tmp_path / "population.csv"))
            )

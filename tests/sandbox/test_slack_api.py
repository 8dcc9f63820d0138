"""The sandbox's Slack-compatible API, driven by the real ``slack_sdk.WebClient``."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from entdrill.population import Person, read_csv
from entdrill.sandbox.component import ComponentContext
from entdrill.sandbox.slack_api import make_app, user_token
from entdrill.sandbox.state import SandboxState
from entdrill.testing import free_config, prepare_sandbox_dir
from tests.sandbox.component_process import component_process
from tests.sandbox.threaded_server import serving

DRILL = "EXERCICE / DRILL: bascule sur les canaux de secours"


@dataclass
class Slack:
    state: SandboxState
    people: list[Person]
    url: str

    def bot(self, **kwargs: Any) -> WebClient:
        return WebClient(token=self.state.secrets.slack_token, base_url=self.url, **kwargs)

    def as_person(self, person: Person) -> WebClient:
        return WebClient(token=user_token(self.state.secrets, person.slack_id), base_url=self.url)

    @property
    def staff(self) -> list[Person]:
        return [p for p in self.people if p.slack_id]

    def admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        base = self.url.removesuffix("/api/")
        request = urllib.request.Request(
            base + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={
                "Authorization": f"Bearer {self.state.secrets.admin_token}",
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)


@pytest.fixture
def slack(tmp_path: Path) -> Iterator[Slack]:
    state = prepare_sandbox_dir(tmp_path, free_config(schools=1, pupils_per_school=2))
    ctx = ComponentContext("slack", state.config, state.secrets, tmp_path)
    with serving(lambda: make_app(ctx), state.config.slack_port):
        yield Slack(state, read_csv(tmp_path / "population.csv"), state.config.slack_api_url)


def test_auth_test_names_the_bot_or_the_person_behind_a_token(slack: Slack) -> None:
    bot = slack.bot().auth_test()
    assert bot["ok"] and bot["bot_id"] and bot["user"] == "entdrill"
    person = slack.staff[0]
    assert slack.as_person(person).auth_test()["user_id"] == person.slack_id


def test_a_bad_token_is_invalid_auth_and_no_token_is_not_authed(slack: Slack) -> None:
    with pytest.raises(SlackApiError) as bad:
        WebClient(token="xoxb-not-the-token", base_url=slack.url).auth_test()
    assert bad.value.response["error"] == "invalid_auth"
    forged = "xoxp-" + slack.staff[0].slack_id + "-" + "0" * 32
    with pytest.raises(SlackApiError) as forged_error:
        WebClient(token=forged, base_url=slack.url).auth_test()
    assert forged_error.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as missing:
        WebClient(base_url=slack.url).auth_test()
    assert missing.value.response["error"] == "not_authed"


def test_a_post_to_continuite_by_name_is_in_its_history_with_metadata(slack: Slack) -> None:
    bot = slack.bot()
    metadata = {"event_type": "drill_notification", "event_payload": {"drill": "d1", "n": "a"}}
    posted = bot.chat_postMessage(channel="#continuite", text=DRILL, metadata=metadata)
    assert posted["channel"].startswith("C") and posted["ts"]
    again = bot.chat_postMessage(channel="continuite", text="second")
    assert again["channel"] == posted["channel"] and float(again["ts"]) > float(posted["ts"])

    reader = slack.as_person(slack.staff[0])
    plain = reader.conversations_history(channel=posted["channel"])
    assert [m["text"] for m in plain["messages"]] == ["second", DRILL]
    assert "metadata" not in plain["messages"][1]
    full = reader.conversations_history(channel=posted["channel"], include_all_metadata=True)
    assert full["messages"][1]["metadata"] == metadata
    since = reader.conversations_history(channel=posted["channel"], oldest=posted["ts"])
    assert [m["ts"] for m in since["messages"]] == [again["ts"]]


def test_a_post_to_a_user_id_lands_in_their_direct_messages_only(slack: Slack) -> None:
    alice, bob = slack.staff[0], slack.staff[1]
    posted = slack.bot().chat_postMessage(channel=alice.slack_id, text=DRILL)
    assert posted["channel"].startswith("D")
    opened = slack.bot().conversations_open(users=[alice.slack_id])
    assert opened["channel"]["id"] == posted["channel"] and opened["already_open"]
    history = slack.as_person(alice).conversations_history(channel=posted["channel"])
    assert [m["text"] for m in history["messages"]] == [DRILL]
    ims = slack.as_person(alice).conversations_list(types="im")["channels"]
    assert [c["id"] for c in ims] == [posted["channel"]]
    with pytest.raises(SlackApiError) as error:
        slack.as_person(bob).conversations_history(channel=posted["channel"])
    assert error.value.response["error"] == "channel_not_found"


def test_thread_replies_and_reactions_are_visible_to_the_poster(slack: Slack) -> None:
    alice, bob = slack.staff[0], slack.staff[1]
    parent = slack.bot().chat_postMessage(channel="#continuite", text=DRILL)
    slack.as_person(alice).reactions_add(
        channel=parent["channel"], timestamp=parent["ts"], name="white_check_mark"
    )
    slack.as_person(bob).chat_postMessage(
        channel=parent["channel"], thread_ts=parent["ts"], text="reçu"
    )
    reactions = slack.bot().reactions_get(channel=parent["channel"], timestamp=parent["ts"])
    assert reactions["message"]["reactions"] == [
        {"name": "white_check_mark", "users": [alice.slack_id], "count": 1}
    ]
    thread = slack.bot().conversations_replies(channel=parent["channel"], ts=parent["ts"])
    assert [(m["user"], m["text"]) for m in thread["messages"]][1:] == [(bob.slack_id, "reçu")]
    top = slack.bot().conversations_history(channel=parent["channel"])["messages"]
    assert len(top) == 1 and top[0]["reply_count"] == 1 and top[0]["reply_users"] == [bob.slack_id]
    with pytest.raises(SlackApiError) as again:
        slack.as_person(alice).reactions_add(
            channel=parent["channel"], timestamp=parent["ts"], name="white_check_mark"
        )
    assert again.value.response["error"] == "already_reacted"


def test_users_are_found_by_email_listed_and_paginated(slack: Slack) -> None:
    person = slack.staff[2]
    found = slack.bot().users_lookupByEmail(email=person.email.upper())
    assert found["user"]["id"] == person.slack_id
    assert found["user"]["profile"]["email"] == person.email
    with pytest.raises(SlackApiError) as error:
        slack.bot().users_lookupByEmail(email="nobody@ecole.test")
    assert error.value.response["error"] == "users_not_found"
    everyone = slack.bot().users_list()["members"]
    assert {u["id"] for u in everyone} == {p.slack_id for p in slack.staff} | {"U0ENTDRILL"}
    paged = [u["id"] for page in slack.bot().users_list(limit=4) for u in page["members"]]
    assert sorted(paged) == sorted(u["id"] for u in everyone)
    assert slack.bot().users_info(user=person.slack_id)["user"]["name"] == person.username


def test_history_pages_through_every_message_newest_first(slack: Slack) -> None:
    slack.admin("PUT", "/_admin/slack/limits", {"enabled": False})
    bot = slack.bot()
    sent = [bot.chat_postMessage(channel="#general", text=f"m{i}")["ts"] for i in range(7)]
    seen = [
        m["ts"]
        for page in bot.conversations_history(channel="#general", limit=3)
        for m in page["messages"]
    ]
    assert seen == list(reversed(sent))


def test_channels_are_listed_with_every_slack_user_as_member(slack: Slack) -> None:
    bot = slack.bot()
    names = {c["name"] for c in bot.conversations_list()["channels"]}
    assert names == {"continuite", "general"}
    info = bot.conversations_info(channel="#continuite")["channel"]
    members = bot.conversations_members(channel=info["id"])["members"]
    assert set(members) == {p.slack_id for p in slack.staff} | {"U0ENTDRILL"}
    with pytest.raises(SlackApiError) as error:
        bot.chat_postMessage(channel="#nowhere", text="x")
    assert error.value.response["error"] == "channel_not_found"


def test_a_forced_429_carries_retry_after_and_the_retry_handler_waits_it_out(
    slack: Slack,
) -> None:
    force = {"method": "chat.postMessage", "count": 1, "status": 429, "retry_after": 1}
    slack.admin("POST", "/_admin/slack/force", force)
    with pytest.raises(SlackApiError) as error:
        slack.bot().chat_postMessage(channel="#continuite", text=DRILL)
    assert error.value.response.status_code == 429
    assert error.value.response.headers["Retry-After"] == "1"
    assert error.value.response["error"] == "ratelimited"

    slack.admin("POST", "/_admin/slack/force", force)
    patient = slack.bot(retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)])
    started = time.monotonic()
    assert patient.chat_postMessage(channel="#continuite", text=DRILL)["ok"]
    assert time.monotonic() - started >= 1.0
    assert len(slack.admin("GET", "/_admin/slack/messages?channel=continuite")["messages"]) == 1


def test_accept_then_fail_posts_the_message_but_answers_an_error(slack: Slack) -> None:
    slack.admin(
        "POST",
        "/_admin/slack/force",
        {"method": "chat.postMessage", "count": 1, "mode": "accept_then_fail"},
    )
    with pytest.raises(SlackApiError) as error:
        slack.bot().chat_postMessage(channel="#continuite", text="first")
    assert error.value.response.status_code == 500
    slack.admin(
        "POST",
        "/_admin/slack/force",
        {"method": "chat.postMessage", "count": 1, "mode": "accept_then_drop"},
    )
    with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):
        slack.bot(retry_handlers=[]).chat_postMessage(channel="#continuite", text="second")
    posted = slack.admin("GET", "/_admin/slack/messages?channel=continuite")["messages"]
    assert [m["text"] for m in posted] == ["first", "second"]
    assert slack.bot().chat_postMessage(channel="#continuite", text="third")["ok"]


def test_the_default_client_retries_a_dropped_post_and_so_posts_it_twice(slack: Slack) -> None:
    """The trap PITFALLS.md names: slack_sdk retries connection errors once, without a key."""
    slack.admin(
        "POST",
        "/_admin/slack/force",
        {"method": "chat.postMessage", "count": 1, "mode": "accept_then_drop"},
    )
    assert slack.bot().chat_postMessage(channel="#continuite", text="once?")["ok"]
    posted = slack.admin("GET", "/_admin/slack/messages?channel=continuite")["messages"]
    assert [m["text"] for m in posted] == ["once?", "once?"]


def test_a_burst_to_one_channel_is_rate_limited_while_other_channels_are_not(
    slack: Slack,
) -> None:
    bot = slack.bot()
    statuses: list[int] = []
    for i in range(10):
        try:
            bot.chat_postMessage(channel="#continuite", text=f"burst {i}")
            statuses.append(200)
        except SlackApiError as error:
            statuses.append(error.response.status_code)
            assert int(error.response.headers["Retry-After"]) >= 1
    assert statuses[0] == 200 and 429 in statuses
    assert bot.chat_postMessage(channel=slack.staff[0].slack_id, text="DM")["ok"]
    assert bot.chat_postMessage(channel="#general", text="other channel")["ok"]


def test_admin_endpoints_refuse_a_missing_admin_token(slack: Slack) -> None:
    base = slack.url.removesuffix("/api/")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(base + "/_admin/slack/messages", timeout=10)
    assert error.value.code == 401


def test_the_feed_lists_messages_after_a_sequence_number_with_their_audience(
    slack: Slack,
) -> None:
    first = slack.bot().chat_postMessage(channel="#continuite", text="one")
    slack.bot().chat_postMessage(channel=slack.staff[0].slack_id, text=DRILL)
    feed = slack.admin("GET", "/_admin/slack/feed?since=1")
    assert feed["last_seq"] == 2
    [event] = feed["events"]
    assert event["channel_kind"] == "im" and event["plain_text"] == DRILL
    assert set(event["members"]) == {"U0ENTDRILL", slack.staff[0].slack_id}
    assert first["ts"] not in {e["ts"] for e in feed["events"]}


def test_the_serve_entry_point_answers_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    state = prepare_sandbox_dir(tmp_path, free_config(schools=1, pupils_per_school=2))
    health = f"http://127.0.0.1:{state.config.slack_port}/_health"
    with component_process("slack", tmp_path, health):
        client = WebClient(token=state.secrets.slack_token, base_url=state.config.slack_api_url)
        assert client.auth_test()["ok"]

"""The video bridge, as real processes on loopback, through its BigBlueButton API."""

from __future__ import annotations

import itertools
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from entdrill.bbb_checksum import build_url
from entdrill.sandbox.state import SandboxState
from entdrill.testing import free_config, prepare_sandbox_dir
from tests.sandbox.component_process import Reply, component, http, wait_until

CAPACITY = 3
_ids = itertools.count(1)


class Bbb:
    """A BigBlueButton API client for one bridge."""

    def __init__(self, base: str, secret: str, admin_token: str) -> None:
        self.base = base
        self.api = base + "/bigbluebutton/api"
        self.secret = secret
        self.admin_token = admin_token

    def url(self, call: str, algorithm: str = "sha1", **params: object) -> str:
        return build_url(self.api, call, params, self.secret, algorithm)

    def call(self, call: str, algorithm: str = "sha1", **params: object) -> ET.Element:
        reply = http("GET", self.url(call, algorithm, **params))
        assert reply.status == 200, reply
        return xml_of(reply.text)

    def join(self, meeting_id: str, name: str, **params: object) -> ET.Element:
        return self.call(
            "join", meetingID=meeting_id, fullName=name, role="VIEWER", redirect="false", **params
        )

    def faults(self, method: str, body: object = None) -> Reply:
        return http(method, self.base + "/_admin/faults", body=body, token=self.admin_token)


def xml_of(document: str) -> ET.Element:
    return ET.fromstring(document)  # noqa: S314 (our own server on loopback, not untrusted input)


def text(root: ET.Element, tag: str) -> str:
    found = root.find(tag)
    assert found is not None, f"no <{tag}> in {ET.tostring(root).decode()}"
    return found.text or ""


def fresh_meeting(bbb: Bbb, **params: object) -> str:
    meeting_id = f"classe-{next(_ids)}-{time.monotonic_ns()}"
    root = bbb.call("create", meetingID=meeting_id, name=f"Classe {meeting_id}", **params)
    assert text(root, "returncode") == "SUCCESS"
    return meeting_id


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SandboxState]:
    directory = tmp_path_factory.mktemp("bridge-sandbox")
    config = free_config(bridge_capacity=CAPACITY, backup_bridge_capacity=CAPACITY)
    return directory, prepare_sandbox_dir(directory, config)


@pytest.fixture(scope="module")
def bridge(sandbox: tuple[Path, SandboxState]) -> Iterator[Bbb]:
    directory, state = sandbox
    with component("bridge", directory) as base:
        yield Bbb(base, state.secrets.bridge_secret, state.secrets.admin_token)


@pytest.fixture(scope="module")
def backup(sandbox: tuple[Path, SandboxState]) -> Iterator[Bbb]:
    directory, state = sandbox
    with component("backup-bridge", directory) as base:
        yield Bbb(base, state.secrets.backup_bridge_secret, state.secrets.admin_token)


@pytest.fixture
def meeting(bridge: Bbb) -> Iterator[str]:
    """A new meeting, ended afterwards so the bridge is empty for the next test."""
    meeting_id = fresh_meeting(bridge)
    yield meeting_id
    bridge.call("end", meetingID=meeting_id)


def test_api_root_answers_the_version_without_checksum(bridge: Bbb) -> None:
    root = xml_of(http("GET", bridge.api).text)
    assert text(root, "returncode") == "SUCCESS"
    assert text(root, "version") == "2.0"


def test_create_join_info_and_end_round_trip(bridge: Bbb) -> None:
    meeting_id = fresh_meeting(bridge, attendeePW="ap", moderatorPW="mp")
    assert text(bridge.call("isMeetingRunning", meetingID=meeting_id), "running") == "false"

    # Default join redirects to the client page, which names the meeting and the participant.
    redirect = http(
        "GET", bridge.url("join", meetingID=meeting_id, fullName="Mme Durand", password="mp")
    )
    assert redirect.status == 302
    location = redirect.headers["Location"]
    assert location.startswith("/html5client/join?sessionToken=")
    page = http("GET", bridge.base + location)
    assert page.status == 200
    assert f"Classe {meeting_id}" in page.text and "Mme Durand" in page.text

    # redirect=false answers XML with the session token and the client URL.
    joined = bridge.join(meeting_id, "Léa Martin")
    assert text(joined, "returncode") == "SUCCESS"
    token = text(joined, "session_token")
    assert parse_qs(urlsplit(text(joined, "url")).query)["sessionToken"] == [token]
    assert http("GET", text(joined, "url")).status == 200

    info = bridge.call("getMeetingInfo", meetingID=meeting_id)
    assert text(info, "participantCount") == "2"
    assert text(info, "moderatorCount") == "1"
    assert text(info, "running") == "true"
    names = {a.findtext("fullName"): a.findtext("role") for a in info.iter("attendee")}
    assert names == {"Mme Durand": "MODERATOR", "Léa Martin": "VIEWER"}
    listed = bridge.call("getMeetings")
    assert meeting_id in [m.findtext("meetingID") for m in listed.iter("meeting")]

    ended = bridge.call("end", meetingID=meeting_id, password="mp")
    assert (text(ended, "returncode"), text(ended, "messageKey")) == (
        "SUCCESS",
        "sentEndMeetingRequest",
    )
    gone = bridge.call("getMeetingInfo", meetingID=meeting_id)
    assert (text(gone, "returncode"), text(gone, "messageKey")) == ("FAILED", "notFound")
    assert text(bridge.call("isMeetingRunning", meetingID=meeting_id), "running") == "false"
    assert http("GET", bridge.base + location).status == 404


def test_create_is_idempotent_for_the_same_meeting_id(bridge: Bbb, meeting: str) -> None:
    first = bridge.call("getMeetingInfo", meetingID=meeting)
    again = bridge.call("create", meetingID=meeting, name="Again")
    assert (text(again, "returncode"), text(again, "messageKey")) == ("SUCCESS", "duplicateWarning")
    assert text(again, "internalMeetingID") == text(first, "internalMeetingID")
    clash = bridge.call("create", meetingID=meeting, attendeePW="x1", moderatorPW="y2")
    assert (text(clash, "returncode"), text(clash, "messageKey")) == ("FAILED", "idNotUnique")


@pytest.mark.parametrize("algorithm", ["sha1", "sha256", "sha512"])
def test_sha1_sha256_and_sha512_checksums_are_accepted(bridge: Bbb, algorithm: str) -> None:
    meeting_id = f"algo-{algorithm}-{time.monotonic_ns()}"
    root = bridge.call("create", algorithm, meetingID=meeting_id, name="Algo")
    assert text(root, "returncode") == "SUCCESS"
    root = bridge.call("end", algorithm, meetingID=meeting_id)
    assert text(root, "returncode") == "SUCCESS"


def test_a_wrong_or_missing_checksum_is_refused(bridge: Bbb, meeting: str) -> None:
    tampered = bridge.url("getMeetingInfo", meetingID=meeting).replace(meeting, meeting + "x")
    unsigned = f"{bridge.api}/getMeetingInfo?meetingID={meeting}"
    wrong_secret = build_url(bridge.api, "getMeetingInfo", {"meetingID": meeting}, "not-the-secret")
    for url in (tampered, unsigned, wrong_secret):
        root = xml_of(http("GET", url).text)
        assert (text(root, "returncode"), text(root, "messageKey")) == ("FAILED", "checksumError")


def test_unknown_meeting_is_not_found_and_missing_id_is_named(bridge: Bbb) -> None:
    for call in ("getMeetingInfo", "end"):
        root = bridge.call(call, meetingID="no-such-meeting")
        assert (text(root, "returncode"), text(root, "messageKey")) == ("FAILED", "notFound")
    assert text(bridge.join("no-such-meeting", "Léa"), "messageKey") == "notFound"
    assert text(bridge.call("create", name="No id"), "messageKey") == "missingParamMeetingID"
    assert text(bridge.call("create", meetingID="a,b"), "messageKey") == "invalidMeetingIdentifier"


def test_join_past_capacity_fails_and_succeeds_again_after_someone_leaves(
    bridge: Bbb, meeting: str
) -> None:
    tokens = []
    for i in range(CAPACITY):
        root = bridge.join(meeting, f"Élève {i}")
        assert text(root, "returncode") == "SUCCESS"
        tokens.append(text(root, "session_token"))
    refused = bridge.join(meeting, "One too many")
    assert (text(refused, "returncode"), text(refused, "messageKey")) == (
        "FAILED",
        "maxParticipantsReached",
    )
    left = http("POST", f"{bridge.base}/html5client/leave?sessionToken={tokens[0]}")
    assert left.status == 200
    assert text(bridge.join(meeting, "Now there is room"), "returncode") == "SUCCESS"
    metrics = http("GET", bridge.base + "/metrics").text
    assert 'bridge_joins_total{component="bridge",outcome="maxParticipantsReached"} 1' in metrics
    assert f'bridge_participants{{component="bridge"}} {CAPACITY}' in metrics


def test_a_participant_whose_page_is_not_refreshed_leaves_after_the_ttl(
    bridge: Bbb, meeting: str
) -> None:
    joined = bridge.join(meeting, "Hugo", **{"userdata-entdrill_ttl_s": "0.6"})
    page = text(joined, "url")
    for _ in range(6):  # refreshed every 0.2 s for 1.2 s: twice the TTL, still in
        assert http("GET", page).status == 200
        time.sleep(0.2)
    assert text(bridge.call("getMeetingInfo", meetingID=meeting), "participantCount") == "1"

    def left() -> bool:
        info = bridge.call("getMeetingInfo", meetingID=meeting)
        return text(info, "participantCount") == "0"

    assert wait_until(left, timeout_s=10)
    assert http("GET", page).status == 404


def test_capacity_fault_lowers_the_limit_until_lifted(bridge: Bbb, meeting: str) -> None:
    assert bridge.faults("PUT", {"capacity": 1}).json()["capacity"] == 1
    try:
        assert text(bridge.join(meeting, "First"), "returncode") == "SUCCESS"
        assert text(bridge.join(meeting, "Second"), "messageKey") == "maxParticipantsReached"
        assert http("GET", bridge.base + "/_health").json()["capacity"] == 1
    finally:
        assert bridge.faults("DELETE").status == 200
    assert text(bridge.join(meeting, "Second"), "returncode") == "SUCCESS"


def test_backup_bridge_has_its_own_secret(bridge: Bbb, backup: Bbb) -> None:
    signed_for_primary = bridge.url("getMeetings").replace(bridge.api, backup.api)
    root = xml_of(http("GET", signed_for_primary).text)
    assert text(root, "messageKey") == "checksumError"
    assert text(backup.call("getMeetings"), "returncode") == "SUCCESS"
    signed_for_backup = backup.url("getMeetings").replace(backup.api, bridge.api)
    assert text(xml_of(http("GET", signed_for_backup).text), "messageKey") == "checksumError"

"""The bridge's meetings model, driven by a hand-held clock."""

import pytest

from entdrill.sandbox.bridge_meetings import (
    EXPIRE_IF_NO_USER_JOINED_S,
    EXPIRE_WHEN_LAST_USER_LEFT_S,
    JOIN_MAX_DELAY_S,
    ApiFailure,
    Meetings,
    check_meeting_id,
    join_delay_s,
    resolve_role,
)


def test_join_delay_rises_with_load_and_is_capped_when_full() -> None:
    delays = [join_delay_s(n, 100) for n in (0, 50, 90, 99, 100, 150)]
    assert delays == sorted(delays)
    assert delays[0] < 0.01
    assert delays[2] >= 5 * delays[0]
    assert delays[4] == delays[5] == JOIN_MAX_DELAY_S
    assert join_delay_s(0, 0) == JOIN_MAX_DELAY_S


def test_participants_are_bounded_across_meetings_by_the_capacity() -> None:
    meetings = Meetings()
    a, _ = meetings.create("class-a", "A", 0.0)
    b, _ = meetings.create("class-b", "B", 0.0)
    meetings.admit(a, "Léa", "VIEWER", 1.0, capacity=2)
    meetings.admit(b, "Hugo", "VIEWER", 1.0, capacity=2)
    with pytest.raises(ApiFailure) as refused:
        meetings.admit(a, "Zoé", "VIEWER", 1.0, capacity=2)
    assert refused.value.key == "maxParticipantsReached"
    assert meetings.participant_count == 2


def test_a_participant_not_seen_for_their_ttl_leaves_and_the_meeting_later_expires() -> None:
    meetings = Meetings()
    meeting, _ = meetings.create("class-a", "A", 0.0)
    p = meetings.admit(meeting, "Léa", "VIEWER", 0.0, capacity=10, ttl_s=5.0)
    assert meetings.touch(p.session_token, 4.0) is p  # refreshed at 4 s
    assert meetings.touch(p.session_token, 8.5) is p  # 4.5 s later: still in
    meetings.sweep(14.0, force=True)  # 5.5 s without a refresh
    assert meetings.participant_count == 0
    assert meetings.touch(p.session_token, 14.0) is None
    assert meetings.get("class-a") is not None
    meetings.sweep(14.0 + EXPIRE_WHEN_LAST_USER_LEFT_S + 1, force=True)
    assert meetings.get("class-a") is None


def test_a_meeting_nobody_joined_expires_and_an_ended_one_is_gone_with_its_participants() -> None:
    meetings = Meetings()
    meetings.create("empty", "E", 0.0)
    full, _ = meetings.create("full", "F", 0.0)
    p = meetings.admit(full, "Léa", "VIEWER", 0.0, capacity=10, ttl_s=1e6)
    meetings.sweep(EXPIRE_IF_NO_USER_JOINED_S + 1, force=True)
    assert meetings.get("empty") is None
    assert meetings.get("full") is full
    meetings.end("full")
    assert meetings.participant_count == 0
    assert meetings.touch(p.session_token, 1.0) is None
    with pytest.raises(ApiFailure, match="could not find"):
        meetings.end("full")


def test_create_again_returns_the_same_meeting_unless_passwords_differ() -> None:
    meetings = Meetings()
    first, new = meetings.create("m1", "M", 0.0, attendee_pw="ap", moderator_pw="mp")
    again, new_again = meetings.create("m1", "M", 5.0, attendee_pw="ap", moderator_pw="mp")
    assert new and not new_again and again is first
    with pytest.raises(ApiFailure) as clash:
        meetings.create("m1", "M", 5.0, attendee_pw="other", moderator_pw="mp")
    assert clash.value.key == "idNotUnique"


def test_role_comes_from_the_role_parameter_or_the_password() -> None:
    meetings = Meetings()
    meeting, _ = meetings.create("m1", "M", 0.0, attendee_pw="ap", moderator_pw="mp")
    assert resolve_role(meeting, "moderator", "") == "MODERATOR"
    assert resolve_role(meeting, "", "mp") == "MODERATOR"
    assert resolve_role(meeting, "", "ap") == "VIEWER"
    for role, password in (("", "wrong"), ("", ""), ("teacher", "")):
        with pytest.raises(ApiFailure):
            resolve_role(meeting, role, password)


def test_meeting_ids_are_checked_as_bigbluebutton_does() -> None:
    assert check_meeting_id("  6e-B ") == "6e-B"
    with pytest.raises(ApiFailure) as missing:
        check_meeting_id(" ")
    assert missing.value.key == "missingParamMeetingID"
    for bad in ("a,b", "x", "y" * 257):
        with pytest.raises(ApiFailure) as invalid:
            check_meeting_id(bad)
        assert invalid.value.key == "invalidMeetingIdentifier"

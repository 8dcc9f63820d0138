"""The video bridge's answers: BigBlueButton API XML and the HTML client page, as text.

Every API answer is ``<response><returncode>SUCCESS|FAILED</returncode>...</response>``; a
failure carries ``<messageKey>`` and ``<message>``. Element names and order follow the
BigBlueButton API reference (``getMeetingInfo``, ``getMeetings``, ``join`` with
``redirect=false``).
"""

from __future__ import annotations

import html
import time
from xml.sax.saxutils import escape

from entdrill.sandbox.bridge_meetings import Meeting, Participant

API_VERSION = "2.0"
BBB_VERSION = "entdrill-sandbox"

Fields = list[tuple[str, "str | int | bool | Fields"]]


def response(
    success: bool, fields: Fields | None = None, *, key: str = "", message: str = ""
) -> str:
    """A full ``<response>`` document."""
    body: Fields = [("returncode", "SUCCESS" if success else "FAILED"), *(fields or [])]
    if key:
        body.append(("messageKey", key))
    if message:
        body.append(("message", message))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + _element("response", body) + "\n"


def failure(key: str, message: str) -> str:
    return response(False, key=key, message=message)


def version() -> str:
    return response(
        True, [("version", API_VERSION), ("apiVersion", API_VERSION), ("bbbVersion", BBB_VERSION)]
    )


def created(meeting: Meeting, *, duplicate: bool) -> str:
    fields: Fields = [
        ("meetingID", meeting.meeting_id),
        ("internalMeetingID", meeting.internal_id),
        ("parentMeetingID", "bbb-none"),
        ("attendeePW", meeting.attendee_pw),
        ("moderatorPW", meeting.moderator_pw),
        ("createTime", _ms(meeting.created_at)),
        ("voiceBridge", meeting.voice_bridge),
        ("dialNumber", "613-555-1234"),
        ("createDate", _date(meeting.created_at)),
        ("hasUserJoined", meeting.has_user_joined),
        ("duration", 0),
        ("hasBeenForciblyEnded", False),
    ]
    if duplicate:
        return response(
            True,
            fields,
            key="duplicateWarning",
            message="This conference was already in existence and may currently be in progress.",
        )
    return response(True, fields)


def joined(participant: Participant, meeting: Meeting, url: str) -> str:
    return response(
        True,
        [
            ("meeting_id", meeting.internal_id),
            ("user_id", participant.user_id),
            ("auth_token", participant.session_token[:12]),
            ("session_token", participant.session_token),
            ("guestStatus", "ALLOW"),
            ("url", url),
        ],
        key="successfullyJoined",
        message="You have joined successfully.",
    )


def running(is_running: bool) -> str:
    return response(True, [("running", is_running)])


def meeting_info(meeting: Meeting) -> str:
    return response(True, meeting_fields(meeting))


def meetings(all_meetings: list[Meeting]) -> str:
    if not all_meetings:
        return response(
            True,
            [("meetings", [])],
            key="noMeetings",
            message="no meetings were found on this server",
        )
    return response(True, [("meetings", [("meeting", meeting_fields(m)) for m in all_meetings])])


def ended() -> str:
    return response(
        True,
        key="sentEndMeetingRequest",
        message="A request to end the meeting was sent. Please wait a few seconds, and then use "
        "the getMeetingInfo or isMeetingRunning API calls to verify that it was ended.",
    )


def meeting_fields(meeting: Meeting) -> Fields:
    participants = list(meeting.participants.values())
    first_join = min((p.joined_at for p in participants), default=None)
    return [
        ("meetingName", meeting.name),
        ("meetingID", meeting.meeting_id),
        ("internalMeetingID", meeting.internal_id),
        ("createTime", _ms(meeting.created_at)),
        ("createDate", _date(meeting.created_at)),
        ("voiceBridge", meeting.voice_bridge),
        ("dialNumber", "613-555-1234"),
        ("attendeePW", meeting.attendee_pw),
        ("moderatorPW", meeting.moderator_pw),
        ("running", meeting.running),
        ("duration", 0),
        ("hasUserJoined", meeting.has_user_joined),
        ("recording", False),
        ("hasBeenForciblyEnded", False),
        ("startTime", _ms(first_join) if first_join is not None else 0),
        ("endTime", 0),
        ("participantCount", len(participants)),
        ("listenerCount", 0),
        ("voiceParticipantCount", 0),
        ("videoCount", 0),
        ("maxUsers", meeting.max_participants),
        ("moderatorCount", meeting.moderator_count),
        ("attendees", [("attendee", _attendee(p)) for p in participants]),
        ("metadata", list(meeting.metadata.items())),
        ("isBreakout", False),
    ]


def client_page(participant: Participant, meeting: Meeting, leave_url: str) -> str:
    """The HTML client page: names the meeting and the participant; refreshing it keeps them in."""
    refresh_s = max(1, int(participant.ttl_s / 2))
    name = html.escape(meeting.name)
    who = html.escape(participant.full_name)
    return f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="{refresh_s}">
<title>{name} — classe virtuelle</title>
</head>
<body>
<h1 id="meeting">{name}</h1>
<p id="participant">{who} ({participant.role.lower()})</p>
<p id="count">{len(meeting.participants)} participant(s) in this meeting</p>
<form method="post" action="{html.escape(leave_url)}"><button type="submit">Leave</button></form>
</body>
</html>
"""


def message_page(title: str, text: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"><title>{html.escape(title)}'
        f"</title></head><body><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>\n"
    )


def _attendee(participant: Participant) -> Fields:
    return [
        ("userID", participant.user_id),
        ("fullName", participant.full_name),
        ("role", participant.role),
        ("isPresenter", False),
        ("isListeningOnly", False),
        ("hasJoinedVoice", False),
        ("hasVideo", False),
        ("clientType", "HTML5"),
        ("customdata", []),
    ]


def _element(name: str, value: str | int | bool | Fields) -> str:
    if isinstance(value, list):
        if not value:
            return f"<{name}/>"
        inner = "".join(_element(child, child_value) for child, child_value in value)
        return f"<{name}>{inner}</{name}>"
    if isinstance(value, bool):
        return f"<{name}>{'true' if value else 'false'}</{name}>"
    return f"<{name}>{escape(str(value))}</{name}>"


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


def _date(seconds: float) -> str:
    return time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(seconds))

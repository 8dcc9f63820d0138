"""The video bridge's meetings and participants: plain state driven by an injected clock.

Capacity is counted in participants across every meeting, as a BigBlueButton server is sized.
A participant stays while their client page is refreshed: one not seen for its ``ttl_s`` leaves,
as a browser tab that was closed. Meetings follow BigBlueButton's defaults: one nobody joined is
removed after 5 minutes, one whose last participant left after 1 minute, an ended one at once.

Refusals are :class:`ApiFailure` carrying BigBlueButton's ``messageKey`` and message.
"""

from __future__ import annotations

import hashlib
import secrets
import string
from dataclasses import dataclass, field

MODERATOR = "MODERATOR"
VIEWER = "VIEWER"
PARTICIPANT_TTL_S = 60.0  # a client page not refreshed for this long means the user left
MIN_TTL_S = 0.1
MAX_TTL_S = 86_400.0
EXPIRE_IF_NO_USER_JOINED_S = 300.0  # meetingExpireIfNoUserJoinedInMinutes = 5
EXPIRE_WHEN_LAST_USER_LEFT_S = 60.0  # meetingExpireWhenLastUserLeftInMinutes = 1
SWEEP_INTERVAL_S = 0.05
# Join latency: a queue whose service time is JOIN_SERVICE_S; it grows as 1 / (1 - load)
# and is capped at JOIN_MAX_DELAY_S, which is also what a refused join costs on a full bridge.
JOIN_SERVICE_S = 0.005
JOIN_MAX_DELAY_S = 0.5

_ALPHANUMERIC = string.ascii_lowercase + string.digits


class ApiFailure(Exception):
    """A call BigBlueButton would answer ``FAILED``, with its ``messageKey``."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


@dataclass
class Participant:
    user_id: str
    full_name: str
    role: str
    session_token: str
    meeting_id: str
    joined_at: float
    last_seen: float
    ttl_s: float

    def expired(self, now: float) -> bool:
        return now - self.last_seen > self.ttl_s


@dataclass
class Meeting:
    meeting_id: str
    name: str
    internal_id: str
    attendee_pw: str
    moderator_pw: str
    created_at: float
    voice_bridge: str
    max_participants: int = 0  # 0: no per-meeting limit (the bridge's capacity still applies)
    metadata: dict[str, str] = field(default_factory=dict)
    participants: dict[str, Participant] = field(default_factory=dict)  # by user_id
    has_user_joined: bool = False
    emptied_at: float | None = None  # when the last participant left

    @property
    def running(self) -> bool:
        return bool(self.participants)

    @property
    def moderator_count(self) -> int:
        return sum(p.role == MODERATOR for p in self.participants.values())


def join_delay_s(participants: int, capacity: int) -> float:
    """How long a join takes on a bridge holding ``participants`` out of ``capacity``."""
    if capacity <= 0 or participants >= capacity:
        return JOIN_MAX_DELAY_S
    load = participants / capacity
    return min(JOIN_MAX_DELAY_S, JOIN_SERVICE_S / (1.0 - load))


def resolve_role(meeting: Meeting, role: str, password: str) -> str:
    """MODERATOR or VIEWER from the ``role`` parameter, else from the ``password`` given."""
    if role:
        upper = role.upper()
        if upper in (MODERATOR, VIEWER):
            return upper
        raise ApiFailure("invalidRole", f"role must be MODERATOR or VIEWER, got {role!r}")
    if password and password == meeting.moderator_pw:
        return MODERATOR
    if password and password == meeting.attendee_pw:
        return VIEWER
    if password:
        raise ApiFailure(
            "invalidPassword",
            "The password supplied is neither the attendee nor the moderator password.",
        )
    raise ApiFailure(
        "invalidPassword", "You must either send the role of the user or a meeting password."
    )


def check_meeting_id(meeting_id: str) -> str:
    """The stripped meeting ID, or ApiFailure as BigBlueButton 2.4+ validates it."""
    meeting_id = meeting_id.strip()
    if not meeting_id:
        raise ApiFailure("missingParamMeetingID", "You must specify a meeting ID for the meeting.")
    if not 2 <= len(meeting_id) <= 256 or "," in meeting_id:
        raise ApiFailure(
            "invalidMeetingIdentifier",
            "The meeting ID must be 2 to 256 characters long and cannot contain commas.",
        )
    return meeting_id


class Meetings:
    """Every meeting of one bridge. Not thread-safe: one event loop owns it."""

    def __init__(self) -> None:
        self._meetings: dict[str, Meeting] = {}
        self._sessions: dict[str, Participant] = {}  # by session token
        self._last_sweep = float("-inf")
        self.expired_participants = 0

    def __len__(self) -> int:
        return len(self._meetings)

    @property
    def participant_count(self) -> int:
        return len(self._sessions)

    def all(self) -> list[Meeting]:
        return sorted(self._meetings.values(), key=lambda m: m.created_at)

    def get(self, meeting_id: str) -> Meeting | None:
        return self._meetings.get(meeting_id)

    def require(self, meeting_id: str) -> Meeting:
        meeting = self._meetings.get(meeting_id)
        if meeting is None:
            raise ApiFailure("notFound", "We could not find a meeting with that meeting ID")
        return meeting

    def create(
        self,
        meeting_id: str,
        name: str,
        now: float,
        *,
        attendee_pw: str = "",
        moderator_pw: str = "",
        max_participants: int = 0,
        metadata: dict[str, str] | None = None,
    ) -> tuple[Meeting, bool]:
        """The meeting and whether it is new; the same ID again returns the existing one."""
        existing = self._meetings.get(meeting_id)
        if existing is not None:
            same = (not attendee_pw or attendee_pw == existing.attendee_pw) and (
                not moderator_pw or moderator_pw == existing.moderator_pw
            )
            if not same:
                raise ApiFailure(
                    "idNotUnique",
                    "A meeting already exists with that meeting ID. Please use a different meeting ID.",
                )
            return existing, False
        created_ms = int(now * 1000)
        digest = hashlib.sha1(meeting_id.encode(), usedforsecurity=False).hexdigest()
        meeting = Meeting(
            meeting_id=meeting_id,
            name=name or meeting_id,
            internal_id=f"{digest}-{created_ms}",
            attendee_pw=attendee_pw or _token(8),
            moderator_pw=moderator_pw or _token(8),
            created_at=now,
            voice_bridge=str(70000 + secrets.randbelow(30000)),
            max_participants=max_participants,
            metadata=dict(metadata or {}),
        )
        self._meetings[meeting_id] = meeting
        return meeting, True

    def admit(
        self,
        meeting: Meeting,
        full_name: str,
        role: str,
        now: float,
        *,
        capacity: int,
        ttl_s: float = PARTICIPANT_TTL_S,
        user_id: str = "",
    ) -> Participant:
        """Add a participant, or ApiFailure ``maxParticipantsReached`` when the bridge is full."""
        self.sweep(now)
        rejoining = bool(user_id) and user_id in meeting.participants

        def full() -> bool:
            return not rejoining and (
                self.participant_count >= capacity
                or 0 < meeting.max_participants <= len(meeting.participants)
            )

        if full():
            self.sweep(now, force=True)  # count exactly before refusing anyone
        if self._meetings.get(meeting.meeting_id) is not meeting:
            raise ApiFailure("notFound", "The meeting ended before the user could join.")
        if full():
            raise ApiFailure(
                "maxParticipantsReached",
                "The number of participants allowed for this meeting has been reached.",
            )
        participant = Participant(
            user_id=user_id or "w_" + _token(12),
            full_name=full_name,
            role=role,
            session_token=_token(16),
            meeting_id=meeting.meeting_id,
            joined_at=now,
            last_seen=now,
            ttl_s=min(MAX_TTL_S, max(MIN_TTL_S, ttl_s)),
        )
        if rejoining:  # the same user joining again replaces their previous session
            self._sessions.pop(meeting.participants[participant.user_id].session_token, None)
        meeting.participants[participant.user_id] = participant
        meeting.has_user_joined = True
        meeting.emptied_at = None
        self._sessions[participant.session_token] = participant
        return participant

    def touch(self, session_token: str, now: float) -> Participant | None:
        """The participant whose client page was just refreshed (None if gone)."""
        self.sweep(now)
        participant = self._sessions.get(session_token)
        if participant is None or participant.expired(now):
            return None
        participant.last_seen = now
        return participant

    def leave(self, session_token: str, now: float) -> bool:
        participant = self._sessions.pop(session_token, None)
        if participant is None:
            return False
        meeting = self._meetings.get(participant.meeting_id)
        if meeting is not None:
            meeting.participants.pop(participant.user_id, None)
            if not meeting.participants:
                meeting.emptied_at = now
        return True

    def end(self, meeting_id: str) -> Meeting:
        """Remove the meeting and everyone in it (ApiFailure ``notFound`` if unknown)."""
        meeting = self.require(meeting_id)
        del self._meetings[meeting_id]
        for participant in meeting.participants.values():
            self._sessions.pop(participant.session_token, None)
        meeting.participants.clear()
        return meeting

    def sweep(self, now: float, *, force: bool = False) -> None:
        """Remove participants whose page went stale and meetings that expired."""
        if not force and now - self._last_sweep < SWEEP_INTERVAL_S:
            return
        self._last_sweep = now
        for token, participant in list(self._sessions.items()):
            if participant.expired(now):
                self.expired_participants += 1
                self.leave(token, now)
        for meeting_id, meeting in list(self._meetings.items()):
            if meeting.participants:
                continue
            if meeting.has_user_joined:
                emptied = meeting.emptied_at if meeting.emptied_at is not None else now
                if now - emptied > EXPIRE_WHEN_LAST_USER_LEFT_S:
                    del self._meetings[meeting_id]
            elif now - meeting.created_at > EXPIRE_IF_NO_USER_JOINED_S:
                del self._meetings[meeting_id]


def _token(length: int) -> str:
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))

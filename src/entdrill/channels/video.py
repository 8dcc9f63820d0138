"""The video channel: the backup BigBlueButton room classes move to, created and proven joinable.

``send`` (or :meth:`VideoChannel.open_room`, which the runner may call first) creates the room on
the backup (or primary) bridge, then follows the very join link people will get (signed
``join`` as a viewer, redirected to the client page) and checks that the page opens on the
bridge's host. The ledger gets channel-wide facts (``person_id`` ""): ``sent`` when the room
exists, then ``delivered`` when a participant got in, or ``failed`` with the cause (bridge
unreachable, ``create`` or ``join`` refused). :attr:`join_link` is what the other channels'
``{room_link}`` renders to. ``recover`` ends the room.

The link is signed with the bridge's secret (a SHA checksum: the secret itself is never in it).
"""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any

from entdrill import bbb, redact
from entdrill.bbb_checksum import build_url
from entdrill.channels.base import Channel, LedgerEvent, LedgerState, Message, Recipient

log = logging.getLogger(__name__)

PARTICIPANT_NAME = "Participant"


class VideoChannel(Channel):
    kind = "video"
    reaches_people = False

    def __init__(
        self,
        name: str,
        audience: Sequence[Recipient],
        settings: Mapping[str, Any] | None = None,
        *,
        bridge_url: str,
        secret: str,
        drill_id: str,
        room: str = "",
        title: str = "",
        timeout_s: float = 10.0,
    ) -> None:
        super().__init__(name, audience, settings)
        redact.register(secret)
        self.bridge_url = bridge_url.rstrip("/")
        self.secret = secret
        self.meeting_id = f"{room or name}-{drill_id}".replace(",", "-")[:256]
        self.title = title or room or name
        self.timeout_s = timeout_s
        self.events: list[LedgerEvent] = []
        self.opened = False

    @property
    def join_link(self) -> str:
        """The link people follow to join the room as a viewer."""
        params = {"meetingID": self.meeting_id, "fullName": PARTICIPANT_NAME, "role": "VIEWER"}
        return build_url(self.bridge_url, "join", params, self.secret)

    def open_room(self) -> list[LedgerEvent]:
        """Create the room and prove it joinable (once); the channel-wide facts of it."""
        if self.opened:
            return []
        self.opened = True
        started = time.monotonic()
        try:
            created = bbb.call(
                self.bridge_url,
                "create",
                {"meetingID": self.meeting_id, "name": self.title, "meta_entdrill": "drill"},
                self.secret,
                timeout_s=self.timeout_s,
            )
        except (OSError, urllib.error.URLError) as error:
            return self._record([self._failed(f"bridge unreachable: {_reason(error)}")])
        if not created.ok:
            key = created.message_key or created.returncode or f"HTTP {created.status}"
            return self._record([self._failed(f"create refused by the bridge: {key}")])
        facts = [self.event("", LedgerState.SENT, meeting_id=self.meeting_id, bridge=self._host())]
        try:
            page = self._follow(self.join_link)
        except (OSError, urllib.error.URLError) as error:
            facts.append(self._failed(f"join failed: {_reason(error)}"))
            return self._record(facts)
        if page is not None:
            facts.append(self._failed(page))
            return self._record(facts)
        facts.append(
            self.event(
                "",
                LedgerState.DELIVERED,
                meeting_id=self.meeting_id,
                joined_in_s=round(time.monotonic() - started, 3),
            )
        )
        return self._record(facts)

    def _follow(self, link: str) -> str | None:
        """Open the join link as a browser would; None when the client page opened, else why."""
        try:
            with urllib.request.urlopen(link, timeout=self.timeout_s) as response:  # noqa: S310
                body = response.read(200_000)
                final = response.geturl()
        except urllib.error.HTTPError as error:
            return f"join failed: HTTP {error.code}"
        if urllib.parse.urlsplit(final).hostname != urllib.parse.urlsplit(self.bridge_url).hostname:
            return f"join led to another host: {urllib.parse.urlsplit(final).hostname}"
        answer = bbb.parse_answer(200, body)
        if answer.returncode == "FAILED":  # an API answer instead of the client page
            return f"join refused by the bridge: {answer.message_key or 'FAILED'}"
        return None

    def _record(self, facts: list[LedgerEvent]) -> list[LedgerEvent]:
        self.events += facts
        for fact in facts:
            if fact.state is LedgerState.FAILED:
                log.warning("backup room %s: %s", self.meeting_id, fact.evidence.get("cause"))
        return facts

    def _failed(self, cause: str) -> LedgerEvent:
        return self.event("", LedgerState.FAILED, cause=redact.redact(cause), bridge=self._host())

    def _host(self) -> str:
        return urllib.parse.urlsplit(self.bridge_url).netloc

    def _send(self, message: Message, recipients: Sequence[Recipient]) -> list[LedgerEvent]:
        return self.open_room()

    def poll(self) -> list[LedgerEvent]:
        return []

    def recover(self) -> dict[str, Any]:
        """End the room; what was done."""
        if not self.opened:
            return {}
        try:
            ended = bbb.call(
                self.bridge_url,
                "end",
                {"meetingID": self.meeting_id},
                self.secret,
                timeout_s=self.timeout_s,
            )
        except (OSError, urllib.error.URLError) as error:
            return {"meeting_id": self.meeting_id, "ended": False, "error": _reason(error)}
        return {
            "meeting_id": self.meeting_id,
            "ended": ended.ok,
            **({} if ended.ok else {"error": ended.message_key or ended.returncode}),
        }


def _reason(error: BaseException) -> str:
    return str(redact.redact(str(getattr(error, "reason", error)) or type(error).__name__))

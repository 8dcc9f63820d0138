"""Talking to a Matrix homeserver (Tchap, Synapse) for a drill: plain HTTP on the client-server API.

Why not ``matrix-nio``: it is asyncio-only where the drill runner is synchronous (it would need an
event loop per call, or a thread), it brings six more dependencies (h11, h2, pycryptodome,
aiofiles, aiohttp-socks, unpaddedbase64), and on a 429 it sleeps whatever ``retry_after_ms`` says
and retries forever by default. A drill needs the opposite: a capped wait, a bounded number of
retries, and the transaction id in its own hands. The dozen calls a drill makes are a few lines
each with the standard library (:mod:`matrix_http`), every one with a timeout.

:class:`MatrixConnection`, one access token on one homeserver:

- **sends** with ``PUT /rooms/{room}/send/{type}/{txnId}``, the transaction id made of the
  drill, the notification and the person: a retry after a timeout, a dropped connection or a
  5xx reuses it, and the homeserver answers with the event it already has, so nothing is ever
  posted twice;
- every **write** (a send, opening a room, joining one) waits out a 429 ``M_LIMIT_EXCEEDED`` for
  ``retry_after_ms`` when it is under the cap (30 s), and fails when the homeserver asks for
  longer or keeps refusing (a refused write was not carried out: retrying it is safe). Synapse
  counts opening a room against the same message rate as a message;
- **reads** go through one ``/sync`` stream (:class:`~entdrill.channels.matrix_feed.MatrixFeed`)
  shared by every Matrix channel of a drill and its STOP DRILL watch; a rate-limited read is
  skipped until the limit lifts (:class:`ReadLater`), never slept on;
- opens **direct rooms** once per person, remembered in the bot's ``m.direct`` account data as
  Matrix clients do, and reused by the next drill.
"""

from __future__ import annotations

import logging
import random
import re
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from entdrill import redact, retry
from entdrill.channels.matrix_http import MatrixFailure, ReadLater, call

log = logging.getLogger(__name__)

__all__ = ["MatrixConnection", "MatrixFailure", "ReadLater", "Sent", "quoted", "txn_id"]

CLIENT_API = "/_matrix/client/v3"
RELATIONS_API = "/_matrix/client/v1"  # relations were added in v1 and are not under v3


@dataclass(frozen=True)
class Sent:
    """An event the homeserver accepted."""

    room_id: str
    event_id: str
    txn_id: str
    attempts: int
    waited_s: float  # spent waiting for rate limits to lift

    def evidence(self) -> dict[str, Any]:
        return {
            "room_id": self.room_id,
            "event_id": self.event_id,
            "attempts": self.attempts,
            "rate_limited_s": round(self.waited_s, 3),
        }


def txn_id(*parts: str) -> str:
    """A transaction id from ``parts`` (drill, notification, person): the same parts, the same id."""
    return "entdrill." + ".".join(re.sub(r"[^A-Za-z0-9_-]", "_", p) or "_" for p in parts)


def quoted(value: str) -> str:
    return urllib.parse.quote(value, safe="")


class MatrixConnection:
    """One access token on one homeserver (``https://matrix.example.fr``)."""

    def __init__(
        self,
        homeserver: str,
        token: str,
        *,
        timeout_s: float = 10.0,
        rate_limit_cap_s: float = 30.0,
        max_attempts: int = 3,
        max_rate_limited: int = 10,
        backoff_s: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        redact.register(token)
        self.homeserver = homeserver.rstrip("/")
        self.token = token
        self.timeout_s = timeout_s
        self.rate_limit_cap_s = rate_limit_cap_s
        self.max_attempts = max(1, max_attempts)
        self.max_rate_limited = max_rate_limited
        self.backoff_s = backoff_s
        self.sleep = sleep
        self.read_after = 0.0  # monotonic time before which reads are skipped (a 429)
        self.rate_limited_s = 0.0  # every wait for a rate limit, in total
        self._user_id = ""
        self._rooms: dict[str, str] = {}  # alias -> room id
        self._direct: dict[str, str] = {}  # user id -> direct room id
        from entdrill.channels.matrix_feed import MatrixFeed

        self.feed = MatrixFeed(self)

    # -- checks ---------------------------------------------------------------------------

    def check_server(self) -> None:
        """Raise :class:`MatrixFailure` unless the homeserver answers like a Matrix homeserver."""
        url = f"{self.homeserver}/_matrix/client/versions"
        try:
            answer = call("GET", url, timeout_s=self.timeout_s)
        except MatrixFailure as failure:
            raise MatrixFailure(
                f"{self.homeserver} does not answer as a Matrix homeserver: {failure.cause}",
                status=failure.status,
            ) from None
        versions = answer.get("versions")
        if not isinstance(versions, list) or not versions:
            raise MatrixFailure(
                f"{self.homeserver} does not answer as a Matrix homeserver: "
                "its /_matrix/client/versions has no list of versions"
            )

    def user_id(self) -> str:
        """Who the token belongs to (``GET /account/whoami``)."""
        if not self._user_id:
            self._user_id = str(self.request("GET", "/account/whoami")["user_id"])
        return self._user_id

    def resolve(self, room: str) -> str:
        """The room id of ``room`` (``!id:server`` as is, ``#alias:server`` looked up)."""
        if room.startswith("!"):
            return room
        if room not in self._rooms:
            try:
                answer = self.request("GET", f"/directory/room/{quoted(room)}", auth=False)
            except MatrixFailure as failure:
                if failure.errcode == "M_NOT_FOUND" or failure.status == 404:
                    raise MatrixFailure(
                        f"the Matrix room {room} does not exist on {self.homeserver}",
                        errcode="M_NOT_FOUND",
                        status=404,
                    ) from None
                raise
            self._rooms[room] = str(answer["room_id"])
        return self._rooms[room]

    # -- writing --------------------------------------------------------------------------

    def join(self, room: str) -> str:
        """Join ``room`` (a no-op when already in it); its room id."""
        room_id = self.resolve(room)
        self.write("POST", f"/join/{quoted(room_id)}", {})
        return room_id

    def send(
        self,
        room_id: str,
        content: Mapping[str, Any],
        *,
        txn: str,
        event_type: str = "m.room.message",
    ) -> Sent:
        """Send one event; retried with the same transaction id, so it is never doubled."""
        path = f"/rooms/{quoted(room_id)}/send/{quoted(event_type)}/{quoted(txn)}"
        before = self.rate_limited_s
        for attempt in retry.attempts(self.max_attempts, base_s=self.backoff_s, sleep=self.sleep):
            try:
                answer = self.write("PUT", path, dict(content))
                return Sent(
                    room_id, str(answer["event_id"]), txn, attempt, self.rate_limited_s - before
                )
            except MatrixFailure as failure:
                if not failure.ambiguous or attempt >= self.max_attempts:
                    if failure.ambiguous:
                        raise MatrixFailure(
                            f"{failure.cause} ({attempt} attempts)", ambiguous=True
                        ) from None
                    raise
                log.info("Matrix send %s: %s (attempt %d)", txn, failure.cause, attempt)
        raise AssertionError("unreachable")

    def write(self, method: str, path: str, body: Any) -> dict[str, Any]:
        """One write, waiting out 429s (capped; a refused write was not carried out)."""
        limited = 0
        while True:
            try:
                return self.request(method, path, body)
            except MatrixFailure as failure:
                if not failure.retry_after_s:
                    raise
                limited += 1
                wait = failure.retry_after_s
                if wait > self.rate_limit_cap_s:
                    raise MatrixFailure(
                        f"{failure.cause}: asked to wait {wait:.1f} s, more than the "
                        f"{self.rate_limit_cap_s:g} s a drill waits",
                        errcode=failure.errcode,
                        status=429,
                    ) from None
                if limited > self.max_rate_limited:
                    raise MatrixFailure(
                        f"{failure.cause} ({limited} times in a row)", status=429
                    ) from None
                log.info("Matrix rate limit on %s: waiting %.2f s", method, wait)
                wait += random.uniform(0.0, 0.05)
                self.sleep(wait)
                self.rate_limited_s += wait

    def direct_room(self, user_id: str) -> str:
        """The bot's direct room with ``user_id``: the one ``m.direct`` lists, or a new one."""
        if user_id in self._direct:
            return self._direct[user_id]
        data = f"/user/{quoted(self.user_id())}/account_data/m.direct"
        for room_id in self._direct_rooms(data).get(user_id) or []:
            if self._still_direct(str(room_id), user_id):
                self._direct[user_id] = str(room_id)
                return str(room_id)
        created = self.write(
            "POST",
            "/createRoom",
            {"is_direct": True, "invite": [user_id], "preset": "trusted_private_chat"},
        )
        room_id = str(created["room_id"])
        direct = self._direct_rooms(data)  # read again, to add to what is there now
        direct[user_id] = [*(direct.get(user_id) or []), room_id]
        self.write("PUT", data, direct)
        self._direct[user_id] = room_id
        return room_id

    def _direct_rooms(self, path: str) -> dict[str, Any]:
        try:
            return dict(self.request("GET", path))
        except MatrixFailure as failure:
            if failure.errcode == "M_NOT_FOUND":
                return {}
            raise

    def _still_direct(self, room_id: str, user_id: str) -> bool:
        """Whether ``user_id`` is still joined or invited in ``room_id`` (and the bot too)."""
        try:
            state = self.request(
                "GET", f"/rooms/{quoted(room_id)}/state/m.room.member/{quoted(user_id)}"
            )
        except MatrixFailure:
            return False
        return state.get("membership") in ("join", "invite")

    # -- reading --------------------------------------------------------------------------

    def is_encrypted(self, room_id: str) -> bool | None:
        """Whether ``room_id`` is end-to-end encrypted (None: the bot may not read its state)."""
        try:
            self.request("GET", f"/rooms/{quoted(room_id)}/state/m.room.encryption/")
        except MatrixFailure as failure:
            if failure.errcode == "M_NOT_FOUND":
                return False
            if failure.errcode == "M_FORBIDDEN":
                return None
            raise
        return True

    def event_time_ms(self, room_id: str, event_id: str) -> int:
        """When the homeserver received ``event_id`` (``origin_server_ts``, milliseconds)."""
        answer = self.request("GET", f"/rooms/{quoted(room_id)}/event/{quoted(event_id)}")
        return int(answer.get("origin_server_ts") or 0)

    def joined_members(self, room_id: str) -> set[str]:
        answer = self.request("GET", f"/rooms/{quoted(room_id)}/joined_members")
        return set((answer.get("joined") or {}).keys())

    def relations(self, room_id: str, event_id: str) -> list[dict[str, Any]]:
        """The events relating to ``event_id`` (reactions, thread replies), oldest first."""
        path = f"{RELATIONS_API}/rooms/{quoted(room_id)}/relations/{quoted(event_id)}"
        answer = self.read(path, {"limit": "100", "dir": "f"}, api="")
        return [e for e in answer.get("chunk") or [] if isinstance(e, dict)]

    def read(self, path: str, query: Mapping[str, str], *, api: str = CLIENT_API) -> dict[str, Any]:
        """One read, unless a rate limit said to wait (then :class:`ReadLater`)."""
        wait = self.read_after - time.monotonic()
        if wait > 0:
            raise ReadLater(f"the homeserver asked to wait {wait:.0f} s", retry_after_s=wait)
        try:
            return self.request("GET", path, query=query, api=api)
        except MatrixFailure as failure:
            if failure.retry_after_s:
                self.read_after = time.monotonic() + failure.retry_after_s
                raise ReadLater(failure.cause, retry_after_s=failure.retry_after_s) from None
            raise

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        query: Mapping[str, str] | None = None,
        auth: bool = True,
        api: str = CLIENT_API,
    ) -> dict[str, Any]:
        """One call on the client-server API; the JSON object answered, or MatrixFailure."""
        return call(
            method,
            f"{self.homeserver}{api}{path}",
            token=self.token if auth else "",
            body=body,
            query=query,
            timeout_s=self.timeout_s,
            what=f"{method} {urllib.parse.unquote(path)}",
        )

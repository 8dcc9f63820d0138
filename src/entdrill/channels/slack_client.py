"""Talking to Slack for a drill: posts that are never doubled, and frugal reads.

:class:`SlackConnection` wraps two ``slack_sdk.WebClient`` instances on one token:

- the **writer** waits out a 429 for ``Retry-After`` (capped: past the cap the call fails, it
  does not sleep for minutes) and retries 5xx and connection errors, except for
  ``chat.postMessage``: Slack has no idempotency key, so a post that failed ambiguously (timeout,
  dropped connection, 5xx) may have been carried out. :meth:`SlackConnection.post` attaches
  ``metadata`` (``event_type: entdrill_drill_notification`` with the drill, notification and
  person ids) and, before posting again, looks the message up (``conversations.history`` with
  ``include_all_metadata``, or ``conversations.replies`` in a thread) and reuses its ``ts``;
- the **reader** (acknowledgements, the kill switch) never sleeps on a 429: it remembers
  ``Retry-After`` and reads nothing more until then (:class:`ReadLater`).

Failures raise :class:`SlackFailure` with a sentence (never the token); ``auth`` is True for
``invalid_auth``/``not_authed`` and the like, after which nothing is worth retrying.
"""

from __future__ import annotations

import http.client
import logging
import random
import time
import urllib.error
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from entdrill import redact, retry
from entdrill.errors import ChannelError

log = logging.getLogger(__name__)

EVENT_TYPE = "entdrill_drill_notification"
AUTH_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
)
NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    urllib.error.URLError,
    http.client.HTTPException,
    OSError,
    TimeoutError,
)
LOOKUP_WINDOW_S = 600.0  # how far back a lost post is looked for (clock skew included)
LOOKUP_PAGES = 5


class SlackFailure(ChannelError):
    """A Slack call failed; ``cause`` is the sentence for the ledger."""

    def __init__(
        self,
        cause: str,
        *,
        auth: bool = False,
        retry_after_s: float = 0.0,
        ambiguous: bool = False,
    ) -> None:
        super().__init__(cause)
        self.cause = cause
        self.auth = auth
        self.retry_after_s = retry_after_s
        self.ambiguous = ambiguous  # the call may have been carried out (5xx, lost connection)


class ReadLater(SlackFailure):
    """A read was rate-limited: nothing more should be read before ``retry_after_s``."""


@dataclass(frozen=True)
class Posted:
    channel: str  # the conversation id (C..., D...)
    ts: str
    attempts: int
    recovered: bool  # found by lookup after an ambiguous failure, not posted again

    def evidence(self) -> dict[str, Any]:
        return {
            "slack_channel": self.channel,
            "ts": self.ts,
            "attempts": self.attempts,
            "recovered": self.recovered,
        }


class CappedRateLimitRetry(RateLimitErrorRetryHandler):
    """Wait ``Retry-After`` (plus jitter) on a 429, unless it is longer than ``cap_s``."""

    def __init__(self, max_retry_count: int, cap_s: float, sleep: Callable[[float], None]):
        super().__init__(max_retry_count=max_retry_count)
        self.cap_s = cap_s
        self.sleep = sleep

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return (
            response is not None
            and response.status_code == 429
            and _retry_after(response.headers) <= self.cap_s
        )

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        wait = _retry_after(response.headers if response is not None else {})
        log.info("Slack rate limit on %s: waiting %.1f s", _method(request.url), wait)
        self.sleep(wait + random.uniform(0.0, 0.25))
        state.next_attempt_requested = True
        state.increment_current_attempt()


class IdempotentServerErrorRetry(ServerErrorRetryHandler):
    """Retry 500/503, but never a ``chat.postMessage`` (it may have been carried out)."""

    def _can_retry(self, **kwargs: Any) -> bool:
        return not _is_post(kwargs["request"]) and super()._can_retry(**kwargs)


class IdempotentConnectionRetry(ConnectionErrorRetryHandler):
    """Retry connection errors, but never a ``chat.postMessage``."""

    def _can_retry(self, **kwargs: Any) -> bool:
        return not _is_post(kwargs["request"]) and super()._can_retry(**kwargs)


class SlackConnection:
    """One bot token on one Slack workspace (or the sandbox's Slack-compatible API)."""

    def __init__(
        self,
        token: str,
        base_url: str,
        *,
        timeout_s: float = 10.0,
        rate_limit_cap_s: float = 30.0,
        max_attempts: int = 3,
        backoff_s: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        redact.register(token)
        self.max_attempts = max(1, max_attempts)
        self.backoff_s = backoff_s
        self.sleep = sleep
        url = base_url if base_url.endswith("/") else base_url + "/"
        retries: list[RetryHandler] = [
            IdempotentServerErrorRetry(max_retry_count=2),
            IdempotentConnectionRetry(max_retry_count=2),
        ]
        self.writer = WebClient(
            token=token,
            base_url=url,
            timeout=max(1, round(timeout_s)),
            retry_handlers=[CappedRateLimitRetry(5, rate_limit_cap_s, sleep), *retries],
        )
        self.reader = WebClient(
            token=token, base_url=url, timeout=max(1, round(timeout_s)), retry_handlers=retries
        )
        self.read_after = 0.0  # monotonic time before which reads are skipped (Retry-After)
        self._ids: dict[str, str] = {}

    # -- writing --------------------------------------------------------------------------

    def post(
        self,
        channel: str,
        text: str,
        *,
        drill_id: str,
        notification_id: str,
        person_id: str = "",
        thread_ts: str = "",
    ) -> Posted:
        """Post ``text`` once to ``channel`` (a conversation id, ``#name`` or a user id)."""
        metadata = {
            "event_type": EVENT_TYPE,
            "event_payload": {
                "drill_id": drill_id,
                "notification_id": notification_id,
                "person_id": person_id,
            },
        }
        started = time.time()
        ambiguous, cause = False, ""
        for attempt in retry.attempts(self.max_attempts, base_s=self.backoff_s, sleep=self.sleep):
            if ambiguous:
                found = self.find_posted(channel, metadata, started, thread_ts)
                if found is not None:
                    log.info("post %s found after an ambiguous failure", notification_id)
                    return Posted(found[0], found[1], attempt - 1, recovered=True)
            try:
                answer = self._call(
                    self.writer.chat_postMessage,
                    channel=self.conversation_id(channel),
                    text=text,
                    metadata=metadata,
                    thread_ts=thread_ts or None,
                    unfurl_links=False,
                )
                return Posted(str(answer["channel"]), str(answer["ts"]), attempt, False)
            except SlackFailure as failure:
                if not failure.ambiguous:
                    raise
                ambiguous, cause = True, failure.cause
            log.info("Slack post %s: %s (attempt %d)", notification_id, cause, attempt)
        found = self.find_posted(channel, metadata, started, thread_ts)
        if found is not None:
            return Posted(found[0], found[1], self.max_attempts, recovered=True)
        raise SlackFailure(f"{cause} ({self.max_attempts} attempts)")

    def find_posted(
        self, channel: str, metadata: dict[str, Any], since: float, thread_ts: str = ""
    ) -> tuple[str, str] | None:
        """(conversation id, ts) of a message we posted with this ``metadata``, if any."""
        try:
            conversation = self.conversation_id(channel, open_dm=True)
            if thread_ts:
                pages = self._pages(
                    self.writer.conversations_replies,
                    channel=conversation,
                    ts=thread_ts,
                    include_all_metadata=True,
                    limit=200,
                )
            else:
                pages = self._pages(
                    self.writer.conversations_history,
                    channel=conversation,
                    oldest=f"{since - LOOKUP_WINDOW_S:.6f}",
                    include_all_metadata=True,
                    limit=200,
                )
            for message in pages:
                if message.get("metadata") == metadata:
                    return conversation, str(message["ts"])
        except SlackFailure as failure:
            log.warning("cannot look up a post in %s: %s", channel, failure.cause)
        return None

    # -- reading --------------------------------------------------------------------------

    def history(
        self, channel: str, oldest: str, *, latest: str = "", limit: int = 100
    ) -> list[dict[str, Any]]:
        """Top-level messages of ``channel`` from ``oldest`` to ``latest`` (both inclusive,
        ``latest`` open when empty), oldest first. Slack returns the newest ``limit`` of them:
        give ``latest`` to read one message among later ones."""
        answer = self.read(
            self.reader.conversations_history,
            channel=self.conversation_id(channel),
            oldest=oldest,
            latest=latest or None,
            inclusive=True,
            limit=limit,
        )
        return list(reversed(answer.get("messages") or []))

    def replies(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """The replies in the thread of ``ts`` (without the parent), oldest first."""
        answer = self.read(
            self.reader.conversations_replies,
            channel=self.conversation_id(channel),
            ts=ts,
            limit=200,
        )
        return [m for m in answer.get("messages") or [] if m.get("ts") != ts]

    def read_messages(self, channel: str, oldest_ts: str) -> list[tuple[str, str, str]]:
        """(user id, text, ts) of the top-level messages posted in ``channel`` after
        ``oldest_ts``, oldest first: what the kill switch reads for ``STOP DRILL``.

        Returns [] while a rate limit's ``Retry-After`` runs; raises :class:`SlackFailure`.
        """
        try:
            found = self.history(channel, oldest_ts)
        except ReadLater:
            return []
        return [
            (str(m.get("user", "")), str(m.get("text", "")), str(m["ts"]))
            for m in found
            if m.get("ts") != oldest_ts
        ]

    def members(self, channel: str) -> set[str]:
        """The member ids of a conversation."""
        return {
            str(m)
            for m in self._pages(
                self.reader.conversations_members,
                key="members",
                channel=self.conversation_id(channel),
                limit=1000,
            )
        }

    def read(self, method: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
        """One read call, unless a rate limit said to wait (then :class:`ReadLater`)."""
        wait = self.read_after - time.monotonic()
        if wait > 0:
            raise ReadLater(f"Slack asked to wait {wait:.0f} s", retry_after_s=wait)
        try:
            return self._call(method, **kwargs)
        except SlackFailure as failure:
            if failure.retry_after_s:
                self.read_after = time.monotonic() + failure.retry_after_s
                raise ReadLater(failure.cause, retry_after_s=failure.retry_after_s) from None
            raise

    # -- plumbing -------------------------------------------------------------------------

    def conversation_id(self, channel: str, *, open_dm: bool = False) -> str:
        """The id of ``#name`` (looked up once); a user id's DM when ``open_dm``; else as is."""
        if channel.startswith("#"):
            if channel not in self._ids:
                name = channel[1:]
                for conversation in self._pages(
                    self.writer.conversations_list,
                    key="channels",
                    types="public_channel,private_channel",
                    exclude_archived=True,
                    limit=1000,
                ):
                    if conversation.get("name") == name:
                        self._ids[channel] = str(conversation["id"])
                        break
                else:
                    raise SlackFailure(f"Slack has no channel {channel} the bot can see")
            return self._ids[channel]
        if open_dm and channel[:1] in ("U", "W"):
            if channel not in self._ids:
                answer = self._call(self.writer.conversations_open, users=channel)
                self._ids[channel] = str(answer["channel"]["id"])
            return self._ids[channel]
        return channel

    def _pages(
        self, method: Callable[..., Any], *, key: str = "messages", **kwargs: Any
    ) -> Iterator[dict[str, Any]]:
        cursor = ""
        for _ in range(LOOKUP_PAGES):
            answer = self._call(method, cursor=cursor or None, **kwargs)
            yield from answer.get(key) or []
            cursor = str((answer.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                return

    def _call(self, method: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
        name = getattr(method, "__name__", "call")
        try:
            answer = method(**{k: v for k, v in kwargs.items() if v is not None})
        except SlackApiError as error:
            raise _failure(name, error) from None
        except NETWORK_ERRORS as error:
            reason = redact.redact(str(getattr(error, "reason", error)) or type(error).__name__)
            raise SlackFailure(
                f"Slack unreachable during {name}: {reason}", ambiguous=True
            ) from None
        return dict(answer.data) if isinstance(answer.data, dict) else {}


def _failure(name: str, error: SlackApiError) -> SlackFailure:
    response = error.response
    status = response.status_code
    code = str(response.get("error") or "") if isinstance(response.data, dict) else ""
    if status == 429:
        wait = _retry_after(response.headers)
        return SlackFailure(
            f"Slack rate-limited {name} (Retry-After {wait:g} s)", retry_after_s=wait
        )
    if code in AUTH_ERRORS:
        return SlackFailure(f"Slack refused the token: {code}", auth=True)
    if status >= 500:
        return SlackFailure(f"Slack answered HTTP {status} to {name}", ambiguous=True)
    return SlackFailure(f"Slack refused {name}: {code or 'HTTP ' + str(status)}")


def _retry_after(headers: Any) -> float:
    for key in headers or {}:
        if str(key).lower() == "retry-after":
            value = headers[key]
            text = value[0] if isinstance(value, list | tuple) else value
            try:
                return max(0.0, float(text))
            except (TypeError, ValueError):
                return 1.0
    return 1.0


def _method(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def _is_post(request: HttpRequest) -> bool:
    return _method(request.url) == "chat.postMessage"

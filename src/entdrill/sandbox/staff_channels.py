"""What reaches the simulated staff, and how they answer, through the sandbox's components.

- Slack: the Slack API's admin feed (``/_admin/slack/feed``) lists every message with the members
  it reached (one request per poll instead of one history call per person and conversation);
  answers go through the public API with the person's own user token (``reactions.add`` or a
  thread reply with ``chat.postMessage``).
- Email: each person's Maildir (:func:`mailstore.read_mailbox`); answers are replies sent through
  the sandbox's SMTP server (STARTTLS, AUTH), with ``In-Reply-To`` and ``References``.
- SMS: the SMS gateway's outbox (``GET /v1/outbox?to=&since=``, one request per phone); answers
  are ``POST /v1/inbound``.

A failure to answer raises :class:`TransientFailure` (worth retrying: 4xx SMTP, 5xx HTTP, a
component down) or :class:`PermanentFailure` (not worth it: 5xx SMTP, 4xx HTTP).
"""

from __future__ import annotations

import asyncio
import datetime
import email.utils
import logging
import smtplib
import time
from collections.abc import Iterable
from email.message import EmailMessage
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from entdrill.mailstore import MailMessage, read_mailbox
from entdrill.population import Person
from entdrill.sandbox.certificate import certificate_paths, client_context
from entdrill.sandbox.component import ComponentContext
from entdrill.sandbox.slack_api import user_token
from entdrill.sandbox.staff_profile import ACK_REACTION, Arrival

log = logging.getLogger(__name__)

HTTP_TIMEOUT_S = 5.0
SMTP_TIMEOUT_S = 10.0


class TransientFailure(Exception):
    """An answer failed in a way a retry may fix."""


class PermanentFailure(Exception):
    """An answer failed in a way a retry will not fix."""


class SlackSide:
    """Reads the Slack feed; reacts and replies as people."""

    def __init__(
        self, ctx: ComponentContext, session: aiohttp.ClientSession, people: Iterable[Person]
    ) -> None:
        self.ctx = ctx
        self.session = session
        self.by_slack_id = {p.slack_id: p for p in people if p.slack_id}
        self.admin_url = f"http://{ctx.host}:{ctx.config.slack_port}/_admin/slack/feed"
        self.since = 0

    async def arrivals(self) -> list[Arrival]:
        async with self.session.get(
            self.admin_url,
            params={"since": str(self.since), "limit": "1000"},
            headers={"Authorization": f"Bearer {self.ctx.secrets.admin_token}"},
        ) as response:
            response.raise_for_status()
            feed = await response.json()
        arrivals: list[Arrival] = []
        for event in feed["events"]:
            self.since = max(self.since, int(event["seq"]))
            for member in event["members"]:
                person = self.by_slack_id.get(member)
                if person is None or member == event["user"]:
                    continue
                arrivals.append(
                    Arrival(
                        channel="slack",
                        ref=f"slack:{event['channel']}:{event['ts']}",
                        username=person.username,
                        author=str(event["user"]),
                        text=str(event["plain_text"]),
                        sent_at=float(event["posted_at"]),
                        context={"channel": event["channel"], "ts": event["ts"]},
                    )
                )
        return arrivals

    def client(self, person: Person) -> AsyncWebClient:
        return AsyncWebClient(
            token=user_token(self.ctx.secrets, person.slack_id),
            base_url=self.ctx.config.slack_api_url,
            session=self.session,
            timeout=int(HTTP_TIMEOUT_S),
            retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=3)],
        )

    async def answer(self, person: Person, arrival: Arrival, how: str, text: str) -> None:
        client = self.client(person)
        channel, ts = arrival.context["channel"], arrival.context["ts"]
        try:
            if how == "reaction":
                await client.reactions_add(channel=channel, timestamp=ts, name=ACK_REACTION)
            else:
                await client.chat_postMessage(channel=channel, thread_ts=ts, text=text)
        except SlackApiError as error:
            if error.response.get("error") == "already_reacted":
                return
            if error.response.status_code >= 500 or error.response.status_code == 429:
                raise TransientFailure(f"Slack answered {error.response.status_code}") from error
            raise PermanentFailure(f"Slack refused: {error.response.get('error')}") from error
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            raise TransientFailure(f"Slack unreachable: {error!r}") from error


class MailSide:
    """Reads people's Maildirs; replies through the sandbox's SMTP server."""

    def __init__(self, ctx: ComponentContext, people: Iterable[Person]) -> None:
        self.ctx = ctx
        self.people = [p for p in people if p.email]
        self.seen: dict[str, set[str]] = {p.email: set() for p in self.people}

    def arrivals(self) -> list[Arrival]:
        """New mail in every person's Maildir (blocking: run it in a thread)."""
        arrivals: list[Arrival] = []
        for person in self.people:
            seen = self.seen[person.email]
            for message in read_mailbox(self.ctx.mail_dir, person.email, skip=seen):
                seen.add(message.key)
                arrivals.append(mail_arrival(person, message))
        return arrivals

    def answer(self, person: Person, arrival: Arrival, text: str) -> None:
        """Send the reply (blocking: run it in a thread)."""
        reply = reply_message(person, arrival, text)
        cert = certificate_paths(self.ctx.directory)[0]
        try:
            with smtplib.SMTP(
                self.ctx.host, self.ctx.config.smtp_port, timeout=SMTP_TIMEOUT_S
            ) as smtp:
                smtp.ehlo(f"staff.{self.ctx.config.school_domain}")
                if smtp.has_extn("starttls") and cert.exists():
                    smtp.starttls(context=client_context(cert))
                    smtp.login(self.ctx.secrets.smtp_user, self.ctx.secrets.smtp_password)
                refused = smtp.send_message(reply)
        except smtplib.SMTPResponseException as error:
            kind = TransientFailure if 400 <= error.smtp_code < 500 else PermanentFailure
            raise kind(f"SMTP answered {error.smtp_code}") from error
        except smtplib.SMTPRecipientsRefused as error:
            codes = {code for code, _ in error.recipients.values()}
            kind = TransientFailure if all(400 <= c < 500 for c in codes) else PermanentFailure
            raise kind(f"SMTP refused the recipient ({sorted(codes)})") from error
        except (smtplib.SMTPException, OSError) as error:
            raise TransientFailure(f"SMTP unreachable: {error!r}") from error
        if refused:
            raise PermanentFailure(f"SMTP refused {sorted(refused)}")


def mail_arrival(person: Person, message: MailMessage) -> Arrival:
    return Arrival(
        channel="email",
        ref=f"email:{message.key}",
        username=person.username,
        author=email.utils.parseaddr(message.sender)[1].lower(),
        text=f"{message.subject}\n{message.text}",
        sent_at=message.received_at,
        context={
            "reply_to": message.reply_address,
            "subject": message.subject,
            "message_id": message.message_id,
            "references": " ".join([*message.references, message.message_id]).strip(),
        },
    )


def reply_message(person: Person, arrival: Arrival, text: str) -> EmailMessage:
    """A person's reply to the mail ``arrival``: ``Re:`` subject, threading headers."""
    context = arrival.context
    subject = context["subject"]
    reply = EmailMessage()
    reply["From"] = email.utils.formataddr((person.name, person.email))
    reply["To"] = context["reply_to"]
    reply["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    reply["Date"] = email.utils.formatdate(localtime=True)
    reply["Message-ID"] = email.utils.make_msgid(domain=person.email.split("@")[-1])
    if context["message_id"]:
        reply["In-Reply-To"] = context["message_id"]
    if context["references"]:
        reply["References"] = context["references"]
    reply.set_content(f"{text}\n\n{person.name}\n")
    return reply


class SmsSide:
    """Reads the SMS gateway's outbox phone by phone; answers through its inbound endpoint."""

    def __init__(
        self, ctx: ComponentContext, session: aiohttp.ClientSession, people: Iterable[Person]
    ) -> None:
        self.ctx = ctx
        self.session = session
        self.by_phone = {p.phone: p for p in people if p.phone}
        self.since: dict[str, int] = dict.fromkeys(self.by_phone, 0)
        self.seen: set[str] = set()
        self.headers = {"Authorization": f"Bearer {ctx.secrets.admin_token}"}

    async def arrivals(self) -> list[Arrival]:
        batches = await asyncio.gather(*(self.outbox(phone) for phone in self.by_phone))
        return [arrival for batch in batches for arrival in batch]

    async def outbox(self, phone: str) -> list[Arrival]:
        async with self.session.get(
            f"{self.ctx.config.sms_api_url}/v1/outbox",
            params={"to": phone, "since": str(self.since[phone])},
            headers=self.headers,
        ) as response:
            response.raise_for_status()
            data = await response.json()
        person = self.by_phone[phone]
        arrivals: list[Arrival] = []
        for sms in data["messages"]:
            self.since[phone] = max(self.since[phone], int(sms["seq"]))
            ident = str(sms["id"])
            if ident in self.seen or sms.get("to", phone) != phone:
                continue
            self.seen.add(ident)
            arrivals.append(
                Arrival(
                    channel="sms",
                    ref=f"sms:{ident}",
                    username=person.username,
                    author=str(sms.get("from", "")),
                    text=str(sms.get("text", "")),
                    sent_at=epoch_seconds(sms.get("created_at")),
                    context={"id": ident},
                )
            )
        return arrivals

    async def answer(self, person: Person, arrival: Arrival, text: str) -> None:
        body = {"from": person.phone, "text": text, "in_reply_to": arrival.context["id"]}
        try:
            async with self.session.post(
                f"{self.ctx.config.sms_api_url}/v1/inbound", json=body, headers=self.headers
            ) as response:
                if response.status < 300:
                    return
                if response.status == 429:
                    await asyncio.sleep(min(30.0, float(response.headers.get("Retry-After", "1"))))
                    raise TransientFailure("the SMS gateway answered 429")
                detail = (await response.text())[:200]
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            raise TransientFailure(f"SMS gateway unreachable: {error!r}") from error
        kind = TransientFailure if response.status >= 500 else PermanentFailure
        raise kind(f"the SMS gateway answered {response.status}: {detail}")


def epoch_seconds(value: Any) -> float:
    """A timestamp given as epoch seconds or ISO 8601 text; now when missing or unreadable."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and value:
        try:
            return float(value)
        except ValueError:
            pass
        try:
            parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return time.time()
        return parsed.timestamp()  # a naive time is local time, as datetime.now() writes it
    return time.time()

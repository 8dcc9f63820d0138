"""The email channel: one mail per person over SMTP (STARTTLS or SSL, authenticated).

Each person gets their own mail, in one SMTP transaction on a shared connection, with a
``Message-ID`` derived from the drill, the notification and the person (so a retried send
carries the same id and a reply names its recipient), ``Reply-To`` the drill address, and the
drill label in the subject and the body. Per person:

- ``sent`` when the server answers 250: the next hop accepted it, no more (``delivery_tracked``
  says whether a ``delivered`` can follow);
- ``delivered`` from ``poll`` where the channel can tell: in the sandbox, whose mail server is
  the last hop, when the mail is in the person's Maildir;
- ``failed`` with the server's reply: a refused recipient (``550 5.1.1 ...`` at RCPT, in the
  ``refused`` dict of ``send_message`` or ``SMTPRecipientsRefused``), a refused sender
  (``SMTPSenderRefused``) or data (``SMTPDataError``). A 4xx reply is retried with capped
  exponential backoff (``421`` closes the connection: it is opened again); a 5xx is not. A
  refused login, a server without STARTTLS or one that cannot be reached fails everyone left
  at once, with that cause;
- ``acknowledged`` from ``poll`` with ``ack_by_reply``: a mail in the drill address's mailbox
  whose ``In-Reply-To`` or ``References`` names the person's ``Message-ID``.
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import re
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from entdrill import redact, retry
from entdrill.channels.base import (
    Channel,
    LedgerEvent,
    LedgerState,
    Message,
    Recipient,
    personalised,
)
from entdrill.channels.context import SmtpSettings
from entdrill.channels.mail_replies import MailboxError, ReplyReader, delivered_in_maildir

log = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class _Transient(Exception):
    """A failure worth another attempt (4xx, lost connection)."""


class _Permanent(Exception):
    """A failure not worth another attempt (5xx) for this person."""


class _ChannelDown(Exception):
    """A failure that will be the same for everyone left (login refused, no TLS, unreachable)."""


def message_id(drill_id: str, notification_id: str, person_id: str, sender: str) -> str:
    """The Message-ID of one person's mail: the same for every attempt."""
    person = hashlib.sha256(person_id.encode()).hexdigest()[:12]
    domain = sender.rsplit("@", 1)[-1] or "entdrill.invalid"
    local = ".".join(_UNSAFE.sub("-", part) for part in (drill_id, notification_id, person))
    return f"<entdrill.{local}@{domain}>"


class EmailChannel(Channel):
    kind = "email"

    def __init__(
        self,
        name: str,
        audience: Sequence[Recipient],
        settings: Mapping[str, Any] | None = None,
        *,
        smtp: SmtpSettings,
        drill_id: str,
        replies: ReplyReader | None = None,
        delivery_dir: Path | None = None,
        max_attempts: int = 3,
        backoff_s: float = 1.0,
        backoff_cap_s: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(name, audience, settings)
        redact.register(smtp.password)
        self.smtp = smtp
        self.drill_id = drill_id
        self.replies = replies
        self.delivery_dir = delivery_dir
        self.max_attempts = max(1, max_attempts)
        self.backoff_s = backoff_s
        self.backoff_cap_s = backoff_cap_s
        self.sleep = sleep
        self.sent: dict[str, tuple[str, str]] = {}  # Message-ID -> (person id, address)
        self.awaiting_delivery: dict[str, str] = {}  # person id -> Message-ID
        self.sent_at: dict[str, float] = {}  # Message-ID -> when the server accepted it
        self.acknowledged: set[str] = set()
        self._client: smtplib.SMTP | None = None
        self._warned = ""

    # -- sending --------------------------------------------------------------------------

    def _send(self, message: Message, recipients: Sequence[Recipient]) -> list[LedgerEvent]:
        events = []
        down = ""
        try:
            for person in recipients:
                if not person.email:
                    events.append(self._failed(person, "no email address for this person", 0))
                elif down:
                    events.append(self._failed(person, f"not attempted: {down}", 0))
                else:
                    try:
                        events.append(self._deliver(message, person))
                    except _ChannelDown as error:
                        down = str(error)
                        events.append(self._failed(person, down, 1))
        finally:
            self._disconnect()
        return events

    def compose(self, message: Message, person: Recipient) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = email.utils.formataddr(("EXERCICE / DRILL entdrill", self.smtp.sender))
        mail["To"] = email.utils.formataddr((person.name, person.email))
        mail["Reply-To"] = self.smtp.reply_to or self.smtp.sender
        mail["Subject"] = message.subject
        mail["Date"] = email.utils.formatdate(localtime=True)
        mail["Message-ID"] = message_id(
            self.drill_id, message.notification_id, person.person_id, self.smtp.sender
        )
        mail["X-Entdrill-Drill"] = self.drill_id
        mail["X-Entdrill-Notification"] = message.notification_id
        mail.set_content(personalised(message.text, person) + "\n")
        return mail

    def _deliver(self, message: Message, person: Recipient) -> LedgerEvent:
        mail = self.compose(message, person)
        mid = str(mail["Message-ID"])
        cause = ""
        base_s, cap_s = self.backoff_s, self.backoff_cap_s
        for attempt in retry.attempts(
            self.max_attempts, base_s=base_s, cap_s=cap_s, sleep=self.sleep
        ):
            try:
                self._transaction(mail, person.email)
            except _Transient as error:
                cause = str(error)
                self._disconnect()
                if attempt < self.max_attempts:
                    wait = retry.delay(attempt, base_s=base_s, cap_s=cap_s)
                    log.info("mail to %s: %s; retrying in %.1f s", person.person_id, cause, wait)
                continue
            except _Permanent as error:
                return self._failed(person, str(error), attempt, message_id=mid)
            self.sent[mid] = (person.person_id, person.email.lower())
            self.sent_at[mid] = time.time()
            if self.delivery_dir is not None:
                self.awaiting_delivery[person.person_id] = mid
            return self.event(
                person.person_id,
                LedgerState.SENT,
                message_id=mid,
                attempts=attempt,
                notification=message.notification_id,
                delivery_tracked=self.delivery_dir is not None,
            )
        return self._failed(person, cause, self.max_attempts, message_id=mid)

    def _transaction(self, mail: EmailMessage, address: str) -> None:
        client = self._connection()
        try:
            refused = client.send_message(mail, from_addr=self.smtp.sender, to_addrs=[address])
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            raise _classify(code, text) from None
        except smtplib.SMTPSenderRefused as error:
            if 500 <= error.smtp_code < 600:
                raise _ChannelDown(f"SMTP refused the sender: {_reply(error)}") from None
            raise _classify(error.smtp_code, error.smtp_error) from None
        except smtplib.SMTPResponseException as error:  # SMTPDataError and others
            raise _classify(error.smtp_code, error.smtp_error) from None
        except (smtplib.SMTPException, OSError) as error:
            raise _Transient(f"SMTP connection lost: {_describe(error)}") from None
        if refused:
            code, text = next(iter(refused.values()))
            raise _classify(code, text)

    def _connection(self) -> smtplib.SMTP:
        if self._client is not None:
            return self._client
        s = self.smtp
        context = ssl.create_default_context(cafile=s.cafile or None)
        try:
            client: smtplib.SMTP
            if s.security == "ssl":
                client = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_s, context=context)
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=s.timeout_s)
            client.ehlo()
            if s.security == "starttls":
                if not client.has_extn("starttls"):
                    client.close()
                    raise _ChannelDown(f"the SMTP server {s.host}:{s.port} does not offer STARTTLS")
                client.starttls(context=context)
                client.ehlo()
            if s.user and s.security != "none":
                client.login(s.user, s.password)
        except smtplib.SMTPAuthenticationError as error:
            raise _ChannelDown(f"SMTP refused the login: {_reply(error)}") from None
        except smtplib.SMTPConnectError as error:
            if 400 <= error.smtp_code < 500:
                raise _Transient(f"SMTP greeting {_reply(error)}") from None
            raise _ChannelDown(f"SMTP greeting {_reply(error)}") from None
        except (smtplib.SMTPException, ssl.SSLError, OSError) as error:
            raise _ChannelDown(f"cannot reach SMTP {s.host}:{s.port}: {_describe(error)}") from None
        self._client = client
        return client

    def _disconnect(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()

    def _failed(self, person: Recipient, cause: str, attempts: int, **more: Any) -> LedgerEvent:
        return self.event(
            person.person_id, LedgerState.FAILED, cause=cause, attempts=attempts, **more
        )

    # -- delivery and replies -------------------------------------------------------------

    def poll(self) -> list[LedgerEvent]:
        events = []
        if self.delivery_dir is not None:
            for person, mid in list(self.awaiting_delivery.items()):
                address = self.sent[mid][1]
                since = self.sent_at.get(mid, 0.0) - 120.0  # the server's clock may differ a bit
                at = delivered_in_maildir(self.delivery_dir, address, mid, since=since)
                if at is not None:
                    del self.awaiting_delivery[person]
                    events.append(
                        LedgerEvent(
                            person,
                            self.name,
                            LedgerState.DELIVERED,
                            at,
                            {"message_id": mid, "mailbox": "maildir"},
                        )
                    )
        if self.replies is not None:
            try:
                found = self.replies.replies()
            except MailboxError as error:
                self._warn(str(error))
                found = []
            for reply in found:
                for ref in reply.refers_to():
                    person, address = self.sent.get(ref, ("", ""))
                    if person and person not in self.acknowledged:
                        self.acknowledged.add(person)
                        evidence = {
                            "how": "reply",
                            "message_id": ref,
                            "reply_message_id": reply.message_id,
                            "from_recipient": reply.sender == address,
                        }
                        events.append(
                            LedgerEvent(
                                person,
                                self.name,
                                LedgerState.ACKNOWLEDGED,
                                reply.received_at,
                                evidence,
                            )
                        )
                        break
        return events

    def _warn(self, cause: str) -> None:
        if cause != self._warned:
            log.warning("reading replies on %s: %s", self.name, redact.redact(cause))
            self._warned = cause

    def close(self) -> None:
        self._disconnect()
        if self.replies is not None:
            self.replies.close()


def _classify(code: int, text: bytes | str) -> Exception:
    sentence = f"SMTP {code} {_text(text)}"
    return _Transient(sentence) if 400 <= code < 500 else _Permanent(sentence)


def _reply(error: smtplib.SMTPResponseException) -> str:
    return f"{error.smtp_code} {_text(error.smtp_error)}"


def _text(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return str(redact.redact(" ".join(text.split())))


def _describe(error: BaseException) -> str:
    return str(redact.redact(str(error) or type(error).__name__))

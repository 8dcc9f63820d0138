"""Reading the drill address's mailbox: replies to drill mail, and delivery in the sandbox.

A :class:`ReplyReader` returns the mail that arrived since its previous call. Two readers:

- :class:`MaildirReplies`: a Maildir on this machine (the sandbox keeps the drill address's mail
  in ``<sandbox>/mail/<address>/``);
- :class:`ImapReplies`: an IMAP mailbox (stdlib ``imaplib``, SSL or STARTTLS, never a password
  in clear), read-only: it fetches the threading headers of messages with a UID above the last
  one seen, and never marks anything read.

The email channel matches a reply to its recipient by ``In-Reply-To`` / ``References`` against
the ``Message-ID`` it sent. :func:`delivered_in_maildir` tells whether a message reached a
recipient's Maildir (the sandbox's mail server is the last hop, so that is delivery).
"""

from __future__ import annotations

import email.policy
import email.utils
import imaplib
import logging
import re
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Protocol

from entdrill.channels.context import ImapSettings
from entdrill.mailstore import read_mailbox

log = logging.getLogger(__name__)

HEADERS = "FROM MESSAGE-ID IN-REPLY-TO REFERENCES SUBJECT DATE"
_UID = re.compile(rb"UID (\d+)")
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')


class MailboxError(Exception):
    """The mailbox could not be read; the sentence names the server, never the password."""


@dataclass(frozen=True)
class MailReply:
    """A message in the drill address's mailbox, as far as matching needs."""

    key: str  # unique in the mailbox (Maildir key, IMAP UID)
    sender: str  # the From address, lower case
    message_id: str
    in_reply_to: str
    references: tuple[str, ...]
    subject: str
    received_at: datetime

    def refers_to(self) -> list[str]:
        """Every Message-ID this message answers (In-Reply-To first)."""
        ids = [self.in_reply_to, *self.references]
        return [i.strip() for i in ids if i.strip()]


class ReplyReader(Protocol):
    def replies(self) -> list[MailReply]:
        """Messages that arrived since the previous call (raises MailboxError)."""
        ...

    def close(self) -> None: ...


class MaildirReplies:
    """Replies in a local Maildir (``mail_dir/<address>/``)."""

    def __init__(self, mail_dir: Path, address: str) -> None:
        self.mail_dir = mail_dir
        self.address = address
        self.seen: set[str] = set()

    def replies(self) -> list[MailReply]:
        try:
            found = read_mailbox(self.mail_dir, self.address, skip=self.seen)
        except OSError as error:
            raise MailboxError(f"cannot read the Maildir of {self.address}: {error}") from None
        result = []
        for message in found:
            self.seen.add(message.key)
            result.append(
                MailReply(
                    key=message.key,
                    sender=email.utils.parseaddr(message.sender)[1].lower(),
                    message_id=message.message_id,
                    in_reply_to=message.in_reply_to,
                    references=tuple(message.references),
                    subject=message.subject,
                    received_at=datetime.fromtimestamp(message.received_at, UTC),
                )
            )
        return result

    def close(self) -> None:
        pass


class ImapReplies:
    """Replies in an IMAP mailbox, fetched by UID, read-only."""

    def __init__(self, settings: ImapSettings, *, context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.context = context or ssl.create_default_context(cafile=settings.cafile or None)
        self.last_uid = 0
        self.validity = b""

    def replies(self) -> list[MailReply]:
        s = self.settings
        try:
            with self._connect() as imap:
                imap.login(s.user, s.password)
                status, data = imap.select(_quote(s.mailbox), readonly=True)
                if status != "OK":
                    raise MailboxError(f"IMAP server {s.host} has no mailbox {s.mailbox!r}")
                validity = (imap.response("UIDVALIDITY")[1] or [b""])[0] or b""
                if validity != self.validity:
                    self.validity, self.last_uid = validity, 0
                status, data = imap.uid("FETCH", f"{self.last_uid + 1}:*", _FETCH)
                found = [] if status != "OK" else _parse_fetch(data)
        except (imaplib.IMAP4.error, OSError) as error:
            raise MailboxError(f"cannot read IMAP mailbox on {s.host}:{s.port}: {error}") from None
        result = []
        for uid, reply in found:
            if uid > self.last_uid:  # "n:*" also returns the last message when none is newer
                result.append(reply)
        self.last_uid = max([self.last_uid, *(uid for uid, _ in found)])
        return result

    def _connect(self) -> imaplib.IMAP4:
        s = self.settings
        if s.security == "ssl":
            return imaplib.IMAP4_SSL(s.host, s.port, ssl_context=self.context, timeout=s.timeout_s)
        imap = imaplib.IMAP4(s.host, s.port, timeout=s.timeout_s)
        if s.security == "starttls":
            imap.starttls(ssl_context=self.context)
        return imap

    def close(self) -> None:
        pass


_FETCH = f"(UID INTERNALDATE BODY.PEEK[HEADER.FIELDS ({HEADERS})])"


def _quote(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _parse_fetch(data: Sequence[object]) -> list[tuple[int, MailReply]]:
    found = []
    for item in data:
        if not isinstance(item, tuple) or len(item) < 2:
            continue
        meta, raw = item[0], item[1]
        if not isinstance(meta, bytes) or not isinstance(raw, bytes):
            continue
        uid = _UID.search(meta)
        if uid is None:
            continue
        headers = BytesHeaderParser(policy=email.policy.default).parsebytes(raw)
        date = _INTERNALDATE.search(meta)
        received = datetime.now(UTC)
        if date is not None:
            parsed = imaplib.Internaldate2tuple(b'INTERNALDATE "' + date.group(1) + b'"')
            if parsed is not None:  # a local time tuple
                received = datetime.fromtimestamp(time.mktime(parsed), UTC)
        found.append(
            (
                int(uid.group(1)),
                MailReply(
                    key=uid.group(1).decode(),
                    sender=email.utils.parseaddr(str(headers.get("From", "")))[1].lower(),
                    message_id=str(headers.get("Message-ID", "")).strip(),
                    in_reply_to=str(headers.get("In-Reply-To", "")).strip(),
                    references=tuple(str(headers.get("References", "")).split()),
                    subject=str(headers.get("Subject", "")),
                    received_at=received,
                ),
            )
        )
    return found


def delivered_in_maildir(
    mail_dir: Path, address: str, message_id: str, *, since: float = 0.0
) -> datetime | None:
    """When ``message_id`` reached ``address``'s Maildir, or None (not, or not yet).

    Only files delivered from ``since`` (seconds since the epoch) on are opened, and only their
    headers are read, so a mailbox full of earlier drills costs little.
    """
    folder = mail_dir / address.lower()
    wanted = message_id.encode()
    try:
        files = [f for sub in ("new", "cur") for f in (folder / sub).iterdir() if f.is_file()]
        for path in files:
            stamp = path.stat().st_mtime
            if stamp < since:
                continue
            with path.open("rb") as handle:
                head = handle.read(16_384).split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
            if wanted in head:
                return datetime.fromtimestamp(stamp, UTC)
    except FileNotFoundError:
        return None
    except OSError as error:
        log.info("cannot read the Maildir of %s: %s", address, error)
    return None

"""Where the sandbox's SMTP server keeps mail: one Maildir per recipient address.

``<sandbox>/mail/<address>/{tmp,new,cur}``: delivery writes into ``tmp`` and renames into
``new`` (stdlib :class:`mailbox.Maildir`), so readers in other processes (the simulated staff,
tests, a drill's email channel) never see half a message. :func:`read_mailbox` parses what a
person would read: sender, recipients, subject, threading headers and the plain-text body.
"""

from __future__ import annotations

import email.policy
import email.utils
import mailbox
import re
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from entdrill.errors import InvalidArgument

ADDRESS = re.compile(r"^[a-z0-9][a-z0-9._%+\-]*@[a-z0-9][a-z0-9.\-]*$")
SERVICE_LOCAL_PARTS = ("drill", "continuite", "noreply", "postmaster")


@dataclass(frozen=True)
class MailMessage:
    """One message as a recipient reads it."""

    key: str  # Maildir key, stable for the message's life
    mailbox: str  # the recipient address whose Maildir holds it
    sender: str  # the From header
    to: list[str]
    cc: list[str]
    reply_to: str
    subject: str
    message_id: str
    in_reply_to: str
    references: list[str]
    date: str
    received_at: float  # delivery time, seconds since the epoch
    text: str  # the text/plain body ("" when there is none)
    envelope_from: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # every X-* header

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def reply_address(self) -> str:
        """Where a reply goes: the Reply-To address, else the From address."""
        return email.utils.parseaddr(self.reply_to or self.sender)[1]


def normalize_address(address: str) -> str:
    """``address`` in lower case, or InvalidArgument if it is not a plain mail address."""
    plain = email.utils.parseaddr(address)[1].strip().lower()
    if not ADDRESS.match(plain) or ".." in plain:
        raise InvalidArgument(f"not a mail address: {address!r}; expected name@domain")
    return plain


def mailbox_path(mail_dir: Path, address: str) -> Path:
    return mail_dir / normalize_address(address)


def deliver(mail_dir: Path, address: str, content: bytes) -> str:
    """Store ``content`` in ``address``'s Maildir; the message's key."""
    path = mailbox_path(mail_dir, address)
    # Concurrent first deliveries race in Maildir(create=True) (one sees the folder before its
    # tmp/ exists, another gets FileExistsError): make every folder idempotently first.
    for sub in ("tmp", "new", "cur"):
        (path / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
    box = mailbox.Maildir(path, create=False)
    return str(box.add(mailbox.MaildirMessage(content)))


def read_mailbox(mail_dir: Path, address: str, *, skip: Collection[str] = ()) -> list[MailMessage]:
    """Every message in ``address``'s Maildir (none if it has none), oldest first.

    ``skip`` names keys already read, which are not parsed again.
    """
    path = mailbox_path(mail_dir, address)
    if not (path / "new").is_dir():
        return []
    box = mailbox.Maildir(path, create=False)
    messages: list[MailMessage] = []
    for key in box.iterkeys():
        if key in skip:
            continue
        try:
            stored = box.get_message(key)  # its date is the file's delivery time
        except (KeyError, FileNotFoundError):
            continue  # removed while we read
        messages.append(
            parse_message(key, normalize_address(address), stored.as_bytes(), stored.get_date())
        )
    messages.sort(key=lambda m: (m.received_at, m.key))
    return messages


def parse_message(key: str, address: str, raw: bytes, received_at: float) -> MailMessage:
    """A :class:`MailMessage` from the bytes of an RFC 5322 message."""
    parsed = BytesParser(policy=email.policy.default).parsebytes(raw)
    assert isinstance(parsed, EmailMessage)
    return MailMessage(
        key=key,
        mailbox=address,
        sender=_header(parsed, "From"),
        to=_addresses(parsed, "To"),
        cc=_addresses(parsed, "Cc"),
        reply_to=_header(parsed, "Reply-To"),
        subject=_header(parsed, "Subject"),
        message_id=_header(parsed, "Message-ID"),
        in_reply_to=_header(parsed, "In-Reply-To"),
        references=_header(parsed, "References").split(),
        date=_header(parsed, "Date"),
        received_at=received_at,
        text=body_text(parsed),
        envelope_from=_header(parsed, "Return-Path").strip("<>"),
        headers={k: str(v) for k, v in parsed.items() if k.lower().startswith("x-")},
    )


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError):
        return ""
    return content.replace("\r\n", "\n") if isinstance(content, str) else ""


def _header(message: EmailMessage, name: str) -> str:
    value = message.get(name)
    return "" if value is None else str(value).strip()


def _addresses(message: EmailMessage, name: str) -> list[str]:
    values = message.get_all(name) or []
    return [addr for _, addr in email.utils.getaddresses([str(v) for v in values]) if addr]

"""Moved to :mod:`entdrill.mailstore` (channels read Maildirs too); this path still works."""

from entdrill.mailstore import (
    ADDRESS,
    SERVICE_LOCAL_PARTS,
    MailMessage,
    body_text,
    deliver,
    mailbox_path,
    normalize_address,
    parse_message,
    read_mailbox,
)

__all__ = [
    "ADDRESS",
    "SERVICE_LOCAL_PARTS",
    "MailMessage",
    "body_text",
    "deliver",
    "mailbox_path",
    "normalize_address",
    "parse_message",
    "read_mailbox",
]

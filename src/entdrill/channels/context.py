"""Where a drill's channels reach out: endpoints and secrets, from the sandbox or the environment.

A :class:`ChannelContext` is built once per drill, before anything is sent:

- :meth:`ChannelContext.from_sandbox` from the sandbox's status object (``entdrill sandbox status
  --json``): every URL, token and the SMTP settings of the embedded school, the drill address's
  Maildir for replies and the recipients' Maildirs for delivery;
- :meth:`ChannelContext.from_environment` for a staging target: URLs and SMTP settings from the
  plan's ``target``, secrets from the environment variables it names (``SLACK_BOT_TOKEN``...),
  ``SLACK_API_URL`` and the IMAP mailbox of the drill address from ``ENTDRILL_IMAP_URL``.

Every secret is registered with :mod:`entdrill.redact` as it is read. :meth:`missing` lists what
a plan channel would need and the context lacks, as sentences, so a drill is refused before it
starts rather than failing half-way.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from entdrill import redact
from entdrill.channels.base import Recipient
from entdrill.drill_plan import Channel, Target
from entdrill.errors import InvalidConfig
from entdrill.targets.sandbox import certificate_paths, read_state

SLACK_DEFAULT_URL = "https://slack.com/api/"
DRILL_CHANNEL = "#continuite"
Security = Literal["starttls", "ssl", "none"]


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: Security
    sender: str  # the From address
    reply_to: str  # the drill address replies go to
    user: str = ""
    password: str = field(default="", repr=False)
    cafile: str = ""  # a CA bundle to trust (the sandbox's certificate); "" = the system's
    timeout_s: float = 10.0


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    security: Security
    user: str
    password: str = field(default="", repr=False)
    mailbox: str = "INBOX"
    cafile: str = ""
    timeout_s: float = 10.0


@dataclass(frozen=True)
class ChannelContext:
    """Everything the channels of one drill need to reach people."""

    drill_id: str
    slack_api_url: str = ""
    slack_token: str = field(default="", repr=False)
    drill_channel: str = DRILL_CHANNEL  # where manual steps are posted, STOP DRILL read
    announcement_ts: str = ""  # the announcement's ts, for channels with ``thread: true``
    smtp: SmtpSettings | None = None
    imap: ImapSettings | None = None
    mail_dir: Path | None = None  # sandbox only: one Maildir per address (replies, delivery)
    sms_api_url: str = ""
    sms_token: str = field(default="", repr=False)
    bridge_url: str = ""
    bridge_secret: str = field(default="", repr=False)
    backup_bridge_url: str = ""
    backup_bridge_secret: str = field(default="", repr=False)
    status_page_url: str = ""
    status_token: str = field(default="", repr=False)
    matrix_url: str = ""  # the Matrix homeserver (a channel's ``homeserver`` overrides it)
    matrix_token: str = field(default="", repr=False)
    matrix_problem: str = ""  # why the sandbox has no Matrix homeserver ("" when it has one)
    people: Mapping[str, Recipient] = field(default_factory=dict)  # every plan person, by id
    timeout_s: float = 10.0

    @classmethod
    def from_sandbox(
        cls, status: Mapping[str, Any], drill_id: str, **overrides: Any
    ) -> ChannelContext:
        """The context of a running sandbox, from its status object."""
        secrets = ("slack_token", "smtp_password", "sms_token", "status_token", "matrix_token")
        redact.register(*(str(status.get(k) or "") for k in secrets))
        redact.register(str(status.get("bridge_secret") or ""))
        redact.register(str(status.get("backup_bridge_secret") or ""))
        directory = Path(str(status["directory"]))
        state = read_state(directory)
        domain = state.config.school_domain if state is not None else "ecole.test"
        drill_address = f"drill@{domain}"
        cert = certificate_paths(directory)[0]
        values: dict[str, Any] = {
            "drill_id": drill_id,
            "slack_api_url": str(status.get("slack_api_url", "")),
            "slack_token": str(status.get("slack_token", "")),
            "smtp": SmtpSettings(
                host=str(status.get("smtp_host", "127.0.0.1")),
                port=int(status["smtp_port"]),
                security="starttls",
                sender=drill_address,
                reply_to=drill_address,
                user=str(status.get("smtp_user", "")),
                password=str(status.get("smtp_password", "")),
                cafile=str(cert),
            ),
            "mail_dir": directory / "mail",
            "sms_api_url": str(status.get("sms_api_url", "")),
            "sms_token": str(status.get("sms_token", "")),
            "bridge_url": str(status.get("bridge_url", "")),
            "bridge_secret": str(status.get("bridge_secret", "")),
            "backup_bridge_url": str(status.get("backup_bridge_url", "")),
            "backup_bridge_secret": str(status.get("backup_bridge_secret", "")),
            "status_page_url": str(status.get("status_page_url", "")),
            "status_token": str(status.get("status_token", "")),
            "matrix_url": str(status.get("matrix_url") or ""),
            "matrix_token": str(status.get("matrix_token") or ""),
            "matrix_problem": str(status.get("matrix_problem") or ""),
        }
        values.update(overrides)
        return cls(**values)

    @classmethod
    def from_environment(
        cls,
        target: Target,
        drill_id: str,
        environ: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> ChannelContext:
        """The context of a staging target: its URLs, secrets from the variables it names."""
        env = os.environ if environ is None else environ

        def secret(name: str) -> str:
            value = env.get(target.secret_env(name), "")
            redact.register(value)
            return value

        smtp = None
        if target.smtp_host:
            smtp = SmtpSettings(
                host=target.smtp_host,
                port=target.smtp_port,
                security=target.smtp_security,
                sender=target.smtp_sender,
                reply_to=env.get("ENTDRILL_REPLY_TO", "") or target.smtp_sender,
                user=secret("smtp_user"),
                password=secret("smtp_password"),
            )
        values: dict[str, Any] = {
            "drill_id": drill_id,
            "slack_api_url": env.get("SLACK_API_URL", "") or target.slack_api_url,
            "slack_token": secret("slack_token"),
            "smtp": smtp,
            "imap": imap_from_url(env.get("ENTDRILL_IMAP_URL", ""), env),
            "sms_api_url": target.sms_api_url,
            "sms_token": secret("sms_token"),
            "bridge_url": target.bridge_url,
            "bridge_secret": secret("bridge_secret"),
            "backup_bridge_url": target.backup_bridge_url,
            "backup_bridge_secret": secret("backup_bridge_secret"),
            "status_page_url": target.status_page_url,
            "status_token": secret("status_token"),
            "matrix_url": target.matrix_url,
            "matrix_token": secret("matrix_token"),
        }
        values.update(overrides)
        return cls(**values)

    def _missing_matrix(self, channel: Channel) -> list[str]:
        start = f"channel {channel.name!r} (matrix) needs"
        found = []
        if not (channel.homeserver or self.matrix_url):
            why = f": {self.matrix_problem}" if self.matrix_problem else ""
            found.append(
                f"{start} the Matrix homeserver (homeserver, or the target's matrix_url), "
                f"which is not configured{why}"
            )
        elif not self.matrix_token:  # (without a homeserver, there is no token to speak of)
            found.append(f"{start} the Matrix access token (MATRIX_TOKEN), which is not configured")
        return found

    def bridge(self, which: str) -> tuple[str, str]:
        """(API URL, secret) of the ``backup`` or ``primary`` bridge."""
        if which == "primary":
            return self.bridge_url, self.bridge_secret
        return self.backup_bridge_url, self.backup_bridge_secret

    def missing(self, channel: Channel) -> list[str]:
        """What ``channel`` needs and this context lacks, one sentence each (empty: ready)."""
        needs: dict[str, list[tuple[str, object]]] = {
            "slack": [("the Slack token (SLACK_BOT_TOKEN)", self.slack_token)],
            "manual": [("the Slack token (SLACK_BOT_TOKEN)", self.slack_token)],
            "email": [("the SMTP server (target smtp.host)", self.smtp)],
            "sms": [
                ("the SMS gateway URL (target sms_api_url)", self.sms_api_url),
                ("the SMS token (SMS_TOKEN)", self.sms_token),
            ],
            "video": [
                (f"the {channel.bridge} bridge URL", self.bridge(channel.bridge)[0]),
                (f"the {channel.bridge} bridge secret", self.bridge(channel.bridge)[1]),
            ],
            "statuspage": [
                ("the status page URL (target status_page_url)", self.status_page_url),
                ("the status page token (STATUS_TOKEN)", self.status_token),
            ],
        }
        found = [
            f"channel {channel.name!r} ({channel.type}) needs {what}, which is not configured"
            for what, value in needs.get(channel.type, [])
            if not value
        ]
        if channel.type == "matrix":
            found += self._missing_matrix(channel)
        replies = channel.type == "email" and channel.ack_by_reply and self.smtp is not None
        if replies and self.mail_dir is None and self.imap is None:
            found.append(
                f"channel {channel.name!r} reads replies (ack_by_reply) and needs the drill "
                "address's mailbox: set ENTDRILL_IMAP_URL"
            )
        return found


def imap_from_url(url: str, env: Mapping[str, str]) -> ImapSettings | None:
    """IMAP settings from ``imaps://user@host:993/INBOX`` (``imap://`` uses STARTTLS).

    The password comes from ``IMAP_PASSWORD``, the user from the URL or ``IMAP_USER``.
    """
    if not url:
        return None
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname:
        raise InvalidConfig(
            f"ENTDRILL_IMAP_URL must read imaps://user@host:993/INBOX or imap://..., got {url!r}"
        )
    password = env.get("IMAP_PASSWORD", "")
    redact.register(password)
    secure: Security = "ssl" if parts.scheme == "imaps" else "starttls"
    return ImapSettings(
        host=parts.hostname,
        port=parts.port or (993 if secure == "ssl" else 143),
        security=secure,
        user=urllib.parse.unquote(parts.username or "") or env.get("IMAP_USER", ""),
        password=password,
        mailbox=urllib.parse.unquote(parts.path.lstrip("/")) or "INBOX",
    )

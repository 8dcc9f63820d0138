"""Email replies read over IMAP from a real Dovecot on loopback (STARTTLS, login, read-only).

Dovecot (Debian's ``dovecot-imapd``, installed by ``.ci/run``) runs unprivileged in the test with
a generated configuration: its own base directory, a passwd-file with the drill address, Maildir
storage, STARTTLS with a certificate made for the test.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

import pytest

from entdrill.channels import LedgerState, Message
from entdrill.channels.context import ImapSettings
from entdrill.channels.email import EmailChannel
from entdrill.channels.mail_replies import ImapReplies, MailboxError
from entdrill.sandbox.certificate import client_context, ensure_certificate
from entdrill.testing import free_port
from tests.channels.school import School

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
ADDRESS = "drill@ecole.test"
PASSWORD = "imap-pass-4242"

pytestmark = pytest.mark.skipif(
    not Path(DOVECOT).exists(), reason="needs Debian's dovecot-imapd (installed by .ci/run)"
)

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 1
ssl = yes
ssl_cert = <{dir}/tls/cert.pem
ssl_key = <{dir}/tls/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain login
mail_location = maildir:{dir}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {dir}/passwd
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={dir}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""


@pytest.fixture(scope="module")
def dovecot() -> Iterator[ImapSettings]:
    """A Dovecot serving the drill address's mailbox; its settings (STARTTLS, our CA)."""
    as_root = os.geteuid() == 0
    user = "nobody" if as_root else pwd.getpwuid(os.geteuid()).pw_name
    entry = pwd.getpwnam(user)
    group = "nogroup" if as_root else None
    directory = Path(tempfile.mkdtemp(prefix="entdrill-imap-"))
    try:
        cert, _ = ensure_certificate(directory, "localhost")
        (directory / "passwd").write_text(f"{ADDRESS}:{{PLAIN}}{PASSWORD}::::::\n")
        port = free_port()
        grp = group or str(entry.pw_gid)
        config = CONFIG.format(dir=directory, user=user, group=grp, port=port)
        (directory / "dovecot.conf").write_text(config)
        for sub in ("run", "state", "mail", "home"):
            (directory / sub).mkdir()
        if as_root:
            for path in [directory, *directory.rglob("*")]:
                os.chown(path, entry.pw_uid, entry.pw_gid)
        process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(directory / "dovecot.conf")],
            user=entry.pw_uid if as_root else None,
            group=entry.pw_gid if as_root else None,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert process.poll() is None, process.stderr.read() if process.stderr else ""
                    assert time.monotonic() < deadline, "dovecot did not listen"
                    time.sleep(0.1)
            yield ImapSettings(
                host="127.0.0.1",
                port=port,
                security="starttls",
                user=ADDRESS,
                password=PASSWORD,
                cafile=str(cert),
            )
        finally:
            process.terminate()
            process.wait(timeout=10)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def deliver(settings: ImapSettings, *, in_reply_to: str, sender: str, subject: str) -> None:
    """Put a message in the mailbox as the drill address's mail server would."""
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = ADDRESS
    reply["Subject"] = subject
    reply["Message-ID"] = f"<{time.monotonic_ns()}@reply.test>"
    if in_reply_to:
        reply["In-Reply-To"] = in_reply_to
        reply["References"] = in_reply_to
    reply.set_content("Bien reçu.")
    with imaplib.IMAP4(settings.host, settings.port, timeout=10) as imap:
        imap.starttls(ssl_context=client_context(Path(settings.cafile)))
        imap.login(settings.user, settings.password)
        status, _ = imap.append("INBOX", None, None, reply.as_bytes())
        assert status == "OK"


def test_an_imap_reply_acknowledges_the_person_it_answers_once(
    dovecot: ImapSettings, tmp_path: Path
) -> None:
    school = School(tmp_path)
    with school.serving("smtp"):
        people = school.recipients(school.staff[:3])
        smtp = school.context().smtp
        assert smtp is not None
        made = EmailChannel(
            "staff-email", people, smtp=smtp, drill_id="drill-1", replies=ImapReplies(dovecot)
        )
        sent = made.send(Message("drill-1", "n-imap", "Continuité", "Répondez."), people)
    ids = {e.person_id: e.evidence["message_id"] for e in sent}
    answering = people[1]
    deliver(dovecot, in_reply_to="<unrelated@else.test>", sender="x@else.test", subject="Hello")
    deliver(
        dovecot, in_reply_to=ids[answering.person_id], sender=answering.email, subject="Re: drill"
    )
    acks = [e for e in made.poll() if e.state is LedgerState.ACKNOWLEDGED]
    assert [(e.person_id, e.evidence["message_id"]) for e in acks] == [
        (answering.person_id, ids[answering.person_id])
    ]
    assert acks[0].evidence["from_recipient"] is True
    assert [e for e in made.poll() if e.state is LedgerState.ACKNOWLEDGED] == []  # seen once


def test_the_imap_reader_only_returns_mail_it_has_not_returned_yet(
    dovecot: ImapSettings,
) -> None:
    reader = ImapReplies(dovecot)
    before = reader.replies()
    deliver(dovecot, in_reply_to="<a@b.test>", sender="p@ecole.test", subject="Re: one")
    fresh = reader.replies()
    assert [r.in_reply_to for r in fresh] == ["<a@b.test>"]
    assert fresh[0].sender == "p@ecole.test" and fresh[0].key not in {r.key for r in before}
    assert reader.replies() == []


def test_a_wrong_imap_password_is_a_mailbox_error_without_the_password(
    dovecot: ImapSettings,
) -> None:
    reader = ImapReplies(replace(dovecot, password="wrong-password-123"))
    with pytest.raises(MailboxError) as raised:
        reader.replies()
    assert "wrong-password-123" not in str(raised.value)
    assert "127.0.0.1" in str(raised.value)

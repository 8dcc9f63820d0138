"""The sandbox's mail server, driven by the real ``smtplib`` over loopback."""

from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest

from entdrill.mailstore import read_mailbox
from entdrill.population import Person, read_csv
from entdrill.sandbox.certificate import certificate_paths, client_context
from entdrill.sandbox.component import ComponentContext
from entdrill.sandbox.smtp import make_app
from entdrill.sandbox.state import SandboxState
from entdrill.testing import free_config, prepare_sandbox_dir
from tests.sandbox.component_process import component_process
from tests.sandbox.threaded_server import serving


@dataclass
class Mail:
    state: SandboxState
    directory: Path
    people: list[Person]

    @property
    def port(self) -> int:
        return self.state.config.smtp_port

    def address(self, index: int) -> str:
        return [p.email for p in self.people if p.role == "teacher"][index]

    def connect(self, *, login: bool = True) -> smtplib.SMTP:
        client = smtplib.SMTP("127.0.0.1", self.port, timeout=10)
        if login:
            client.starttls(context=client_context(certificate_paths(self.directory)[0]))
            client.login(self.state.secrets.smtp_user, self.state.secrets.smtp_password)
        return client

    def admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            self.state.config.smtp_admin_url + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={
                "Authorization": f"Bearer {self.state.secrets.admin_token}",
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)


def message(to: list[str], subject: str = "EXERCICE / DRILL: test") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "drill@ecole.test"
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="ecole.test")
    msg.set_content("Bonjour,\nceci est un exercice.\n")
    return msg


@pytest.fixture
def mail(tmp_path: Path) -> Iterator[Mail]:
    state = prepare_sandbox_dir(tmp_path, free_config(schools=1, pupils_per_school=2))
    ctx = ComponentContext("smtp", state.config, state.secrets, tmp_path)
    with serving(lambda: make_app(ctx), state.config.smtp_admin_port):
        yield Mail(state, tmp_path, read_csv(tmp_path / "population.csv"))


def test_starttls_and_login_deliver_to_a_population_address(mail: Mail) -> None:
    to = mail.address(0)
    sent = message([to])
    with mail.connect() as client:
        assert client.send_message(sent) == {}
    [kept] = read_mailbox(mail.directory / "mail", to)
    assert kept.subject == "EXERCICE / DRILL: test"
    assert kept.message_id == sent["Message-ID"]
    assert kept.to == [to] and kept.sender == "drill@ecole.test"
    assert kept.text == "Bonjour,\nceci est un exercice.\n"
    assert kept.envelope_from == "drill@ecole.test"
    [listed] = mail.admin("GET", f"/messages?to={to}")["messages"]
    assert listed["message_id"] == sent["Message-ID"] and listed["key"] == kept.key
    raw = next((mail.directory / "mail" / to / "new").iterdir()).read_text()
    assert "with ESMTPSA" in raw  # over TLS, authenticated


def test_the_certificate_is_kept_in_the_sandbox_with_a_private_key(mail: Mail) -> None:
    with mail.connect():
        pass
    cert, key = certificate_paths(mail.directory)
    assert cert.read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert key.stat().st_mode & 0o077 == 0


def test_an_unknown_address_gets_550_5_1_1_while_the_others_are_delivered(mail: Mail) -> None:
    good, unknown = mail.address(1), "nobody@ecole.test"
    with mail.connect() as client:
        refused = client.sendmail("drill@ecole.test", [good, unknown], message([good]).as_bytes())
    assert list(refused) == [unknown]
    code, text = refused[unknown]
    assert code == 550 and text.startswith(b"5.1.1")
    assert len(read_mailbox(mail.directory / "mail", good)) == 1
    with mail.connect() as client, pytest.raises(smtplib.SMTPRecipientsRefused):
        client.sendmail("drill@ecole.test", ["x@elsewhere.test"], b"Subject: x\r\n\r\nx\r\n")


def test_service_addresses_accept_mail(mail: Mail) -> None:
    with mail.connect() as client:
        assert (
            client.sendmail(mail.address(0), ["continuite@ecole.test"], b"Subject: r\r\n\r\nok")
            == {}
        )
    assert len(read_mailbox(mail.directory / "mail", "continuite@ecole.test")) == 1


def test_auth_is_offered_only_after_starttls_and_checks_the_password(mail: Mail) -> None:
    with mail.connect(login=False) as client:
        client.ehlo()
        assert client.has_extn("starttls") and not client.has_extn("auth")
        client.starttls(context=client_context(certificate_paths(mail.directory)[0]))
        client.ehlo()
        assert "PLAIN" in client.esmtp_features["auth"] and "LOGIN" in client.esmtp_features["auth"]
        with pytest.raises(smtplib.SMTPAuthenticationError) as error:
            client.login(mail.state.secrets.smtp_user, "wrong password")
        assert error.value.smtp_code == 535


def test_unauthenticated_mail_from_loopback_is_accepted(mail: Mail) -> None:
    to = mail.address(2)
    with mail.connect(login=False) as client:
        assert client.sendmail("drill@ecole.test", [to], b"Subject: plain\r\n\r\nplain") == {}
    assert [m.subject for m in read_mailbox(mail.directory / "mail", to)] == ["plain"]


def test_forced_421_at_mail_refuses_the_sender_then_the_server_recovers(mail: Mail) -> None:
    mail.admin("POST", "/_admin/smtp/force", {"stage": "MAIL", "code": 421, "count": 1})
    to = mail.address(0)
    with mail.connect() as client, pytest.raises(smtplib.SMTPSenderRefused) as error:
        client.sendmail("drill@ecole.test", [to], message([to]).as_bytes())
    assert error.value.smtp_code == 421
    assert mail.admin("GET", "/_admin/smtp/force")["pending"] == []
    with mail.connect() as client:
        assert client.sendmail("drill@ecole.test", [to], message([to]).as_bytes()) == {}


def test_forced_450_for_one_recipient_refuses_only_that_one(mail: Mail) -> None:
    target, other = mail.address(0), mail.address(1)
    mail.admin(
        "POST",
        "/_admin/smtp/force",
        {"stage": "RCPT", "code": 450, "count": 1, "recipient": target},
    )
    with mail.connect() as client:
        refused = client.sendmail("drill@ecole.test", [target, other], message([target]).as_bytes())
    assert refused[target][0] == 450
    assert read_mailbox(mail.directory / "mail", target) == []
    assert len(read_mailbox(mail.directory / "mail", other)) == 1


def test_forced_550_at_data_delivers_nothing(mail: Mail) -> None:
    mail.admin("POST", "/_admin/smtp/force", {"stage": "DATA", "code": 550})
    to = mail.address(0)
    with mail.connect() as client, pytest.raises(smtplib.SMTPDataError) as error:
        client.sendmail("drill@ecole.test", [to], message([to]).as_bytes())
    assert error.value.smtp_code == 550
    assert read_mailbox(mail.directory / "mail", to) == []


def test_the_error_ratio_fault_answers_451_at_data(mail: Mail) -> None:
    mail.admin("PUT", "/_admin/faults", {"error_ratio": 1.0})
    to = mail.address(0)
    with mail.connect() as client, pytest.raises(smtplib.SMTPDataError) as error:
        client.sendmail("drill@ecole.test", [to], message([to]).as_bytes())
    assert error.value.smtp_code == 451


def test_the_admin_api_checks_its_token_and_its_input(mail: Mail) -> None:
    with pytest.raises(urllib.error.HTTPError) as anonymous:
        urllib.request.urlopen(mail.state.config.smtp_admin_url + "/messages?to=a@ecole.test")
    assert anonymous.value.code == 401
    with pytest.raises(urllib.error.HTTPError) as bad:
        mail.admin("POST", "/_admin/smtp/force", {"stage": "HELO", "code": 421})
    assert bad.value.code == 400 and "stage must be one of" in bad.value.read().decode()
    with pytest.raises(urllib.error.HTTPError) as path:
        mail.admin("GET", "/messages?to=../../etc")
    assert path.value.code == 400
    assert mail.admin("GET", "/_health")["smtp_listening"] is True


def test_the_serve_entry_point_serves_smtp_and_its_admin_app_until_sigterm(
    tmp_path: Path,
) -> None:
    state = prepare_sandbox_dir(tmp_path, free_config(schools=1, pupils_per_school=2))
    to = next(p.email for p in read_csv(tmp_path / "population.csv") if p.role == "staff")
    health = state.config.smtp_admin_url + "/_health"
    with (
        component_process("smtp", tmp_path, health),
        smtplib.SMTP("127.0.0.1", state.config.smtp_port, timeout=10) as client,
    ):
        client.starttls(context=client_context(certificate_paths(tmp_path)[0]))
        client.login(state.secrets.smtp_user, state.secrets.smtp_password)
        assert client.send_message(message([to])) == {}
    assert len(read_mailbox(tmp_path / "mail", to)) == 1

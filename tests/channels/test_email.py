"""The email channel against the sandbox's SMTP server (aiosmtpd, STARTTLS, AUTH)."""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from dataclasses import replace
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from entdrill.channels import DRILL_LABEL, LedgerState, Message, Recipient, build
from entdrill.channels.email import EmailChannel
from entdrill.drill_plan import Channel, Expectation
from tests.channels.school import School, poll_until

TEXT = "Bonjour {name},\nLa visio est en panne : répondez à ce message pour accuser réception."
GHOST = Recipient("ghost", "Fantôme", email="ghost@ecole.test")


def plan_channel(ack_by_reply: bool = False) -> Channel:
    return Channel(
        name="staff-email",
        type="email",
        message=TEXT,
        audience=("staff",),
        expect=Expectation(60.0, delivered_share=0.9),
        subject="Continuité pédagogique",
        ack_by_reply=ack_by_reply,
    )


def message(notification: str) -> Message:
    return Message("drill-1", notification, "Continuité pédagogique", TEXT)


def email_channel(school: School, audience: list[Recipient], **context: object) -> EmailChannel:
    made = build(plan_channel(), audience, school.context(**context))  # type: ignore[arg-type]
    assert isinstance(made, EmailChannel)
    made.backoff_s = 0.05
    return made


@pytest.fixture(scope="module")
def mail(tmp_path_factory: pytest.TempPathFactory) -> Iterator[School]:
    school = School(tmp_path_factory.mktemp("mail"))
    with school.serving("smtp"):
        yield school


def raw_mail(school: School, address: str, message_id: str) -> bytes:
    box = mailbox.Maildir(school.directory / "mail" / address, create=False)
    for key in box.iterkeys():
        raw = box.get_bytes(key)
        if message_id.encode() in raw:
            return raw
    raise AssertionError(f"{message_id} not in {address}'s Maildir")


def test_mail_goes_over_starttls_with_authentication_and_is_seen_delivered(mail: School) -> None:
    people = mail.recipients(mail.staff[:3])
    made = email_channel(mail, people)
    events = made.send(message("n-tls"), people)
    assert [e.state for e in events] == [LedgerState.SENT] * 3
    assert all(e.evidence["delivery_tracked"] and e.evidence["attempts"] == 1 for e in events)
    delivered = poll_until(made, lambda found: len(found) == 3, "delivery")
    assert {e.state for e in delivered} == {LedgerState.DELIVERED}
    first = events[0]
    raw = raw_mail(mail, people[0].email, first.evidence["message_id"])
    parsed = message_from_bytes(raw, policy=policy.default)
    assert "with ESMTPSA" in str(parsed["Received"])  # TLS (S) and authenticated (A)
    assert parsed["Subject"] == f"[{DRILL_LABEL}] Continuité pédagogique"
    assert parsed["Reply-To"] == "drill@ecole.test"
    assert parsed["Message-ID"] == first.evidence["message_id"]
    body = parsed.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert body.startswith(f"[{DRILL_LABEL}] Bonjour {people[0].name},")


def test_a_refused_login_fails_everyone_with_the_cause_without_further_attempts(
    mail: School,
) -> None:
    people = mail.recipients(mail.staff[:3])
    smtp = mail.context().smtp
    assert smtp is not None
    made = email_channel(mail, people, smtp=replace(smtp, password="not-the-password"))
    events = made.send(message("n-login"), people)
    assert [e.state for e in events] == [LedgerState.FAILED] * 3
    assert events[0].evidence["cause"].startswith("SMTP refused the login: 535 5.7.8")
    assert all(e.evidence["cause"].startswith("not attempted: SMTP refused") for e in events[1:])


def test_an_unknown_recipient_is_refused_with_550_while_the_others_are_accepted(
    mail: School,
) -> None:
    people = [*mail.recipients(mail.staff[:2]), GHOST]
    events = email_channel(mail, people).send(message("n-550"), people)
    by_person = {e.person_id: e for e in events}
    assert by_person["ghost"].state is LedgerState.FAILED
    assert by_person["ghost"].evidence["cause"].startswith("SMTP 550 5.1.1 <ghost@ecole.test>")
    assert by_person["ghost"].evidence["attempts"] == 1
    assert [by_person[p.person_id].state for p in people[:2]] == [LedgerState.SENT] * 2


def test_a_421_closing_the_connection_is_retried_on_a_new_one_and_the_mail_is_sent(
    mail: School,
) -> None:
    people = mail.recipients(mail.staff[3:4])
    mail.smtp_force(stage="MAIL", code=421, count=1)
    events = email_channel(mail, people).send(message("n-421"), people)
    assert [(e.state, e.evidence["attempts"]) for e in events] == [(LedgerState.SENT, 2)]
    assert mail.smtp_pending() == []


def test_a_persistent_450_is_retried_up_to_the_cap_then_recorded_as_failed(mail: School) -> None:
    people = mail.recipients(mail.staff[4:6])
    unlucky = people[0]
    mail.smtp_force(stage="RCPT", code=450, count=5, recipient=unlucky.email)
    try:
        events = email_channel(mail, people).send(message("n-450"), people)
        assert mail.smtp_pending()[0]["count"] == 2  # 3 attempts used 3 of the 5
    finally:
        mail.admin("DELETE", f"{mail.config.smtp_admin_url}/_admin/smtp/force")
    by_person = {e.person_id: e for e in events}
    failed = by_person[unlucky.person_id]
    assert failed.state is LedgerState.FAILED and failed.evidence["attempts"] == 3
    assert failed.evidence["cause"] == (
        "SMTP 450 4.2.1 Mailbox temporarily unavailable, try again later"
    )
    assert by_person[people[1].person_id].state is LedgerState.SENT


def test_a_550_at_data_is_not_retried(mail: School) -> None:
    people = mail.recipients(mail.staff[6:7])
    mail.smtp_force(stage="DATA", code=550, count=2, recipient=people[0].email)
    try:
        events = email_channel(mail, people).send(message("n-data"), people)
        assert mail.smtp_pending()[0]["count"] == 1  # one attempt, not three
    finally:
        mail.admin("DELETE", f"{mail.config.smtp_admin_url}/_admin/smtp/force")
    assert [(e.state, e.evidence["attempts"]) for e in events] == [(LedgerState.FAILED, 1)]
    assert events[0].evidence["cause"] == "SMTP 550 5.7.1 Rejected by policy"


def test_a_recipient_outside_the_audience_is_refused_and_never_mailed(mail: School) -> None:
    people = mail.recipients(mail.staff[:1])
    outsider = mail.recipients(mail.staff[7:8])[0]
    events = email_channel(mail, people).send(message("n-out"), [*people, outsider])
    assert {e.person_id: e.state for e in events} == {
        people[0].person_id: LedgerState.SENT,
        outsider.person_id: LedgerState.REFUSED,
    }
    assert not (mail.directory / "mail" / outsider.email).exists()


def test_replies_acknowledge_the_person_whose_message_they_answer(tmp_path: Path) -> None:
    school = School(tmp_path)
    with school.serving("smtp", "staff"):
        people = school.recipients()
        made = build(plan_channel(ack_by_reply=True), people, school.context())
        sent = made.send(message("n-reply"), people)
        assert {e.state for e in sent} == {LedgerState.SENT}
        expected = school.answering("email")
        events = poll_until(
            made,
            lambda found: (
                {e.person_id for e in found if e.state is LedgerState.ACKNOWLEDGED} == expected
            ),
            "the email readers' replies",
        )
    acks = [e for e in events if e.state is LedgerState.ACKNOWLEDGED]
    assert len(acks) == len(expected)
    assert all(e.evidence["from_recipient"] and e.evidence["how"] == "reply" for e in acks)
    ids = {e.person_id: e.evidence["message_id"] for e in sent}
    assert all(e.evidence["message_id"] == ids[e.person_id] for e in acks)

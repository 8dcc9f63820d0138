"""Building channels from a plan and a context; contexts from the sandbox or the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from entdrill.channels import ChannelContext, build, recipients
from entdrill.channels.email import EmailChannel
from entdrill.channels.mail_replies import ImapReplies, MaildirReplies
from entdrill.channels.matrix import MatrixChannel
from entdrill.channels.slack import SlackChannel
from entdrill.drill.plan import load_plan
from entdrill.drill_plan import Channel, Expectation, Person, Target
from entdrill.errors import InvalidConfig
from tests.channels.school import School
from tests.synapse_support import MatrixServer

ROOT = Path(__file__).resolve().parents[2]


def test_every_channel_of_the_pre_holiday_drill_builds_on_the_sandbox(
    tmp_path: Path, synapse: MatrixServer
) -> None:
    school = School(tmp_path)
    plan = load_plan(ROOT / "drills" / "pre_holiday.yaml", check_files=False)
    context = school.context(
        "drill-7",
        announcement_ts="1700000000.000100",
        matrix_url=synapse.url,
        matrix_token=synapse.accounts.bot.access_token,
    )
    built = {c.name: build(c, plan.audience(c, school.people), context) for c in plan.channels}
    assert {n: c.kind for n, c in built.items()} == {c.name: c.type for c in plan.channels}
    slack = built["staff-slack"]
    assert isinstance(slack, SlackChannel) and slack.post_in == "#continuite" and slack.direct
    mail = built["staff-email"]
    assert isinstance(mail, EmailChannel) and isinstance(mail.replies, MaildirReplies)
    assert mail.smtp.reply_to == "drill@ecole.test" and mail.delivery_dir == tmp_path / "mail"
    parents = built["parents-email"]
    assert isinstance(parents, EmailChannel) and parents.replies is None
    tchap = built["crisis-tchap"]
    assert isinstance(tchap, MatrixChannel) and tchap.direct and not tchap.room
    assert tchap.connection.homeserver == synapse.url


def test_recipients_match_the_allow_list_the_channel_was_built_with(tmp_path: Path) -> None:
    school = School(tmp_path)
    person = Person("eva.thomas2", "Eva Thomas", slack="U1", email="eva@ecole.test", phone="+33")
    plan = Channel("c", "slack", "x", ("g",), Expectation(60.0, 1.0), direct=True)
    made = build(plan, [person], school.context())
    assert list(made.audience.values()) == recipients([person])


def test_a_staging_context_reads_secrets_from_the_variables_the_target_names() -> None:
    target = Target(
        kind="staging",
        slack_api_url="https://slack.example.fr/api/",
        smtp_host="smtp.example.fr",
        smtp_port=465,
        smtp_security="ssl",
        smtp_sender="continuite@example.fr",
        secrets_from_env=(("slack_token", "MY_SLACK"),),
    )
    env = {
        "MY_SLACK": "xoxb-from-my-slack",
        "SMTP_USER": "drill",
        "SMTP_PASSWORD": "smtp-secret-1",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
        "ENTDRILL_IMAP_URL": "imaps://drill%40example.fr@imap.example.fr/Drills",
        "IMAP_PASSWORD": "imap-secret-1",
    }
    context = ChannelContext.from_environment(target, "drill-9", env)
    assert context.slack_token == "xoxb-from-my-slack"
    assert context.slack_api_url == "http://127.0.0.1:9/api/"  # SLACK_API_URL wins
    assert context.smtp is not None and context.smtp.security == "ssl"
    assert (context.smtp.user, context.smtp.password) == ("drill", "smtp-secret-1")
    assert context.smtp.reply_to == "continuite@example.fr"
    assert context.imap is not None
    assert (context.imap.host, context.imap.port, context.imap.security) == (
        "imap.example.fr",
        993,
        "ssl",
    )
    assert (context.imap.user, context.imap.mailbox) == ("drill@example.fr", "Drills")
    assert "smtp-secret-1" not in repr(context) and "xoxb-from-my-slack" not in repr(context)
    mail = build(
        Channel("m", "email", "x", ("g",), Expectation(60.0, 1.0), ack_by_reply=True),
        [],
        context,
    )
    assert isinstance(mail, EmailChannel) and isinstance(mail.replies, ImapReplies)


def test_a_channel_missing_its_settings_is_refused_before_anything_is_sent() -> None:
    context = ChannelContext.from_environment(Target(kind="staging"), "drill-9", {})
    sms = Channel("staff-sms", "sms", "x", ("g",), Expectation(60.0, 1.0))
    with pytest.raises(InvalidConfig) as raised:
        build(sms, [], context)
    assert str(raised.value) == (
        "channel 'staff-sms' (sms) needs the SMS gateway URL (target sms_api_url), which is not "
        "configured; channel 'staff-sms' (sms) needs the SMS token (SMS_TOKEN), which is not "
        "configured"
    )
    mail = Channel("m", "email", "x", ("g",), Expectation(60.0, 1.0), ack_by_reply=True)
    with_smtp = ChannelContext.from_environment(
        Target(kind="staging", smtp_host="smtp.example.fr", smtp_sender="d@example.fr"), "d", {}
    )
    assert with_smtp.missing(mail) == [
        "channel 'm' reads replies (ack_by_reply) and needs the drill address's mailbox: "
        "set ENTDRILL_IMAP_URL"
    ]


def test_a_wrong_imap_url_is_refused_with_the_expected_form() -> None:
    with pytest.raises(InvalidConfig, match="imaps://user@host:993/INBOX"):
        ChannelContext.from_environment(
            Target(kind="staging"), "d", {"ENTDRILL_IMAP_URL": "pop3://x"}
        )

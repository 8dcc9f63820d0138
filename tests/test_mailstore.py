"""Reading the sandbox's Maildirs: parsing, ordering, and refusing what is not an address."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from entdrill.errors import InvalidArgument
from entdrill.mailstore import deliver, normalize_address, parse_message, read_mailbox

RAW = (
    b"From: Camille Martin <camille.martin@ecole.test>\r\n"
    b"To: drill@ecole.test, other@ecole.test\r\n"
    b"Reply-To: continuite@ecole.test\r\n"
    b"Subject: =?utf-8?q?Re=3A_EXERCICE_/_DRILL_=E2=80=94_re=C3=A7u?=\r\n"
    b"Message-ID: <b@ecole.test>\r\n"
    b"In-Reply-To: <a@ecole.test>\r\n"
    b"References: <z@ecole.test> <a@ecole.test>\r\n"
    b"X-Entdrill-Drill: d1\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Bien re\xc3\xa7u.\r\n"
)


def test_a_message_is_parsed_as_its_reader_sees_it() -> None:
    message = parse_message("k1", "drill@ecole.test", RAW, 12.5)
    assert message.subject == "Re: EXERCICE / DRILL — reçu"
    assert message.to == ["drill@ecole.test", "other@ecole.test"]
    assert message.in_reply_to == "<a@ecole.test>"
    assert message.references == ["<z@ecole.test>", "<a@ecole.test>"]
    assert message.text == "Bien reçu.\n"
    assert message.reply_address == "continuite@ecole.test"
    assert message.headers == {"X-Entdrill-Drill": "d1"}


def test_a_mailbox_reads_oldest_first_and_skips_keys_already_read(tmp_path: Path) -> None:
    first = deliver(tmp_path, "Drill@Ecole.test", RAW)
    second = deliver(tmp_path, "drill@ecole.test", RAW.replace(b"<b@", b"<c@"))
    assert [m.key for m in read_mailbox(tmp_path, "drill@ecole.test")] == [first, second]
    assert [m.key for m in read_mailbox(tmp_path, "drill@ecole.test", skip={first})] == [second]
    assert read_mailbox(tmp_path, "nobody@ecole.test") == []


@pytest.mark.parametrize("bad", ["../etc", "a/../b@x.test", "no-at-sign", "a@..", ""])
def test_what_is_not_a_plain_address_is_refused(bad: str) -> None:
    with pytest.raises(InvalidArgument, match="not a mail address"):
        normalize_address(bad)


def test_concurrent_first_deliveries_to_a_new_maildir_all_land(tmp_path: Path) -> None:
    """Replies arriving together at a mailbox nobody wrote to yet (the drill address)."""
    errors: list[BaseException] = []

    def one(mail_dir: Path, i: int) -> None:
        try:
            deliver(mail_dir, "drill@ecole.test", b"Subject: r\r\n\r\nreply %d\r\n" % i)
        except Exception as error:
            errors.append(error)

    for round_ in range(10):
        mail_dir = tmp_path / str(round_)
        threads = [threading.Thread(target=one, args=(mail_dir, i)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(read_mailbox(mail_dir, "drill@ecole.test")) == 8
    assert errors == []

"""The one reader of text files: what it refuses, named by line and column, and what it keeps."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from entdrill import textfile
from entdrill.errors import InvalidArgument, InvalidPlan


def test_text_is_returned_without_its_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes('\ufeffzone: B\nat: "07:45"\té\n'.encode())
    read = textfile.read_file(path)
    assert read.text == 'zone: B\nat: "07:45"\té\n'
    assert read.data == path.read_bytes()


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        (b"a\nbc\x00d\n", "line 2, column 3: control character U+0000 (NUL) is not allowed"),
        (b"\x07", "line 1, column 1: control character U+0007 (BEL) is not allowed"),
        ("ab\u009b".encode(), "line 1, column 3: control character U+009B"),
        (b"zone: \xe9t\xe9", "line 1, column 7: byte 0xe9 is not UTF-8 text"),
        ("x\n\ufffe".encode(), "line 2, column 1: character U+FFFE"),
    ],
)
def test_bytes_that_no_text_file_holds_are_named_by_line_and_column(
    tmp_path: Path, data: bytes, sentence: str
) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(InvalidArgument) as caught:
        textfile.read_text(path, what="--holidays")
    assert str(caught.value).startswith(f"--holidays {path}: {sentence}")


def test_a_directory_a_pipe_and_a_missing_file_are_refused_before_reading(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)  # reading it would block: it is never opened
    expected = {
        tmp_path: "is a directory; expected a file",
        pipe: "is not a regular file (a pipe or a device)",
        tmp_path / "none": "cannot read it (No such file or directory)",
    }
    for path, sentence in expected.items():
        with pytest.raises(InvalidArgument) as caught:
            textfile.read_text(path)
        assert str(caught.value).startswith(f"{path}: {sentence}")


def test_a_file_past_its_limit_is_refused_without_being_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_bytes(b"#" * (textfile.LIMITS["plan"] + 1))
    with pytest.raises(InvalidPlan, match="is larger than 1 MiB"):
        textfile.read_text(path, kind="plan", error=InvalidPlan)


def test_a_line_written_by_entdrill_is_checked_the_same_way() -> None:
    assert textfile.check_line(b'{"event": "x"}') == '{"event": "x"}'
    with pytest.raises(ValueError, match="byte 0xff is not UTF-8 text"):
        textfile.check_line(b"\xff")
    with pytest.raises(ValueError, match=r"control character U\+001B \(ESC\) is not text"):
        textfile.check_line(b"\x1b[2J")

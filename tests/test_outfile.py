"""Output paths are checked before any work, and written atomically with nothing left over."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from entdrill import outfile
from entdrill.errors import InvalidArgument


def test_a_path_a_file_can_take_is_accepted_and_nothing_is_created(tmp_path: Path) -> None:
    target = tmp_path / "new" / "dirs" / "report.json"
    assert outfile.check(str(target), "--report") == target
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    ("make", "path", "sentence"),
    [
        (lambda t: (t / "d").mkdir(), "d", "is a directory; expected the path of a file to write"),
        (lambda t: (t / "f").write_text("x"), "f/r.json", "is a file, not a directory"),
        (lambda t: (t / "f").write_text("x"), "f/a/b/r.json", "is a file, not a directory"),
        (lambda t: None, "/dev/null", "is not a regular file (a device or a pipe)"),
        (lambda t: None, "x" * 256, "longer than 255 bytes"),
    ],
)
def test_a_path_no_file_can_take_is_refused_naming_the_option(
    tmp_path: Path, make: object, path: str, sentence: str
) -> None:
    make(tmp_path)  # type: ignore[operator]
    where = path if path.startswith("/") else str(tmp_path / path)
    with pytest.raises(InvalidArgument) as caught:
        outfile.check(where, "--out")
    assert str(caught.value).startswith(f"--out {where}: ") and sentence in str(caught.value)


def test_writing_replaces_the_file_whole_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "out" / "review.html"
    outfile.write(target, "first")
    outfile.write(target, "second")
    assert target.read_text() == "second"
    assert os.listdir(target.parent) == ["review.html"]


def test_a_failed_write_says_so_and_removes_its_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.mkdir()  # the final rename cannot replace a directory
    with pytest.raises(InvalidArgument, match=f"--out {target}: cannot write it"):
        outfile.write(target, "text", "--out")
    assert os.listdir(tmp_path) == ["out.txt"] and os.listdir(target) == []

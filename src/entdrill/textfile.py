"""The one reader of the text files a user hands entdrill: plans, holiday and blackout lists,
sandbox settings, experiments, replay files, population CSVs, flood reports, job manifests.

:func:`read_text` refuses, with one sentence naming the file and what was expected, and before
anything else is done:

- a path that is missing, a directory, or not a regular file (a FIFO or ``/dev/zero`` would
  block or never end);
- a file larger than the limit of its kind (read no further than the limit);
- bytes that are not UTF-8 (a Latin-1 ``é``, a binary file), named by line and column;
- control characters (NUL, BEL, ESC, ...): a YAML reader raises on them, a CSV reader carries
  them into names and passwords. Tabs, line ends and a leading byte-order mark are text.

:func:`check_line` applies the same rules to one line of a file entdrill writes itself (the
fault ledger), so a damaged line is named instead of read as something else.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from entdrill.errors import InvalidArgument, InvalidInput

KIB = 1024
MIB = 1024 * KIB

#: Limits by kind of file: far above any real one, far below what would exhaust memory.
LIMITS: dict[str, int] = {
    "plan": 1 * MIB,  # a plan is a page or two
    "calendar": 1 * MIB,  # holiday and blackout lists
    "settings": 256 * KIB,  # sandbox settings, job manifests
    "experiment": 4 * MIB,  # a Chaos Toolkit experiment
    "population": 256 * MIB,  # a region's pupils, parents and staff
    "arrivals": 256 * MIB,  # a replay file
    "report": 256 * MIB,  # a flood report (histograms and per-second series)
}

# What YAML 1.1 calls non-printable (its reader raises on these), and what no text file holds:
# C0 controls but tab and line ends, DEL, C1 controls but NEL, surrogates, U+FFFE and U+FFFF.
# (named as what is forbidden: the complement compiles in a tenth of the time)
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class TextFile:
    """A file read and checked: its text (without a byte-order mark) and its bytes."""

    path: Path
    text: str
    data: bytes


def label(path: Path | str, what: str = "") -> str:
    """How a message names the file: ``--holidays h.yaml`` or just ``h.yaml``."""
    return f"{what} {path}" if what else str(path)


def read_file(
    path: Path | str,
    *,
    what: str = "",
    kind: str = "settings",
    error: type[InvalidInput] = InvalidArgument,
) -> TextFile:
    """Read ``path`` as UTF-8 text of ``kind`` (a key of :data:`LIMITS`), or raise ``error``.

    ``what`` is how the user gave the file (an option such as ``--holidays``), so the sentence
    names it as they wrote it.
    """
    path = Path(path)
    name = label(path, what)
    limit = LIMITS[kind]
    data = _read_bytes(path, name, limit, error)
    return TextFile(path, decode(data, name, error), data)


def read_text(
    path: Path | str,
    *,
    what: str = "",
    kind: str = "settings",
    error: type[InvalidInput] = InvalidArgument,
) -> str:
    """The text of ``path`` (see :func:`read_file`)."""
    return read_file(path, what=what, kind=kind, error=error).text


def _read_bytes(path: Path, name: str, limit: int, error: type[InvalidInput]) -> bytes:
    noun = "the plan" if limit == LIMITS["plan"] else "it"
    try:
        info = os.stat(path)
    except OSError as problem:
        raise error(f"{name}: cannot read {noun} ({_reason(problem)})") from None
    if stat.S_ISDIR(info.st_mode):
        raise error(f"{name}: is a directory; expected a file")
    if not stat.S_ISREG(info.st_mode):
        raise error(f"{name}: is not a regular file (a pipe or a device); expected a file")
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as problem:
        raise error(f"{name}: cannot read {noun} ({_reason(problem)})") from None
    if len(data) > limit:
        raise error(f"{name}: is larger than {_size(limit)}, far more than such a file holds")
    return data


def decode(data: bytes, name: str, error: type[InvalidInput] = InvalidArgument) -> str:
    """``data`` as text, or ``error`` naming the line and column of the first bad byte."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as problem:
        line, column = _place(data[: problem.start].decode("utf-8", "replace"))
        raise error(
            f"{name}: line {line}, column {column}: byte 0x{data[problem.start]:02x} is not "
            "UTF-8 text; expected a text file saved as UTF-8"
        ) from None
    text = text.removeprefix("\ufeff")
    found = _FORBIDDEN.search(text)
    if found is not None:
        line, column = _place(text[: found.start()])
        raise error(
            f"{name}: line {line}, column {column}: {describe(found.group())} is not allowed "
            "in a text file; expected printable text"
        )
    return text


def check_line(line: bytes) -> str:
    """One line of a file entdrill wrote, as text; ``ValueError`` says what is wrong with it."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as problem:
        raise ValueError(f"byte 0x{line[problem.start]:02x} is not UTF-8 text") from None
    found = _FORBIDDEN.search(text)
    if found is not None:
        raise ValueError(f"{describe(found.group())} is not text")
    return text


def describe(character: str) -> str:
    """``control character U+0007 (BEL)``: a character named so a reader can find it."""
    code = ord(character)
    names = {0: "NUL", 7: "BEL", 8: "BS", 0x1B: "ESC", 0x7F: "DEL"}
    name = names.get(code) or unicodedata.name(character, "")
    kind = "control character" if code < 0x20 or 0x7F <= code < 0xA0 else "character"
    return f"{kind} U+{code:04X}" + (f" ({name})" if name else "")


def _place(before: str) -> tuple[int, int]:
    """(line, column), from 1, of the character after ``before``."""
    line = before.count("\n") + 1
    return line, len(before) - (before.rfind("\n") + 1) + 1


def _reason(problem: OSError) -> str:
    return problem.strerror or str(problem)


def _size(limit: int) -> str:
    return f"{limit // MIB} MiB" if limit >= MIB else f"{limit // KIB} KiB"

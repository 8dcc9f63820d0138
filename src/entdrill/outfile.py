"""Output files: checked before any work starts, written atomically, nothing left half-done.

A storm of ten minutes must not end in "cannot write the report" (the report lost, a temporary
file left next to where it should be): :func:`check` is called when the command reads its
options, and refuses, in one sentence naming the option, a path that is a directory, a device or
anything but a file, that sits under a file, whose directory cannot be created or written, or
whose name is too long. :func:`write` then writes through a temporary file in the same
directory, renamed over the target only once complete, and removed whatever happens.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from entdrill.errors import InvalidArgument, InvalidInput

NAME_MAX = 255  # bytes in one path component (Linux)


def check(
    path: str | Path,
    option: str,
    *,
    directory: bool = False,
    error: type[InvalidInput] = InvalidArgument,
) -> Path:
    """``path`` when a file (or, with ``directory``, a directory of files) can be written there.

    Missing parent directories are fine when they can be created; nothing is created here.
    """
    text = str(path)
    if not text.strip():
        raise error(f"{option}: expected a file path, got an empty one")
    if "\x00" in text:
        raise error(f"{option}: the path holds a NUL character")
    target = Path(text).expanduser()
    where = f"{option} {text}"
    for part in target.parts:
        if len(os.fsencode(part)) > NAME_MAX:
            raise error(f"{where}: a name in it is longer than {NAME_MAX} bytes")
    try:
        info = os.stat(target)
    except (FileNotFoundError, NotADirectoryError):
        info = None
    except OSError as problem:
        raise error(f"{where}: cannot be used ({_reason(problem)})") from None
    if info is not None:
        if directory:
            if not stat.S_ISDIR(info.st_mode):
                raise error(f"{where}: exists and is not a directory; expected a directory")
            _require_writable(target, where, error)
            return target
        if stat.S_ISDIR(info.st_mode):
            raise error(f"{where}: is a directory; expected the path of a file to write")
        if not stat.S_ISREG(info.st_mode):
            raise error(
                f"{where}: is not a regular file (a device or a pipe); expected a file path"
            )
    parent = _existing_ancestor(target.parent)
    if not parent.is_dir():
        raise error(
            f"{where}: {parent} is a file, not a directory, so nothing can be written under it"
        )
    _require_writable(parent, where, error)
    return target


def write(
    path: Path, text: str, option: str = "", error: type[InvalidInput] = InvalidArgument
) -> None:
    """Write ``text`` to ``path`` atomically (its directory created); no temporary file is left."""
    where = f"{option} {path}" if option else str(path)
    tmp = ""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:200]}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        tmp = ""
    except OSError as problem:
        raise error(f"{where}: cannot write it ({_reason(problem)})") from None
    finally:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _existing_ancestor(path: Path) -> Path:
    """``path`` or its nearest ancestor that exists (the directory a write would create under)."""
    probe = path if path.is_absolute() else Path.cwd() / path
    while not probe.exists() and probe != probe.parent:
        if probe.is_symlink():  # a dangling link: its target's directory decides
            break
        probe = probe.parent
    return probe


def _require_writable(directory: Path, where: str, error: type[InvalidInput]) -> None:
    if not os.access(directory, os.W_OK | os.X_OK):
        raise error(f"{where}: the directory {directory} is not writable")


def _reason(problem: OSError) -> str:
    return problem.strerror or str(problem)

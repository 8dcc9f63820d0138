"""Process facts from Linux's /proc: is a pid alive, is it ours, who holds a port.

The supervisor only ever signals a pid after checking that its command line is the sandbox
component it expects (``entdrill.sandbox.serve NAME --dir DIR``), so a recycled pid is never hit.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import time
from dataclasses import dataclass
from pathlib import Path

SERVE_MODULE = "entdrill.sandbox.serve"
PROC = Path("/proc")


@dataclass(frozen=True)
class ComponentProcess:
    """A sandbox component process found in /proc."""

    pid: int
    name: str
    directory: Path


def cmdline(pid: int) -> list[str]:
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def proc_state(pid: int) -> str:
    """The one-letter state of ``pid`` (R, S, D, T, Z, ...), or "" when there is no such process."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return ""
    # The command name is in parentheses and may contain spaces: the state follows the last ')'.
    return stat.rsplit(")", 1)[1].split()[0]


def reap(pid: int) -> None:
    """Collect ``pid`` if it is a finished child of this process (no-op otherwise)."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def is_alive(pid: int) -> bool:
    """True when ``pid`` exists and is not a zombie (zombie children are reaped on the way)."""
    state = proc_state(pid)
    if state == "Z":
        reap(pid)
        return False
    return state != ""


def is_paused(pid: int) -> bool:
    """True when ``pid`` is stopped by a signal (SIGSTOP): alive but hung."""
    return proc_state(pid) in ("T", "t")


def identify(pid: int) -> ComponentProcess | None:
    """The sandbox component running as ``pid``, or None when ``pid`` is something else."""
    args = cmdline(pid)
    if SERVE_MODULE not in args:
        return None
    try:
        at = args.index(SERVE_MODULE)
        name = args[at + 1]
        directory = Path(args[args.index("--dir") + 1])
    except (ValueError, IndexError):
        return None
    return ComponentProcess(pid=pid, name=name, directory=directory)


def is_component(pid: int, name: str, directory: Path) -> bool:
    found = identify(pid)
    return (
        found is not None
        and found.name == name
        and found.directory.resolve() == directory.resolve()
        and is_alive(pid)
    )


def components_in(directory: Path) -> list[ComponentProcess]:
    """Every live component process serving the sandbox in ``directory``."""
    found: list[ComponentProcess] = []
    resolved = directory.resolve()
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        process = identify(int(entry.name))
        if (
            process is not None
            and process.directory.resolve() == resolved
            and is_alive(process.pid)
        ):
            found.append(process)
    return found


def terminate(pid: int, timeout_s: float = 5.0) -> None:
    """Stop ``pid``: SIGCONT (in case it is paused), SIGTERM, then SIGKILL after ``timeout_s``."""
    for signum in (signal.SIGCONT, signal.SIGTERM):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not is_alive(pid):
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 2.0
    while is_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """True when something already listens on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                return True
            raise
    return False


def port_owner(port: int) -> str:
    """A short description of the process listening on ``port`` (best effort, may be "")."""
    inodes: set[str] = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = (PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{inode}]")
    if not inodes:
        return ""
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (entry / "fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) in inodes:
                        args = cmdline(int(entry.name))
                        shown = " ".join(args)[:80] if args else "?"
                        return f"pid {entry.name}: {shown}"
    return "another user's process"

"""Server loss on the sandbox: ENT replicas killed or hung, restored; the session store lost.

Each injector validates its arguments before touching anything (:class:`InvalidArgument` names
the argument), records the fault in the ledger, injects it, verifies it took effect (the pid is
gone, or its state is ``T``; the canary session is refused) and returns what it did.
"""

from __future__ import annotations

import http.cookiejar
import os
import signal
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from entdrill import processes
from entdrill.errors import FaultError, InvalidArgument
from entdrill.faults.ledger import FaultEntry, Ledger
from entdrill.faults.recovery import inject, recover
from entdrill.faults.target import SandboxTarget, wait_until
from entdrill.probes.login import pick_user, synthetic_login

#: signals whose default action stops (pauses) a process instead of ending it
STOP_SIGNALS = frozenset({signal.SIGSTOP, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU})
#: signals a process ignores by default: "injecting" one would change nothing
NO_EFFECT_SIGNALS = frozenset({signal.SIGCHLD, signal.SIGCONT, signal.SIGURG, signal.SIGWINCH})
EXIT_TIMEOUT_S = 30.0  # a graceful SIGTERM lets in-flight requests finish
CANARY_ATTEMPTS = 3


def parse_signal(name: str) -> signal.Signals:
    """The signal called ``name`` (``SIGKILL``, ``kill``, ``9``); InvalidArgument otherwise."""
    text = str(name).strip().upper()
    try:
        signum = (
            signal.Signals(int(text))
            if text.isdigit()
            else signal.Signals[text if text.startswith("SIG") else "SIG" + text]
        )
    except (KeyError, ValueError):
        raise InvalidArgument(
            f"signal: {name!r} is not a signal name; expected e.g. SIGKILL, SIGTERM, SIGINT, SIGSTOP"
        ) from None
    if signum in NO_EFFECT_SIGNALS:
        raise InvalidArgument(
            f"signal: {signum.name} does nothing to a process by default; expected one that ends "
            "it (SIGKILL, SIGTERM, SIGINT, ...) or stops it (SIGSTOP)"
        )
    return signum


def _index(name: str) -> int:
    return int(name.split("-")[1])


def choose_replicas(target: SandboxTarget, count: int, replica: str, among: list[str]) -> list[str]:
    """The replicas to act on: ``replica`` by name, or the ``count`` highest-numbered of ``among``."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise InvalidArgument(f"count: expected a whole number of at least 1, got {count!r}")
    configured = target.configured_replicas()
    if replica:
        target.require_component(replica, "replica", tuple(configured))
        if count != 1:
            raise InvalidArgument(f"count: give a replica name or a count, not both (got {count})")
        if replica not in among:
            raise InvalidArgument(f"replica: {replica} is not running, so it cannot be acted on")
        return [replica]
    if count > len(among):
        shown = ", ".join(among) or "none"
        raise InvalidArgument(
            f"count: {count} is more than the {len(among)} ENT replica(s) running ({shown})"
        )
    return sorted(among, key=_index, reverse=True)[:count]


def _process_fault(
    target: SandboxTarget,
    ledger: Ledger,
    name: str,
    signum: signal.Signals,
    kind: str,
    timeout_s: float,
) -> dict[str, Any]:
    pid = target.pid_of(name)
    if pid is None:
        raise FaultError(f"{name} stopped running before it could be signalled")
    pauses = signum in STOP_SIGNALS
    undo: dict[str, Any] = {"sandbox_dir": str(target.directory), "name": name}
    undo.update({"op": "resume" if pauses else "start_component", "pid": pid})

    def apply() -> dict[str, Any]:
        target.supervisor.stop_component(name, signum)
        if pauses:
            took = wait_until(lambda: processes.is_paused(pid), timeout_s)
        else:
            took = wait_until(lambda: not processes.is_alive(pid), timeout_s)
        if not took:
            still = "not paused" if pauses else "still running"
            raise FaultError(f"{name} (pid {pid}) is {still} {timeout_s:g} s after {signum.name}")
        return {
            "component": name,
            "pid": pid,
            "signal": signum.name,
            "state": "paused" if pauses else "gone",
        }

    return inject(
        ledger,
        kind=kind,
        target={"component": name, "sandbox_dir": str(target.directory)},
        action={"signal": signum.name, "pid": pid},
        undo=undo,
        apply=apply,
    )


def kill_replicas(
    target: SandboxTarget,
    *,
    count: int = 1,
    replica: str = "",
    signal_name: str = "SIGKILL",
    ledger: Ledger | None = None,
    timeout_s: float = EXIT_TIMEOUT_S,
) -> dict[str, Any]:
    """Send ``signal_name`` to ``count`` running ENT replicas (or to ``replica``); verify the loss."""
    signum = parse_signal(signal_name)
    running = target.replicas_in("running")
    chosen = choose_replicas(target, count, replica, running)
    ledger = ledger or Ledger()
    kind = "hang_replica" if signum in STOP_SIGNALS else "kill_replica"
    done = [_process_fault(target, ledger, name, signum, kind, timeout_s) for name in chosen]
    return {
        "signal": signum.name,
        "replicas": done,
        "running_before": running,
        "running_after": target.replicas_in("running"),
    }


def hang_replicas(
    target: SandboxTarget, *, count: int = 1, replica: str = "", ledger: Ledger | None = None
) -> dict[str, Any]:
    """SIGSTOP ``count`` running ENT replicas: alive, holding their connections, answering nothing."""
    return kill_replicas(
        target, count=count, replica=replica, signal_name="SIGSTOP", ledger=ledger, timeout_s=5.0
    )


def _replica_entries(target: SandboxTarget, names: set[str], ops: set[str]) -> Any:
    directory = str(target.directory)

    def select(entry: FaultEntry) -> bool:
        return (
            entry.target.get("sandbox_dir") == directory
            and entry.target.get("component") in names
            and entry.undo.get("op") in ops
        )

    return select


def resume_replicas(
    target: SandboxTarget, *, replica: str = "", ledger: Ledger | None = None
) -> dict[str, Any]:
    """SIGCONT paused ENT replicas (all of them, or ``replica``); close their ledger entries."""
    configured = target.configured_replicas()
    if replica:
        target.require_component(replica, "replica", tuple(configured))
    names = {replica} if replica else set(configured)
    paused_before = [n for n in target.replicas_in("paused") if n in names]
    report = recover(
        ledger, select=_replica_entries(target, names, {"resume"}), verify_sandboxes=False
    )
    for name in target.replicas_in("paused"):
        pid = target.pid_of(name)
        if name in names and pid is not None:
            os.kill(pid, signal.SIGCONT)  # paused outside the ledger: resume it too
    still = [n for n in target.replicas_in("paused") if n in names]
    if still and not wait_until(lambda: not set(target.replicas_in("paused")) & names, 5.0):
        raise FaultError(f"still paused after SIGCONT: {', '.join(still)}")
    if report.failed:
        raise FaultError("; ".join(str(f["error"]) for f in report.failed))
    return {"resumed": paused_before, "reverted": [r["id"] for r in report.reverted]}


def restore_replicas(
    target: SandboxTarget, *, ledger: Ledger | None = None, timeout_s: float = 60.0
) -> dict[str, Any]:
    """Bring the ENT back to its configured replicas: resume the paused, start the lost."""
    configured = target.configured_replicas()
    report = recover(
        ledger,
        select=_replica_entries(target, set(configured), {"resume", "start_component"}),
        verify_sandboxes=False,
    )
    started, resumed = [], []
    for name in configured:
        pid = target.pid_of(name)
        if pid is None:
            target.supervisor.start_component(name, timeout_s=timeout_s)
            started.append(name)
        elif processes.is_paused(pid):
            os.kill(pid, signal.SIGCONT)
            resumed.append(name)
    ok = wait_until(lambda: set(target.replicas_in("running")) >= set(configured), 5.0)
    running = target.replicas_in("running")
    if not ok or report.failed:
        problems = [str(f["error"]) for f in report.failed]
        missing = sorted(set(configured) - set(running))
        raise FaultError(
            "the ENT is not back to its configured replicas: "
            + "; ".join(problems + ([f"not running: {', '.join(missing)}"] if missing else []))
        )
    return {
        "configured": len(configured),
        "running": running,
        "reverted": [r["id"] for r in report.reverted],
        "started": started,
        "resumed": resumed,
    }


def replicas_status(target: SandboxTarget) -> dict[str, Any]:
    """ENT replicas by state, against the configured count."""
    configured = target.configured_replicas()
    running = target.replicas_in("running")
    return {
        "configured": len(configured),
        "running": len(running),
        "paused": len(target.replicas_in("paused")),
        "stopped": len(target.replicas_in("stopped")),
        "all_running": set(running) >= set(configured),
        "replicas": {
            name: c["state"] for name, c in target.components().items() if name in configured
        },
    }


def lose_session_store(
    target: SandboxTarget,
    *,
    ledger: Ledger | None = None,
    page: str = "/homework?format=json",
    timeout_s: float = 10.0,
) -> dict[str, Any]:
    """Flush the ENT's session store: every TGT, ticket and portal session lost at once.

    Verified with a canary: a pupil logged in before the flush must be sent back to CAS after it.
    """
    state = target.state()
    portal = state.config.ent_url
    replica = next(iter(target.replicas_in("running")), None)
    if replica is None:
        raise FaultError("no ENT replica is running: there is no session store to lose")
    client = target.admin(replica)
    jar = http.cookiejar.CookieJar()
    username, password = pick_user(str(target.directory / "population.csv"), "pupil")
    login = None
    for _ in range(CANARY_ATTEMPTS):
        login = synthetic_login(
            portal, username, password, page=page, timeout_s=timeout_s, cookies=jar
        )
        if login.ok:
            break
    if login is None or not login.ok:
        raise FaultError(
            "cannot verify a session loss: the canary login failed before the flush "
            f"({login.error if login else 'not tried'}); nothing was flushed"
        )
    before = client.session_counts()

    def apply() -> dict[str, Any]:
        flushed = client.flush_sessions()
        after = client.session_counts()
        if session_still_valid(portal, page, jar, timeout_s):
            raise FaultError("the canary's session still opens the portal after the flush")
        return {
            "lost": flushed.get("lost"),
            "sessions_before": before,
            "sessions_after": after,
            "canary": username,
            "canary_sent_back_to_cas": True,
        }

    return inject(
        ledger or Ledger(),
        kind="lose_session_store",
        target={"component": "ent", "url": portal, "sandbox_dir": str(target.directory)},
        action={"flush": "every TGT, service ticket and portal session"},
        undo={"op": "none", "reason": "lost sessions do not come back: users log in again"},
        apply=apply,
        instantaneous=True,
    )


def session_still_valid(
    portal: str, page: str, jar: http.cookiejar.CookieJar, timeout_s: float
) -> bool:
    """True when ``jar``'s session still opens ``page``; False when the ENT sends it to CAS.

    A busy ENT (5xx, timeouts) proves nothing either way: it is asked again, a few times.
    """
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    url = urllib.parse.urljoin(portal, page)
    problem = ""
    for _ in range(CANARY_ATTEMPTS):
        try:
            with opener.open(url, timeout=timeout_s) as response:
                response.read()
                landed = response.geturl()
            return not urllib.parse.urlsplit(landed).path.startswith("/cas")
        except urllib.error.HTTPError as error:
            if error.code < 500:
                return False  # refused: the session is not accepted
            problem = f"HTTP {error.code}"
        except OSError as error:
            problem = str(error)
    raise FaultError(f"cannot check the canary session at {url}: {problem}")


def sandbox_of(directory: str | Path) -> SandboxTarget:
    return SandboxTarget(Path(directory))

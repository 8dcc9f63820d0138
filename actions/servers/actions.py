"""Server loss on the sandbox ENT: replicas killed, hung, resumed, restored; sessions lost.

Every action records its fault in the ledger before injecting it, verifies it took effect and
returns what it did; the staging control reverts whatever is left when the experiment ends.
"""

from entdrill.faults import servers
from entdrill.faults.activity import run_fault

__all__ = [
    "hang_replica",
    "kill_replica",
    "lose_session_store",
    "restore_replicas",
    "resume_replica",
]


def kill_replica(
    count: int = 1,
    replica: str = "",
    signal: str = "SIGKILL",
    configuration: dict = None,
    secrets: dict = None,
) -> dict:
    """Kill ENT replicas: a server lost, the others must carry the load.

    count: how many running replicas to kill (the highest-numbered first); at most those running.
    replica: one replica by name (`ent-1`, ...) instead of a count.
    signal: the signal sent (`SIGKILL`, `SIGTERM` for a graceful stop, ...); verified: the
    process is gone (or paused, for `SIGSTOP`).
    Returns the replicas hit with their pids, and the replicas running before and after.
    """
    return run_fault(
        servers.kill_replicas, configuration, count=count, replica=replica, signal_name=signal
    )


def hang_replica(
    count: int = 1, replica: str = "", configuration: dict = None, secrets: dict = None
) -> dict:
    """Hang ENT replicas with SIGSTOP: alive, holding connections, answering nothing.

    count: how many running replicas to hang (the highest-numbered first).
    replica: one replica by name instead of a count.
    Returns the replicas paused with their pids.
    """
    return run_fault(servers.hang_replicas, configuration, count=count, replica=replica)


def resume_replica(replica: str = "", configuration: dict = None, secrets: dict = None) -> dict:
    """Resume hung ENT replicas (SIGCONT): every paused one, or `replica`.

    replica: the replica to resume (`ent-2`); empty for all.
    Returns the replicas resumed.
    """
    return run_fault(servers.resume_replicas, configuration, replica=replica)


def restore_replicas(
    timeout_s: float = 60.0, configuration: dict = None, secrets: dict = None
) -> dict:
    """Bring the ENT back to its configured replicas: resume the hung, restart the lost.

    timeout_s: how long a restarted replica may take to answer.
    Returns the replicas started and resumed, and those running.
    """
    return run_fault(servers.restore_replicas, configuration, timeout_s=timeout_s)


def lose_session_store(configuration: dict = None, secrets: dict = None) -> dict:
    """Lose the ENT's session store: every user logged out at once, all must log in again.

    Verified with a canary pupil logged in before, who must be sent back to CAS after.
    Returns the sessions lost and the counts before and after.
    """
    return run_fault(servers.lose_session_store, configuration)

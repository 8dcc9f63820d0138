"""Server loss on the sandbox ENT: replicas killed, hung, resumed, restored; sessions lost.

Every action records its fault in the ledger before injecting it, verifies it took effect and
returns what it did; the staging control reverts whatever is left when the experiment ends.
"""

from actions.types import Configuration, JsonObject, Secrets
from entdrill.faults import k8s, servers
from entdrill.faults.activity import call_fault, run_fault

__all__ = [
    "hang_replica",
    "kill_replica",
    "lose_session_store",
    "restore_deployment",
    "restore_replicas",
    "resume_replica",
    "scale_deployment",
]


def kill_replica(
    count: int = 1,
    replica: str = "",
    signal: str = "SIGKILL",
    configuration: Configuration = None,
    secrets: Secrets = None,
) -> JsonObject:
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
    count: int = 1, replica: str = "", configuration: Configuration = None, secrets: Secrets = None
) -> JsonObject:
    """Hang ENT replicas with SIGSTOP: alive, holding connections, answering nothing.

    count: how many running replicas to hang (the highest-numbered first).
    replica: one replica by name instead of a count.
    Returns the replicas paused with their pids.
    """
    return run_fault(servers.hang_replicas, configuration, count=count, replica=replica)


def resume_replica(
    replica: str = "", configuration: Configuration = None, secrets: Secrets = None
) -> JsonObject:
    """Resume hung ENT replicas (SIGCONT): every paused one, or `replica`.

    replica: the replica to resume (`ent-2`); empty for all.
    Returns the replicas resumed.
    """
    return run_fault(servers.resume_replicas, configuration, replica=replica)


def restore_replicas(
    timeout_s: float = 60.0, configuration: Configuration = None, secrets: Secrets = None
) -> JsonObject:
    """Bring the ENT back to its configured replicas: resume the hung, restart the lost.

    timeout_s: how long a restarted replica may take to answer.
    Returns the replicas started and resumed, and those running.
    """
    return run_fault(servers.restore_replicas, configuration, timeout_s=timeout_s)


def lose_session_store(configuration: Configuration = None, secrets: Secrets = None) -> JsonObject:
    """Lose the ENT's session store: every user logged out at once, all must log in again.

    Verified with a canary pupil logged in before, who must be sent back to CAS after.
    Returns the sessions lost and the counts before and after.
    """
    return run_fault(servers.lose_session_store, configuration)


def scale_deployment(
    name: str = "bridge",
    replicas: int = 0,
    namespace: str = "entdrill-staging",
    configuration: Configuration = None,
    secrets: Secrets = None,
) -> JsonObject:
    """Scale a Kubernetes Deployment, recorded in the fault ledger so it is always scaled back.

    name: the Deployment. replicas: the count to scale it to (0: everything gone).
    namespace: its namespace. The cluster is reached as chaostoolkit-kubernetes does; the
    recorded undo (`entdrill recover`, the staging control) uses the kubeconfig or environment.
    Returns the replica count before and after.
    """
    context = (secrets or {}).get("KUBERNETES_CONTEXT", "")
    return call_fault(
        k8s.scale_deployment, name, replicas, namespace, context=context, secrets=secrets
    )


def restore_deployment(
    name: str = "bridge",
    namespace: str = "entdrill-staging",
    configuration: Configuration = None,
    secrets: Secrets = None,
) -> JsonObject:
    """Scale a Kubernetes Deployment back to the replica count recorded before `scale_deployment`.

    name: the Deployment. namespace: its namespace.
    Returns the faults reverted.
    """
    return call_fault(k8s.restore_deployment, name, namespace)

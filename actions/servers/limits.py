"""The ranges of the server-loss activities' arguments, declared once, next to the activities.

Checked by ``entdrill drill validate`` against a plan's ``vars`` (see ``actions.login.limits``).
Keys are ``function.argument`` or, for every function of the package, ``argument``.
"""

from entdrill.faults.servers import parse_signal
from entdrill.population import ROLES
from entdrill.ranges import Number, OneOf, Parsed, Text

__all__ = ["LIMITS"]

_K8S_NAME = r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"

LIMITS = {
    "kill_replica.count": Number(1, 64, integer=True, unit="replicas"),
    "hang_replica.count": Number(1, 64, integer=True, unit="replicas"),
    "login_sample.count": Number(1, 10_000, integer=True, unit="logins"),
    "concurrency": Number(1, 1_000, integer=True, unit="logins at once"),
    "replica": Text("a replica name such as ent-1, or empty for any", max_length=64),
    "signal": Parsed("a signal such as SIGKILL or SIGTERM", parse_signal),
    "timeout_s": Number(0, 3_600, unit="seconds", above=True),
    "role": OneOf(ROLES),
    "name": Text("a Kubernetes name", min_length=1, max_length=63, pattern=_K8S_NAME),
    "namespace": Text("a Kubernetes namespace", min_length=1, max_length=63, pattern=_K8S_NAME),
    "replicas": Number(0, 1_000, integer=True, unit="replicas"),
    "min_success_ratio": Number(0, 1, unit="the share of logins that must succeed"),
    "max_p95_s": Number(0, 3_600, unit="seconds", above=True),
}

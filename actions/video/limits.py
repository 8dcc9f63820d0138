"""The ranges of the video-bridge activities' arguments, declared once, next to the activities.

Checked by ``entdrill drill validate`` against a plan's ``vars`` (see ``actions.login.limits``).
Keys are ``function.argument`` or, for every function of the package, ``argument``.
"""

from entdrill.faults.target import BRIDGES
from entdrill.faults.video import HANG_METHODS
from entdrill.ranges import Number, OneOf

__all__ = ["LIMITS"]

LIMITS = {
    "bridge": OneOf(BRIDGES),
    "method": OneOf(HANG_METHODS),
    "latency_ms": Number(0, 600_000, unit="milliseconds"),
    "error_ratio": Number(0, 1, unit="the share of calls that fail"),
    "capacity": Number(0, 1_000_000, integer=True, unit="participants"),
    "timeout_s": Number(0, 3_600, unit="seconds", above=True),
    "max_seconds": Number(0, 3_600, unit="seconds", above=True),
}

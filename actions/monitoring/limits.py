"""The ranges of the PromQL activities' arguments, declared once, next to the activities.

Checked by ``entdrill drill validate`` against a plan's ``vars`` (see ``actions.login.limits``).
Keys are ``function.argument`` or, for every function of the package, ``argument``.
"""

from entdrill.ranges import Number

__all__ = ["LIMITS"]

LIMITS = {
    "empty": Number(-1e12, 1e12, unit="the value of an empty result"),
    "timeout_s": Number(0, 600, unit="seconds", above=True),
    "maximum": Number(-1e12, 1e12, unit="the largest value that holds"),
}

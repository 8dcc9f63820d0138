"""``python -m entdrill.drill.chaos_child PARENT_PID -- CHAOS_ARGS...``: ``chaos`` that dies
with the drill runner that started it.

The runner starts each experiment through this module. Before handing over to the Chaos Toolkit
command line (in this same process), it asks Linux to send it SIGTERM when its parent dies
(``PR_SET_PDEATHSIG``), and checks that the parent has not died already. So a runner killed with
``kill -9`` does not leave an experiment running on its own: the experiment is interrupted and
its staging control reverts the faults it injected, while ``entdrill drill recover`` marks the
drill interrupted and reverts whatever is still left.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """SIGTERM this process when ``parent_pid`` (its parent) dies; at once if it already has."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: drill recover still reverts the faults
        pass
    if os.getppid() != parent_pid:
        os.kill(os.getpid(), signal.SIGTERM)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2 or args[1] != "--" or not args[0].isdigit():
        sys.stderr.write("usage: python -m entdrill.drill.chaos_child PARENT_PID -- CHAOS_ARGS\n")
        raise SystemExit(2)
    die_with_parent(int(args[0]))
    from chaostoolkit.__main__ import cli

    sys.argv = ["chaos", *args[2:]]
    cli()


if __name__ == "__main__":
    main()

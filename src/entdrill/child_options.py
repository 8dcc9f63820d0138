"""Options handed to a child ``entdrill`` process through its environment, not its command line.

A command line is world-readable (``ps``, ``/proc/PID/cmdline``), and a target URL may carry a
password (``http://user:pw@staging-ent``: staging sites often sit behind HTTP basic auth). So
the parent puts a child's options in :data:`ENV` (a JSON list of arguments), readable only by
the same user, and the child's command line shows only what is its own (``--shard 0/4 --report
…``). The child takes the variable out of its environment before anything else runs, so a child
of its own never inherits it by accident::

    env = dict(os.environ)
    hand_over(env, options.to_argv())          # the parent
    ...
    command(args=take(sys.argv[1:]))           # the child's ``__main__``
"""

from __future__ import annotations

import json
import os

from entdrill.errors import InvalidArgument

ENV = "ENTDRILL_CHILD_OPTIONS"


def hand_over(env: dict[str, str], options: list[str]) -> None:
    """Put ``options`` in ``env``, the environment a child process is started with."""
    env[ENV] = json.dumps(options)


def take(argv: list[str]) -> list[str]:
    """The options handed over by the parent (removed from this process's environment),
    followed by ``argv``: the arguments the child's command parses."""
    text = os.environ.pop(ENV, None)
    if text is None:
        return argv
    try:
        options = json.loads(text)
    except ValueError:
        options = None
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise InvalidArgument(
            f"{ENV} holds no JSON list of arguments; it is set by entdrill for its own child "
            "processes: unset it"
        )
    return [*options, *argv]

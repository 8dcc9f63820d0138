"""What entdrill needs of a staging school it runs on this machine: a small protocol.

The embedded sandbox (:mod:`entdrill.targets.sandbox`) implements it. A staging ENT reached over
the network is not a local target: it is described by a plan's ``target`` section instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol


class LocalTarget(Protocol):
    """A staging school started on this machine, which a run may start, inspect and stop."""

    @property
    def directory(self) -> Path:
        """Where it keeps its state, population and mail."""
        ...

    def is_up(self) -> bool:
        """True when every component it should run answers."""
        ...

    def running(self) -> list[str]:
        """The names of its components whose process is alive."""
        ...

    def start(self) -> None:
        """Start what is not running, with the configuration it last ran with."""
        ...

    def stop(self) -> list[str]:
        """Stop every component; return the names stopped."""
        ...

    def status(self) -> dict[str, Any]:
        """Its URLs, ports, secrets and component states, as ``entdrill sandbox status`` shows."""
        ...

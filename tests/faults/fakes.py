"""A fake system for the ledger and recovery: faults are flags in a dict, undo ops flip them."""

from __future__ import annotations

from typing import Any

from entdrill.errors import FaultError


class FakeSystem:
    """Components that are up or down; ``ops`` are undo operations acting on them."""

    def __init__(self, *names: str) -> None:
        self.up = dict.fromkeys(names, True)
        self.reverts: list[str] = []
        self.broken: set[str] = set()  # components whose revert raises

    def break_(self, name: str) -> None:
        self.up[name] = False

    @property
    def ops(self) -> dict[str, Any]:
        return {"restart": _Restart(self), "none": _Noop()}


class _Restart:
    def __init__(self, system: FakeSystem) -> None:
        self.system = system

    def revert(self, spec: dict[str, Any]) -> str:
        name = spec["name"]
        if name in self.system.broken:
            raise FaultError(f"{name} will not start")
        self.system.reverts.append(name)
        if self.system.up[name]:
            return f"{name} already up"
        self.system.up[name] = True
        return f"restarted {name}"

    def check(self, spec: dict[str, Any]) -> str | None:
        return None if self.system.up[spec["name"]] else f"{spec['name']} is down"


class _Noop:
    def revert(self, spec: dict[str, Any]) -> str:
        return "nothing to undo"

    def check(self, spec: dict[str, Any]) -> str | None:
        return None

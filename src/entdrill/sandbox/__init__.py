"""The sandbox: an embedded, realistic staging school started on this machine.

The rest of entdrill reaches it through the seam :mod:`entdrill.targets.sandbox` (and the
``entdrill sandbox`` command, and :mod:`entdrill.testing`), using only the names in ``__all__``;
``tests/test_layers.py`` checks both. The modules are loaded when a name is first used, so a
component process loads only what it serves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from entdrill import lazy

if TYPE_CHECKING:
    from entdrill.sandbox.certificate import certificate_paths
    from entdrill.sandbox.component import component_names_help, kind_of, port_of
    from entdrill.sandbox.config import HOST, SandboxConfig, SandboxSecrets
    from entdrill.sandbox.state import SandboxState, read_state, write_state
    from entdrill.sandbox.status import ComponentStatus, component_status
    from entdrill.sandbox.status import status as sandbox_status
    from entdrill.sandbox.supervisor import Supervisor

#: exported name -> (module, name in it)
_EXPORTS: dict[str, tuple[str, str]] = {
    "HOST": ("entdrill.sandbox.config", "HOST"),
    "ComponentStatus": ("entdrill.sandbox.status", "ComponentStatus"),
    "SandboxConfig": ("entdrill.sandbox.config", "SandboxConfig"),
    "SandboxSecrets": ("entdrill.sandbox.config", "SandboxSecrets"),
    "SandboxState": ("entdrill.sandbox.state", "SandboxState"),
    "Supervisor": ("entdrill.sandbox.supervisor", "Supervisor"),
    "certificate_paths": ("entdrill.sandbox.certificate", "certificate_paths"),
    "component_names_help": ("entdrill.sandbox.component", "component_names_help"),
    "component_status": ("entdrill.sandbox.status", "component_status"),
    "kind_of": ("entdrill.sandbox.component", "kind_of"),
    "port_of": ("entdrill.sandbox.component", "port_of"),
    "read_state": ("entdrill.sandbox.state", "read_state"),
    "sandbox_status": ("entdrill.sandbox.status", "status"),
    "write_state": ("entdrill.sandbox.state", "write_state"),
}

__all__ = [
    "HOST",
    "ComponentStatus",
    "SandboxConfig",
    "SandboxSecrets",
    "SandboxState",
    "Supervisor",
    "certificate_paths",
    "component_names_help",
    "component_status",
    "kind_of",
    "port_of",
    "read_state",
    "sandbox_status",
    "write_state",
]

__getattr__ = lazy.loader(__name__, _EXPORTS, globals())

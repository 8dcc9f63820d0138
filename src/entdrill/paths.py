"""Where entdrill keeps its files.

``ENTDRILL_HOME`` (default ``./.entdrill``) holds the sandbox's state and logs, the records
database and the fault ledger of one working copy. ``ENTDRILL_RUNTIME_DIR`` (default
``/tmp/entdrill-<uid>``) is machine-wide: the kill switch finds every running flood and drill there.
"""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    """The project-local state directory (created on demand by whoever writes there)."""
    configured = os.environ.get("ENTDRILL_HOME", "").strip()
    return Path(configured) if configured else Path.cwd() / ".entdrill"


def runtime_dir() -> Path:
    """The machine-wide directory where running floods and drills register themselves."""
    configured = os.environ.get("ENTDRILL_RUNTIME_DIR", "").strip()
    return Path(configured) if configured else Path(f"/tmp/entdrill-{os.getuid()}")  # noqa: S108


def sandbox_dir() -> Path:
    """The embedded staging school's directory: state.json, logs, stores, mail."""
    return home() / "sandbox"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by the owner only; return it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path

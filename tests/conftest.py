"""Fixtures shared by every test: an isolated entdrill home, and a running sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from entdrill.testing import running_sandbox
from tests.synapse_support import SYNAPSE_INSTALLED, MatrixServer, synapse_server


@pytest.fixture(autouse=True)
def entdrill_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own ENTDRILL_HOME and kill-switch directory."""
    home = tmp_path / "entdrill-home"
    monkeypatch.setenv("ENTDRILL_HOME", str(home))
    monkeypatch.setenv("ENTDRILL_RUNTIME_DIR", str(tmp_path / "entdrill-run"))
    monkeypatch.delenv("ENT_BASE_URL", raising=False)
    monkeypatch.delenv("ENTDRILL_DB_URL", raising=False)
    return home


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A sandbox shared by the tests that only read from it; its status object.

    Tests that break things (kill replicas, inject faults) start their own.
    """
    with running_sandbox(tmp_path_factory.mktemp("shared-sandbox") / "sandbox") as status:
        yield status


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MatrixServer]:
    """One real Synapse for the Matrix tests (the sandbox's own component), with the school set up.

    Tests register people of their own on it (``synapse.user()``) and leave rate limits high
    unless they ask Synapse for a low one (``synapse.limit()``).
    """
    if not SYNAPSE_INSTALLED:
        pytest.skip("needs matrix-synapse (the `synapse` extra, which `make install` installs)")
    with synapse_server(tmp_path_factory.mktemp("synapse") / "sandbox") as server:
        yield server

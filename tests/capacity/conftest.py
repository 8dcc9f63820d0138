from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.flood.servers import LiveServer, ServerState, base_app


@pytest.fixture(autouse=True)
def isolated_runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private kill-switch registry and default guard settings for each test."""
    runtime = tmp_path / "runtime"
    monkeypatch.setenv("ENTDRILL_RUNTIME_DIR", str(runtime))
    for name in ("ENTDRILL_ALLOWED_TARGETS", "ENTDRILL_MAX_RATE", "ENTDRILL_CONSENT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return runtime


@pytest.fixture
def server() -> Iterator[LiveServer]:
    with LiveServer(base_app(ServerState())) as live:
        yield live

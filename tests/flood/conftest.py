from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from entdrill.flood import plan as plan_module
from entdrill.flood.report import Report
from entdrill.flood.runner import run_shard
from tests.flood.servers import LiveServer, ServerState, base_app

TOKEN = "consent-token-for-tests"


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


def flood(token: str = TOKEN, **options: Any) -> Report:
    """Run a flood in this process (one shard unless ``shard`` says otherwise)."""
    options.setdefault("processes", 1)
    plan = plan_module.build(plan_module.FloodOptions(**options))
    return run_shard(plan, token, install_signals=False)

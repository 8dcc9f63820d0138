"""Starting an ENT replica process: what it needs, and how it says what is missing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from entdrill.testing import free_config, free_port, prepare_sandbox_dir


def test_a_replica_whose_redis_store_is_unreachable_exits_naming_the_store(tmp_path: Path) -> None:
    config = free_config(store_url=f"redis://127.0.0.1:{free_port()}/0?prefix=nothing-here")
    prepare_sandbox_dir(tmp_path, config)
    done = subprocess.run(
        [sys.executable, "-m", "entdrill.sandbox.serve", "ent-1", "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "ent-1 cannot reach its session store (redis)" in done.stderr
    assert "Traceback" not in done.stderr

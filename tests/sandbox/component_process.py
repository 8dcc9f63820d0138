"""Starting one sandbox component as the supervisor does: ``python -m entdrill.sandbox.serve``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def component_process(name: str, directory: Path, health_url: str) -> Iterator[None]:
    """Run component ``name`` of the sandbox in ``directory`` until it answers ``health_url``;
    on leaving, SIGTERM it and check that it exits 0."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "entdrill.sandbox.serve", name, "--dir", str(directory)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(health_url, timeout=2) as response:
                    assert json.load(response)["ok"]
                break
            except OSError:
                if process.poll() is not None:
                    raise AssertionError(f"{name} exited: {process.stderr.read()}") from None
                assert time.monotonic() < deadline, f"{name} never answered {health_url}"
                time.sleep(0.1)
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=15)
        errors = process.stderr.read() if process.stderr else ""
        assert code == 0, f"{name} exited {code}: {errors}"
        assert "Traceback" not in errors, errors

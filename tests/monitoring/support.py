"""Real Prometheus and Alertmanager for the monitoring tests: Debian's binaries, on loopback.

Tests that need them are skipped (with the reason) only when the binaries are absent; CI
installs them (``.ci/run``).
"""

from __future__ import annotations

import pytest

from entdrill.sandbox import monitoring_config

MISSING = monitoring_config.missing("prometheus") or monitoring_config.missing("alertmanager")
needs_monitoring = pytest.mark.skipif(
    bool(MISSING), reason=f"Prometheus and Alertmanager are needed: {MISSING}"
)
needs_promtool = pytest.mark.skipif(
    not monitoring_config.binary("promtool"), reason="promtool is not installed (Debian prometheus)"
)

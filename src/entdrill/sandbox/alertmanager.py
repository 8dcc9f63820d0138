"""The sandbox's Alertmanager (the ``alertmanager`` component): Debian's binary, run as a child.

One receiver that sends nothing anywhere: a drill reads the alerts from the API v2
(``/api/v2/alerts``, :mod:`entdrill.monitoring.alerts`). Clustering is off (no gossip port).
"""

from __future__ import annotations

from entdrill.errors import InvalidConfig
from entdrill.sandbox import monitoring_config
from entdrill.sandbox.child_binary import run_child
from entdrill.sandbox.component import ComponentContext
from entdrill.sandbox.http import wait_for_stop_signal
from entdrill.sandbox.prometheus import write_yaml


async def run(ctx: ComponentContext) -> None:
    """Run Alertmanager until SIGTERM."""
    missing = monitoring_config.missing("alertmanager")
    if missing:
        raise InvalidConfig(missing)
    directory = ctx.directory / "alertmanager"
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_yaml(directory / "alertmanager.yml", monitoring_config.alertmanager_config())
    argv = monitoring_config.alertmanager_argv(ctx.config, directory)
    await run_child(argv, directory, wait_for_stop_signal)

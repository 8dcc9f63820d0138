"""entdrill's Chaos Toolkit extension: activities for a staging ENT, by domain.

Each subpackage holds ``actions.py`` and ``probes.py`` whose ``__all__`` lists exactly the
activities; ``discover`` reports them all to ``chaos discover entdrill`` under the extension name
``entdrill``. ``chaos discover`` takes a distribution's name and loads its top-level package, so
``chaos discover actions`` fails (no distribution is named ``actions``).
"""

from chaoslib.discovery.discover import (
    discover_actions,
    discover_probes,
    initialize_discovery_result,
)
from chaoslib.types import DiscoveredActivities, Discovery

from entdrill import __version__

__all__ = ["discover"]

ACTION_MODULES: tuple[str, ...] = (
    "actions.login.actions",
    "actions.servers.actions",
    "actions.video.actions",
)
PROBE_MODULES: tuple[str, ...] = (
    "actions.login.probes",
    "actions.monitoring.probes",
    "actions.servers.probes",
    "actions.video.probes",
)


def discover(discover_system: bool = True) -> Discovery:
    """Every activity of this extension, as `chaos discover entdrill` shows them."""
    discovery = initialize_discovery_result("entdrill", __version__, "entdrill")
    activities: list[DiscoveredActivities] = []
    for module in ACTION_MODULES:
        activities.extend(discover_actions(module))
    for module in PROBE_MODULES:
        activities.extend(discover_probes(module))
    discovery["activities"].extend(activities)
    return discovery

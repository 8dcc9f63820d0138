"""Breaking-point search: offer a journey at rising rates until the ENT breaks its objective.

::

    settings = SearchSettings(start=20, stop=300, step_s=5, normal_rate=1.5, required_multiple=100)
    result = search(flood_options, settings, token, allow=allowlist.from_environment())
    report = build_report(result)        # JSON: sustained_rate, breaking_rate, headroom, steps...
    print(table(result))

``settings`` (the search's numbers, checked), ``policy`` (the pure step policy: ladder, refine,
outcome), ``verdict`` (one step judged from its flood report), ``runner`` (the steps run as
floods, guarded, under the kill switch), ``report`` (JSON and table), ``child`` (the search in
a process of its own, for Chaos Toolkit activities).
"""

from entdrill.capacity.policy import OUTCOMES, Step, StepPolicy, ladder
from entdrill.capacity.report import FORMAT, CapacityReport, table, verdict
from entdrill.capacity.report import build as build_report
from entdrill.capacity.runner import SearchResult, search
from entdrill.capacity.settings import SearchSettings, check
from entdrill.capacity.verdict import BrokeBy, StepResult, judge

__all__ = [
    "FORMAT",
    "OUTCOMES",
    "BrokeBy",
    "CapacityReport",
    "SearchResult",
    "SearchSettings",
    "Step",
    "StepPolicy",
    "StepResult",
    "build_report",
    "check",
    "judge",
    "ladder",
    "search",
    "table",
    "verdict",
]

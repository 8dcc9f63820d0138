"""Open-model login storms: a plan, a schedule of arrivals, an engine, a report.

What other packages may use is in ``__all__`` (``tests/test_layers.py`` checks that they use
nothing else); the modules are loaded when a name is first used, so importing one module of the
flood (an activity, say) does not load the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from entdrill import lazy

if TYPE_CHECKING:
    from entdrill.flood.activity import journey_options, storm_options
    from entdrill.flood.display import Display
    from entdrill.flood.executors.kubernetes_job import run_from_cli as run_on_kubernetes
    from entdrill.flood.executors.local import run as run_here
    from entdrill.flood.plan import BRIDGE_SECRET_ENV, FloodOptions, FloodPlan, parse_mix
    from entdrill.flood.plan import build as build_plan
    from entdrill.flood.portal import check as check_portal
    from entdrill.flood.profiles import PROFILE_NAMES
    from entdrill.flood.report import Report, headline
    from entdrill.flood.report import merge as merge_reports
    from entdrill.flood.report import read as read_report
    from entdrill.flood.report import write as write_report
    from entdrill.flood.runner import guard, jsonl_progress, run_shard
    from entdrill.flood.runs import all_runs
    from entdrill.flood.runs import find as find_run
    from entdrill.flood.runs import result as run_result
    from entdrill.flood.runs import start as start_run
    from entdrill.flood.runs import stop as stop_run
    from entdrill.flood.runs import wait as wait_run
    from entdrill.flood.scenarios import SCENARIOS

#: exported name -> (module, name in it)
_EXPORTS: dict[str, tuple[str, str]] = {
    "BRIDGE_SECRET_ENV": ("entdrill.flood.plan", "BRIDGE_SECRET_ENV"),
    "PROFILE_NAMES": ("entdrill.flood.profiles", "PROFILE_NAMES"),
    "SCENARIOS": ("entdrill.flood.scenarios", "SCENARIOS"),
    "Display": ("entdrill.flood.display", "Display"),
    "FloodOptions": ("entdrill.flood.plan", "FloodOptions"),
    "FloodPlan": ("entdrill.flood.plan", "FloodPlan"),
    "Report": ("entdrill.flood.report", "Report"),
    "all_runs": ("entdrill.flood.runs", "all_runs"),
    "build_plan": ("entdrill.flood.plan", "build"),
    "check_portal": ("entdrill.flood.portal", "check"),
    "find_run": ("entdrill.flood.runs", "find"),
    "guard": ("entdrill.flood.runner", "guard"),
    "headline": ("entdrill.flood.report", "headline"),
    "journey_options": ("entdrill.flood.activity", "journey_options"),
    "jsonl_progress": ("entdrill.flood.runner", "jsonl_progress"),
    "merge_reports": ("entdrill.flood.report", "merge"),
    "parse_mix": ("entdrill.flood.plan", "parse_mix"),
    "read_report": ("entdrill.flood.report", "read"),
    "run_here": ("entdrill.flood.executors.local", "run"),
    "run_on_kubernetes": ("entdrill.flood.executors.kubernetes_job", "run_from_cli"),
    "run_result": ("entdrill.flood.runs", "result"),
    "run_shard": ("entdrill.flood.runner", "run_shard"),
    "start_run": ("entdrill.flood.runs", "start"),
    "stop_run": ("entdrill.flood.runs", "stop"),
    "storm_options": ("entdrill.flood.activity", "storm_options"),
    "wait_run": ("entdrill.flood.runs", "wait"),
    "write_report": ("entdrill.flood.report", "write"),
}

__all__ = [
    "BRIDGE_SECRET_ENV",
    "PROFILE_NAMES",
    "SCENARIOS",
    "Display",
    "FloodOptions",
    "FloodPlan",
    "Report",
    "all_runs",
    "build_plan",
    "check_portal",
    "find_run",
    "guard",
    "headline",
    "journey_options",
    "jsonl_progress",
    "merge_reports",
    "parse_mix",
    "read_report",
    "run_here",
    "run_on_kubernetes",
    "run_result",
    "run_shard",
    "start_run",
    "stop_run",
    "storm_options",
    "wait_run",
    "write_report",
]

__getattr__ = lazy.loader(__name__, _EXPORTS, globals())

"""Continuity drills: plan reading and schema (``plan``), and the runner that walks a plan.

The typed plan the runner, channels and records consume is :mod:`entdrill.drill_plan`.

What other packages may use is in ``__all__`` (``tests/test_layers.py`` checks that they use
nothing else); the modules are loaded when a name is first used, so ``drill validate`` does not
load the runner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from entdrill import lazy

if TYPE_CHECKING:
    from entdrill.drill.dead_drills import recover_dead_drills
    from entdrill.drill.dry_run import describe as describe_dry_run
    from entdrill.drill.dry_run import record_dry_run
    from entdrill.drill.plan import Plan, load_plan
    from entdrill.drill.prepare import check_blackout
    from entdrill.drill.prepare import prepare as prepare_drill
    from entdrill.drill.runner import RunOptions, run_drill
    from entdrill.drill.timeline import JsonEventsDisplay, QuietDisplay, TerminalDisplay

#: exported name -> (module, name in it)
_EXPORTS: dict[str, tuple[str, str]] = {
    "JsonEventsDisplay": ("entdrill.drill.timeline", "JsonEventsDisplay"),
    "Plan": ("entdrill.drill.plan", "Plan"),
    "QuietDisplay": ("entdrill.drill.timeline", "QuietDisplay"),
    "RunOptions": ("entdrill.drill.runner", "RunOptions"),
    "TerminalDisplay": ("entdrill.drill.timeline", "TerminalDisplay"),
    "check_blackout": ("entdrill.drill.prepare", "check_blackout"),
    "describe_dry_run": ("entdrill.drill.dry_run", "describe"),
    "load_plan": ("entdrill.drill.plan", "load_plan"),
    "prepare_drill": ("entdrill.drill.prepare", "prepare"),
    "record_dry_run": ("entdrill.drill.dry_run", "record_dry_run"),
    "recover_dead_drills": ("entdrill.drill.dead_drills", "recover_dead_drills"),
    "run_drill": ("entdrill.drill.runner", "run_drill"),
}

__all__ = [
    "JsonEventsDisplay",
    "Plan",
    "QuietDisplay",
    "RunOptions",
    "TerminalDisplay",
    "check_blackout",
    "describe_dry_run",
    "load_plan",
    "prepare_drill",
    "record_dry_run",
    "recover_dead_drills",
    "run_drill",
]

__getattr__ = lazy.loader(__name__, _EXPORTS, globals())

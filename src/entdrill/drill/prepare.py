"""Everything a drill needs, gathered and checked before it touches anything.

:func:`prepare` refuses to start inside a blackout window (unless forced), reaches the target
(the sandbox, started if it is not running; or a staging ENT whose secrets come from the
environment), resolves every audience against the target's people, builds every channel (a
missing setting is an error naming it, before anything is sent) and reads the experiments and
what they will inject. A dry run reads a running sandbox but starts none.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from entdrill import population
from entdrill.calendar import in_blackout
from entdrill.channels import ChannelContext, recipients
from entdrill.channels.factory import check_matrix_room
from entdrill.drill import detection, inject
from entdrill.drill.fallbacks import Fallbacks
from entdrill.drill_plan import ExperimentRef, Person, Plan
from entdrill.errors import GuardRefusal
from entdrill.staging import SandboxLease, configuration_for
from entdrill.targets import LocalTarget
from entdrill.targets.sandbox import local_sandbox

log = logging.getLogger(__name__)


@dataclass
class Prepared:
    """A drill ready to run: its target, people, channels and experiments."""

    plan: Plan
    drill_id: str
    target: str  # "sandbox", or the staging ENT's URL
    audiences: dict[str, list[Person]]  # channel or manual step name -> its people
    groups: dict[str, list[Person]]  # group name -> its people
    experiments: list[tuple[ExperimentRef, dict[str, Any]]]
    fault_plans: list[dict[str, Any]]
    context: ChannelContext | None = None
    fallbacks: Fallbacks | None = None
    lease: SandboxLease | None = None
    blackout: str = ""  # the blackout a forced drill runs inside ("" when none)
    alertmanager_url: str = ""  # where the drill reads which alerts fired ("" when nowhere)
    monitoring_problem: str = ""  # why there is no Alertmanager to read
    problems: list[str] = field(default_factory=list)  # what a dry run could not check

    @property
    def names(self) -> dict[str, str]:
        return {p.id: p.name for people in self.groups.values() for p in people}

    def group_of(self) -> dict[str, str]:
        """Each person's first group, in the plan's order."""
        found: dict[str, str] = {}
        for name, people in self.groups.items():
            for person in people:
                found.setdefault(person.id, name)
        return found

    def release(self) -> None:
        """Stop the sandbox if this drill started it; close the channels."""
        if self.fallbacks is not None:
            self.fallbacks.close()
        if self.lease is not None:
            self.lease.release()


def check_blackout(plan: Plan, now: datetime, *, force: bool) -> str:
    """The blackout window ``now`` is in ("" when none); refuses it unless ``force``."""
    if plan.schedule is None:
        return ""
    window = in_blackout(plan.schedule.blackouts, now)
    if window is None:
        return ""
    if not force:
        raise GuardRefusal(
            f"{plan.path}: the drill {plan.name!r} cannot start now, inside the blackout window "
            f"{window.describe()}; run it later, or pass --force to run it anyway",
            rule="blackout",
        )
    return window.describe()


def prepare(
    plan: Plan,
    *,
    drill_id: str,
    now: datetime,
    dry_run: bool = False,
    force: bool = False,
    context_overrides: Mapping[str, Any] | None = None,
) -> Prepared:
    """Check and gather what the drill needs (see the module docstring)."""
    blackout = check_blackout(plan, now, force=force)
    experiments = [(ref, inject.read_experiment(ref.path)) for ref in plan.experiments]
    fault_plans = [inject.fault_plan(ref, doc) for ref, doc in experiments]
    problems: list[str] = []
    lease = None
    status: dict[str, Any] | None = None
    people: list[population.Person] | None = None
    if plan.target.is_sandbox:
        target: LocalTarget = local_sandbox()
        if not dry_run:
            lease = SandboxLease()
            configuration_for(lease.acquire())
        if target.is_up():
            status = target.status()
            configuration_for(status)  # registers every sandbox secret for redaction
            people = population.read_csv(Path(str(status["population_csv"])))
        else:
            problems.append(
                "the sandbox is not running: audiences are those of a default sandbox, and the "
                "channels' settings will be checked when the drill runs"
            )
    alertmanager_url, monitoring_problem = detection.monitoring_of(plan, status)
    if not dry_run:
        try:
            detection.require_monitoring(plan, alertmanager_url, monitoring_problem)
        except GuardRefusal:
            if lease is not None:
                lease.release()
            raise
    elif detection.expecting(plan) and not alertmanager_url:
        problems.append(f"detection cannot be checked: {monitoring_problem}")
    audiences = {c.name: plan.audience(c, people) for c in plan.channels}
    audiences |= {s.name: plan.members(s.audience, people) for s in plan.manual_steps}
    groups = {g.name: plan.members([g.name], people) for g in plan.groups}
    everyone = plan.members([g.name for g in plan.groups], people)
    prepared = Prepared(
        plan=plan,
        drill_id=drill_id,
        target="sandbox" if plan.target.is_sandbox else plan.target.ent_url,
        audiences=audiences,
        groups=groups,
        experiments=experiments,
        fault_plans=fault_plans,
        lease=lease,
        blackout=blackout,
        problems=problems,
        alertmanager_url=alertmanager_url,
        monitoring_problem=monitoring_problem,
    )
    try:
        overrides: dict[str, Any] = {
            "drill_channel": plan.announcement.post_in,
            "people": {r.person_id: r for r in recipients(everyone)},
            **(context_overrides or {}),
        }
        if status is not None:
            prepared.context = ChannelContext.from_sandbox(status, drill_id, **overrides)
        elif not plan.target.is_sandbox:
            prepared.context = ChannelContext.from_environment(plan.target, drill_id, **overrides)
        if prepared.context is not None:
            prepared.fallbacks = Fallbacks(plan, prepared.context, audiences)
            if plan.announcement.matrix_room:
                check_matrix_room(prepared.context, plan.announcement.matrix_room)
    except BaseException:
        prepared.release()
        raise
    return prepared

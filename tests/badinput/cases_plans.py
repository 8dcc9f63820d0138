"""Class "drill plans": plans that read as YAML but ask what no drill can do.

The real pre-holiday plan, broken one field at a time: experiment ``vars`` that are negative,
zero, of the wrong type or out of the range the activity declares; an experiment Chaos Toolkit
refuses; deadlines of centuries and escalations after the deadline; YAML 1.1's surprises; Matrix
ids and rooms that are not ``@local:server`` and ``#alias:server``.
``drill validate``, ``drill run`` and ``drill due`` refuse each (exit 2), naming the file, line
and field; ``schedule --plan`` names the schedule's fields.
"""

from __future__ import annotations

import json
from pathlib import Path

from .corpus import Case

KLASS = "drill plans"
REPO = Path(__file__).resolve().parents[2]
PLAN = (REPO / "drills" / "pre_holiday.yaml").read_text(encoding="utf-8")
BASE = PLAN.replace("../experiments/", "{repo}/experiments/")

#: (label, text replaced, replacement, the field the problem names)
BREAKS: list[tuple[str, str, str, str]] = [
    ("negative step length", "capacity_step_s: 4", "capacity_step_s: -5",
     "experiments[0].vars.capacity_step_s"),
    ("zero starting multiple", "capacity_from_multiple: 10", "capacity_from_multiple: 0",
     "experiments[0].vars.capacity_from_multiple"),
    ("multiple as text", "capacity_to_multiple: 200", 'capacity_to_multiple: "200"',
     "experiments[0].vars.capacity_to_multiple"),
    ("multiple of a billion", "capacity_to_multiple: 200", "capacity_to_multiple: 1000000000",
     "experiments[0].vars.capacity_to_multiple"),
    ("a year-long step", "capacity_step_s: 4", "capacity_step_s: 31536000",
     "experiments[0].vars.capacity_step_s"),
    ("step length as a list", "capacity_step_s: 4", "capacity_step_s: [4]",
     "experiments[0].vars.capacity_step_s"),
    ("an unknown key", "capacity_step_s: 4", "capacity_stpe_s: 4",
     "experiments[0].vars.capacity_stpe_s"),
    ("a mix with no scenario", "capacity_step_s: 4", 'capacity_mix: "nobody=3"',
     "experiments[0].vars.capacity_mix"),
    ("processes as a fraction", "capacity_step_s: 4", "capacity_processes: 1.5",
     "experiments[0].vars.capacity_processes"),
    ("a negative outage (a pause)", "bridge_outage_s: 45", "bridge_outage_s: -1",
     "experiments[1].vars.bridge_outage_s"),
    ("an outage as a boolean", "bridge_outage_s: 45", "bridge_outage_s: true",
     "experiments[1].vars.bridge_outage_s"),
    ("a missing experiment", "video_bridge_outage.json", "video_bridge_outrage.json",
     "experiments[1].path"),
    ("a deadline of centuries", "within: 2m", "within: 99999999999999999999h", "within"),
    ("a deadline of a thousand digits", "within: 2m", "within: " + "9" * 1000 + "h", "within"),
    ("a deadline of no time", "within: 2m", "within: 0s", "within"),
    ("an escalation after the deadline", "after: 60s", "after: 10m", "escalation.after"),
    ("a drill of a week", "max_duration: 15m", "max_duration: 168h", "recover.max_duration"),
    ("an unquoted time", 'at: "07:45"', "at: 07:45", "schedule.at"),
    ("a Norway zone", "zone: B", "zone: no", "schedule.zone"),
    ("a calendar-end blackout", "2026-06-15", "0001-01-01", "schedule.blackouts"),
    ("a blackout in year 9999", "2026-06-15", "9999-12-31", "schedule.blackouts"),
    ("an alias", "organisers: [", "organisers: &o [", "organisers"),
    ("a python tag", "name: pre-holiday", "name: !!python/name:os.system", "name"),
    ("a Matrix id that is an address", '"@eva.thomas2:ecole.test" #', '"eva.thomas2@ecole.test" #',
     "groups.cellule.people[0].matrix"),
    ("a Matrix id without its server", '"@rose.david3:ecole.test"', '"@rose.david3"',
     "groups.cellule.people[1].matrix"),
    ("a Matrix room that is a plain name", "    direct: true # a direct room",
     "    room: crise\n    direct: true # a direct room", "channels[2].room"),
    ("a homeserver that is no URL", "    direct: true # a direct room",
     "    homeserver: matrix.ecole.test\n    direct: true # a direct room", "channels[2].homeserver"),
]  # fmt: skip

EXPERIMENTS: list[tuple[str, dict[str, object], str]] = [
    ("no description", {"title": "t", "configuration": {}, "method": []}, "description"),
    ("no method", {"title": "t", "description": "d", "configuration": {}}, "method"),
    ("an unknown module", {"title": "t", "description": "d", "method": [{"type": "action",
     "name": "a", "provider": {"type": "python", "module": "actions.nowhere", "func": "f"}}]},
     "actions.nowhere"),
    ("an unknown argument", {"title": "t", "description": "d", "method": [{"type": "action",
     "name": "a", "provider": {"type": "python", "module": "actions.servers.actions",
     "func": "kill_replica", "arguments": {"cuont": 1}}}]}, "cuont"),
    ("a secret from nowhere", {"title": "t", "description": "d", "method": [], "secrets": {
     "s": {"token": {"type": "env", "key": "ENTDRILL_CORPUS_UNSET_VARIABLE"}}}},
     "ENTDRILL_CORPUS_UNSET_VARIABLE"),
]  # fmt: skip


def _plan_with_experiment(experiment: dict[str, object]) -> str:
    start = BASE.index("experiments:")
    end = BASE.index("\n\n", start)
    return BASE[:start] + "experiments:\n  - path: x.json\n" + BASE[end:]


def cases() -> list[Case]:
    found = []
    for label, old, new, field in BREAKS:
        assert old in BASE, old
        text = BASE.replace(old, new, 1)
        for args in (("drill", "validate"), ("drill", "run", "--dry-run"), ("drill", "due")):
            if args[1] == "due" and not field.startswith("schedule"):
                continue
            found.append(
                Case(
                    KLASS,
                    (*args, "plan.yaml"),
                    2,
                    field,
                    files={"plan.yaml": text},
                    out="stdout" if args[1] == "validate" else "stderr+",
                    ident=f"{' '.join(args)}: {label}",
                )
            )
        if field.startswith("schedule"):
            found.append(
                Case(
                    KLASS,
                    ("schedule", "--plan", "plan.yaml"),
                    2,
                    field.split(".")[0],
                    files={"plan.yaml": text},
                    ident=f"schedule --plan: {label}",
                )
            )
    for label, experiment, names in EXPERIMENTS:
        found.append(
            Case(
                KLASS,
                ("drill", "validate", "plan.yaml"),
                2,
                names,
                files={
                    "plan.yaml": _plan_with_experiment(experiment),
                    "x.json": json.dumps(experiment),
                },
                out="stdout",
                ident=f"drill validate: Chaos Toolkit refuses the experiment: {label}",
            )
        )
    return found

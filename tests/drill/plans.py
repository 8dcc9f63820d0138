"""Plan texts and files for the drill tests: a small valid plan and the means to break it."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

#: A small valid plan on the sandbox. Line numbers matter to the tests: keep it stable.
VALID_PLAN = textwrap.dedent(
    """\
    name: small-drill
    description: A small drill for tests.
    target: sandbox
    organisers: [eva.thomas2]
    groups:
      cellule:
        people:
          - id: eva.thomas2
            name: Eva Thomas
            role: staff
            title: dane
            slack: U0211109001
            email: eva.thomas2@ecole.test
            phone: "+33760000262"
          - id: rose.david3
            name: Rose David
            email: rose.david3@ecole.test
      enseignants:
        from_sandbox:
          roles: [teacher]
          schools: [college-jean-moulin]
    announcement:
      post_in: "#continuite"
      message: "{label}: drill {drill} starts now"
    experiments:
      - path: experiments/storm.json
        vars: {storm_multiplier: 10, storm_duration_s: 15}
    channels:
      - name: room
        type: video
        room: secours
        message: Classe de secours
        audience: [enseignants]
        expect: {delivered_share: 1.0, within: 2m}
      - name: staff-slack
        type: slack
        direct: true
        ack_by: [reaction]
        message: "Move to {room_link} within {within}"
        audience: [cellule, enseignants]
        expect: {delivered_share: 0.9, acknowledged_share: 0.7, within: 10m}
        escalation: {after: 5m, to: staff-sms}
      - name: staff-sms
        type: sms
        activate: on_escalation
        ack_by_reply: true
        message: "{label} reply OK"
        audience: [cellule, enseignants]
        expect: {delivered_share: 0.9, acknowledged_share: 0.5, within: 5m}
    manual_steps:
      - name: switch
        instruction: Switch your class to the backup room.
        audience: [enseignants]
        within: 20m
    debrief:
      post_in: "#continuite"
      include: [summary, channels]
    schedule:
      zone: B
      school_days_before: 3
      at: "07:45"
      blackouts:
        - {start: 2026-06-15, end: 2026-06-19, reason: exams}
        - {weekly: [mon, tue], from: "08:00", until: "12:00", reason: class hours}
    recover:
      max_duration: 45m
    """
)

EXPERIMENT = {
    "title": "A storm",
    "description": "test experiment",
    "configuration": {"storm_multiplier": 10, "storm_duration_s": 60},
    "method": [],
}


def write_plan(folder: Path, text: str = VALID_PLAN, *, experiments: bool = True) -> Path:
    """Write ``text`` as ``folder/plan.yaml`` (and the experiment it names); return its path."""
    if experiments:
        (folder / "experiments").mkdir(exist_ok=True)
        (folder / "experiments" / "storm.json").write_text(json.dumps(EXPERIMENT))
    path = folder / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first line containing ``needle``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in the plan")


def replace(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` (which must occur exactly once) replaced by ``new``."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)

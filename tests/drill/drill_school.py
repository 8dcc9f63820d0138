"""A small school and a fast drill plan for the runner's tests.

The sandbox has one school (8 teachers, 7 staff, 4 parents) whose simulated staff answer within
a second; with seed 2021 and a quarter of them silent, some answer on Slack, some only by SMS
(so the escalation finds someone) and some never. The plan exercises every kind of channel, an
escalation, a manual step and the video bridge outage, with deadlines of seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from entdrill.sandbox.config import SandboxConfig
from entdrill.sandbox.slack_api import user_token
from entdrill.sandbox.state import read_state
from entdrill.testing import free_config, running_sandbox

ROOT = Path(__file__).resolve().parents[2]
OUTAGE = ROOT / "experiments" / "video_bridge_outage.json"
STORM = ROOT / "experiments" / "login_storm.json"
ENTDRILL = str(Path(sys.executable).with_name("entdrill"))

#: The organiser, and someone who is not one (both read Slack in this school).
ORGANISER = {"id": "paul.martin", "slack": "UF00E99C5C0"}
OUTSIDER = {"id": "sarah.bertrand", "slack": "U15A13E3997"}


def school_config(**overrides: Any) -> SandboxConfig:
    values: dict[str, Any] = {
        "seed": 2021,
        "schools": 1,
        "pupils_per_school": 4,
        "staff_ack_median_s": 0.3,
        "staff_silent_share": 0.25,
        "login_cost_ms": 2.0,
        **overrides,
    }
    return free_config(**values)


def plan_text(
    *,
    name: str = "fast-drill",
    experiments: str = "outage",
    within: str = "12s",
    escalate_after: str = "3s",
    ack_share: float = 0.5,
    confirm_share: float = 0.2,
    outage_s: int = 2,
    direct: bool = True,
    extra: str = "",
) -> str:
    """A fast plan; ``experiments`` is "outage", "storm", "both" or "none"."""
    chosen = []
    if experiments in ("storm", "both"):
        chosen.append(
            f"  - path: {STORM}\n"
            "    vars: {storm_multiplier: 2, storm_duration_s: 3, normal_login_rate: 2.0, "
            "storm_processes: 1}"
        )
    if experiments in ("outage", "both"):
        chosen.append(
            f"  - path: {OUTAGE}\n    vars: {{bridge_outage_s: {outage_s}, join_timeout_s: 2.0}}"
        )
    listed = "experiments:\n" + "\n".join(chosen) + "\n" if chosen else ""
    return (
        textwrap.dedent(
            f"""\
            name: {name}
            description: A small, fast drill for the runner's tests.
            target: sandbox
            organisers: [{ORGANISER["id"]}]
            groups:
              cellule:
                people:
                  - {{id: paul.martin, name: Paul Martin, role: staff, title: dane,
                     slack: UF00E99C5C0, email: paul.martin@ecole.test, phone: "+33760000015"}}
              staff:
                from_sandbox: {{roles: [teacher, staff]}}
              parents:
                from_sandbox: {{roles: [parent]}}
            announcement:
              post_in: "#continuite"
              message: "{{label}}: the drill {{drill}} starts now. Organisers may post STOP DRILL."
            """
        )
        + listed
        + textwrap.dedent(
            f"""\
            channels:
              - name: backup-room
                type: video
                room: secours
                message: Classe de secours
                audience: [staff]
                expect: {{delivered_share: 1.0, within: {within}}}
              - name: staff-slack
                type: slack
                post_in: "#continuite"
                direct: {"true" if direct else "false"}
                message: "Move your class to {{room_link}} and acknowledge within {{within}}."
                audience: [cellule, staff]
                expect: {{delivered_share: 0.9, acknowledged_share: {ack_share}, within: {within}}}
                escalation: {{after: {escalate_after}, to: staff-sms}}
              - name: staff-sms
                type: sms
                activate: on_escalation
                ack_by_reply: true
                message: "{{label}} {{drill}}: classes move to the backup room. Reply OK."
                audience: [cellule, staff]
                expect: {{delivered_share: 0.9, acknowledged_share: 0.1, within: {within}}}
              - name: parents-email
                type: email
                subject: Classes virtuelles
                message: "Bonjour {{name}}, classes move to {{room_link}}. Status: {{status_page}}"
                audience: [parents]
                expect: {{delivered_share: 0.9, within: {within}}}
              - name: status-page
                type: statuspage
                component: Classes virtuelles
                message: The video bridge is down; classes continue in the backup room.
                expect: {{delivered_share: 1.0, within: {within}}}
            manual_steps:
              - name: switch-classes
                instruction: Switch your class to the backup room, then confirm.
                audience: [staff]
                within: {within}
                confirmed_share: {confirm_share}
            debrief:
              post_in: "#continuite"
              include: [summary, experiments, channels, acknowledgements, findings, record]
              mention: [cellule]
              owners: {{default: paul.martin}}
            recover: {{max_duration: 3m}}
            """
        )
        + extra
    )


def write_plan(directory: Path, **options: Any) -> Path:
    path = directory / f"{options.get('name', 'fast-drill')}.yaml"
    path.write_text(plan_text(**options), encoding="utf-8")
    return path


@contextmanager
def school(home: Path, **overrides: Any) -> Iterator[dict[str, Any]]:
    """The school's sandbox in ``home``/sandbox (where a drill with that ENTDRILL_HOME looks)."""
    with running_sandbox(home / "sandbox", school_config(**overrides)) as status:
        yield status


def admin(status: dict[str, Any], method: str, url: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Bearer {status['admin_token']}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def slack_messages(status: dict[str, Any], channel: str = "") -> list[dict[str, Any]]:
    base = status["slack_api_url"].removesuffix("/api/")
    suffix = f"?channel={channel}" if channel else ""
    answer = admin(status, "GET", f"{base}/_admin/slack/messages{suffix}")
    return list(answer.get("messages", answer) if isinstance(answer, dict) else answer)


def post_as(status: dict[str, Any], slack_id: str, channel: str, text: str) -> None:
    """Post ``text`` in ``channel`` as the person ``slack_id`` (with their own token)."""
    state = read_state(Path(status["directory"]))
    assert state is not None
    token = user_token(state.secrets, slack_id)
    body = json.dumps({"channel": channel, "text": text}).encode()
    request = urllib.request.Request(
        status["slack_api_url"] + "chat.postMessage", data=body, method="POST"
    )
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Content-Type", "application/json; charset=utf-8")
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.load(response)
    assert answer.get("ok"), answer


def start_drill(plan: Path, env: dict[str, str], *extra: str) -> subprocess.Popen[str]:
    """``entdrill drill run --json-events PLAN`` in a process of its own."""
    return subprocess.Popen(
        [ENTDRILL, "drill", "run", "--json-events", "--poll", "0.5", *extra, str(plan)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def environment(home: Path, db_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"ENTDRILL_HOME": str(home), "ENTDRILL_DB_URL": db_url})
    env.pop("ENT_BASE_URL", None)
    return env


def wait_for(predicate: Any, timeout_s: float = 30.0, what: str = "a condition") -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")

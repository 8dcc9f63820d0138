"""Read a drill plan (``drills/*.yaml``): ``load_plan(path) -> Plan``, or every problem at once.

Reading goes: strict YAML (``yaml_safe``), secrets written in the plan (``inline_secrets``), the
JSON Schema (``schema``), then what the schema cannot say (``checks``, ``experiment_refs``). Every
problem is collected, sorted by line and raised together in one ``InvalidPlan``; a plan is built
only from a document with no problem at all, so the runner can trust every field of the model.
The model itself (``Plan``, ``Channel``, ...) lives in ``entdrill.drill_plan`` and is re-exported.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from entdrill import textfile
from entdrill.calendar.spec import parse_schedule
from entdrill.drill import checks, inline_secrets, readiness
from entdrill.drill.duration import parse_duration
from entdrill.drill.message import DRILL_LABEL
from entdrill.drill.schema import schema_problems
from entdrill.drill_plan import (
    DEFAULT_SECRET_ENV,
    Announcement,
    Channel,
    Debrief,
    Escalation,
    Expectation,
    ExperimentRef,
    Group,
    ManualStep,
    Person,
    Plan,
    Readiness,
    Recover,
    SandboxSelector,
    Target,
    default_population,
)
from entdrill.errors import InvalidPlan
from entdrill.problem import Problem, is_within, sorted_unique
from entdrill.yaml_safe import YamlDocument, read_yaml

#: The usual SMTP port of each security mode, when the plan gives none.
SMTP_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
#: a staging target's login journey and probe keys, as the experiments name them
LOGIN_KEYS = (
    "cas_url", "cas_service_url", "login_journey", "login_url", "login_success", "app_path",
    "probe_page", "population_csv",
)  # fmt: skip

__all__ = [
    "DEFAULT_SECRET_ENV",
    "DRILL_LABEL",
    "Announcement",
    "Channel",
    "Debrief",
    "Escalation",
    "Expectation",
    "ExperimentRef",
    "Group",
    "ManualStep",
    "Person",
    "Plan",
    "Readiness",
    "Recover",
    "SandboxSelector",
    "Target",
    "check_plan",
    "default_population",
    "load_plan",
]


def check_plan(text: str, *, file: str, base_dir: Path, check_files: bool = True) -> list[Problem]:
    """Every problem of the plan ``text`` (empty when it is valid), sorted by line."""
    return _check(read_yaml(text), file, base_dir, check_files)


def load_plan(path: Path | str, *, check_files: bool = True) -> Plan:
    """Read and validate the plan at ``path``; ``InvalidPlan`` lists every problem at once.

    ``check_files=False`` tolerates experiment files that do not exist (yet); files that exist
    are still read and checked.
    """
    path = Path(path)
    file = str(path)
    read = textfile.read_file(path, kind="plan", error=InvalidPlan)
    raw = read.data
    doc = read_yaml(read.text)
    problems = _check(doc, file, path.parent, check_files)
    if problems:
        count = len(problems)
        raise InvalidPlan(
            f"{file}: {count} problem{'s' if count > 1 else ''} in the plan",
            problems=[str(p) for p in problems],
        )
    return _build(doc.data, path, hashlib.sha256(raw).hexdigest(), doc)


def _check(doc: YamlDocument, file: str, base_dir: Path, check_files: bool) -> list[Problem]:
    problems = [Problem(file, p.line, p.path, p.message) for p in doc.problems]
    if doc.data is None and problems:
        return sorted_unique(problems)
    problems += inline_secrets.secret_problems(doc, file)
    refused = [p.path for p in problems]
    structural = schema_problems(doc, file, skip=refused)
    flagged = refused + [p.path for p in structural]
    references = checks.reference_problems(doc, file, base_dir=base_dir, check_files=check_files)
    references = [r for r in references if not any(is_within(r.path, f) for f in flagged)]
    return sorted_unique(problems + structural + references)


def _build(data: dict[str, Any], path: Path, digest: str, doc: YamlDocument) -> Plan:
    """The model of a document that passed every check."""
    schedule = data.get("schedule")
    recover = data.get("recover", {})
    debrief = data.get("debrief")
    required = readiness.read(data.get("readiness"))
    return Plan(
        path=path,
        digest=digest,
        name=data["name"],
        description=data.get("description", ""),
        target=_target(data["target"]),
        organisers=tuple(data["organisers"]),
        groups=tuple(_group(name, g) for name, g in data["groups"].items()),
        announcement=Announcement(**data["announcement"]),
        channels=tuple(
            _channel(c, doc.line_of(("channels", i))) for i, c in enumerate(data["channels"])
        ),
        experiments=tuple(
            ExperimentRef(
                path.parent / e["path"],
                e["path"],
                readiness.experiment_vars(path.parent / e["path"], e.get("vars", {}), required),
                _detected_within(e),
            )
            for e in data.get("experiments", [])
        ),
        manual_steps=tuple(
            ManualStep(
                name=s["name"],
                instruction=s["instruction"],
                audience=tuple(s["audience"]),
                within_s=parse_duration(s["within"]),
                confirmed_share=float(s.get("confirmed_share", 1.0)),
            )
            for s in data.get("manual_steps", [])
        ),
        debrief=None
        if debrief is None
        else Debrief(
            post_in=debrief["post_in"],
            include=tuple(debrief.get("include", Debrief.include)),
            mention=tuple(debrief.get("mention", ())),
            owners=tuple(sorted(debrief.get("owners", {}).items())),
        ),
        schedule=None if schedule is None else parse_schedule(schedule),
        recover=Recover(
            max_duration_s=parse_duration(recover["max_duration"])
            if "max_duration" in recover
            else None,
            close_incident=recover.get("close_incident", True),
            end_room=recover.get("end_room", True),
        ),
        readiness=required,
        document=data,
    )


def _target(value: str | dict[str, Any]) -> Target:
    if isinstance(value, str):
        return Target(kind="sandbox")
    smtp = value.get("smtp", {})
    return Target(
        kind="staging",
        ent_url=value["ent_url"],
        login=tuple((key, str(value[key])) for key in LOGIN_KEYS if key in value),
        bridge_url=value.get("bridge_url", ""),
        backup_bridge_url=value.get("backup_bridge_url", ""),
        slack_api_url=value.get("slack_api_url", ""),
        sms_api_url=value.get("sms_api_url", ""),
        status_page_url=value.get("status_page_url", ""),
        matrix_url=value.get("matrix_url", ""),
        smtp_host=smtp.get("host", ""),
        smtp_port=smtp.get("port", SMTP_PORTS[smtp.get("security", "starttls")]),
        smtp_security=smtp.get("security", "starttls"),
        smtp_sender=smtp.get("sender", ""),
        secrets_from_env=tuple(sorted(value.get("secrets_from_env", {}).items())),
    )


def _group(name: str, value: dict[str, Any]) -> Group:
    selector = value.get("from_sandbox")
    return Group(
        name=name,
        description=value.get("description", ""),
        people=tuple(Person(**p) for p in value.get("people", [])),
        from_sandbox=None
        if selector is None
        else SandboxSelector(
            roles=tuple(selector["roles"]),
            schools=tuple(selector.get("schools", ())),
            titles=tuple(selector.get("titles", ())),
        ),
    )


def _channel(value: dict[str, Any], line: int) -> Channel:
    expect = value["expect"]
    escalation = value.get("escalation")
    settings = {k: value[k] for k in checks.CHANNEL_SETTINGS if k in value}
    if "ack_by" in settings:
        settings["ack_by"] = tuple(settings["ack_by"])
    elif value["type"] in ("slack", "matrix"):
        settings["ack_by"] = ("reaction", "reply")
    return Channel(
        name=value["name"],
        type=value["type"],
        message=value["message"],
        audience=tuple(value.get("audience", ())),
        expect=Expectation(
            within_s=parse_duration(expect["within"]),
            delivered_share=expect.get("delivered_share"),
            acknowledged_share=expect.get("acknowledged_share"),
        ),
        escalation=None
        if escalation is None
        else Escalation(
            after_s=parse_duration(escalation["after"]),
            to=escalation["to"],
            audience=escalation.get("audience", "not_acknowledged"),
        ),
        activate=value.get("activate", "at_start"),
        line=line,
        **settings,
    )


def _detected_within(experiment: dict[str, Any]) -> float | None:
    expect = experiment.get("expect")
    if not isinstance(expect, dict) or "detected_within" not in expect:
        return None
    return parse_duration(expect["detected_within"])

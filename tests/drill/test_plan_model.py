"""The typed plan: what a valid plan loads into, and the helpers the runner relies on."""

from __future__ import annotations

import hashlib
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from entdrill.calendar import ScheduleSpec, in_blackout
from entdrill.drill.message import DRILL_LABEL, render
from entdrill.drill.plan import (
    Escalation,
    Expectation,
    Person,
    Plan,
    default_population,
    load_plan,
)
from entdrill.errors import InvalidPlan
from entdrill.population import generate
from entdrill.sandbox.config import SandboxConfig
from tests.drill.plans import VALID_PLAN, line_of, replace, write_plan


@pytest.fixture
def plan(tmp_path: Path) -> Plan:
    return load_plan(write_plan(tmp_path))


def test_valid_plan_loads_into_typed_frozen_model(plan: Plan, tmp_path: Path) -> None:
    assert plan.name == "small-drill"
    assert plan.target.is_sandbox
    assert [g.name for g in plan.groups] == ["cellule", "enseignants"]
    assert plan.announcement.post_in == "#continuite"
    staff = plan.channel("staff-slack")
    assert staff.type == "slack" and staff.direct and staff.ack_by == ("reaction",)
    assert staff.expect == Expectation(within_s=600.0, delivered_share=0.9, acknowledged_share=0.7)
    assert staff.escalation == Escalation(after_s=300.0, to="staff-sms")
    assert staff.line == line_of(VALID_PLAN, "- name: staff-slack")
    assert plan.channel("staff-sms").activate == "on_escalation"
    assert plan.channel("room").bridge == "backup"
    [experiment] = plan.experiments
    assert experiment.path == tmp_path / "experiments" / "storm.json"
    assert experiment.vars == {"storm_multiplier": 10, "storm_duration_s": 15}
    [step] = plan.manual_steps
    assert (step.within_s, step.confirmed_share) == (1200.0, 1.0)
    assert plan.recover.max_duration_s == 2700.0
    with pytest.raises(AttributeError):
        plan.name = "other"  # type: ignore[misc]


def test_schedule_is_parsed_by_the_calendar_with_its_blackouts(plan: Plan) -> None:
    schedule = plan.schedule
    assert isinstance(schedule, ScheduleSpec)
    assert (schedule.zone, schedule.school_days_before, schedule.at) == ("B", 3, time(7, 45))
    assert schedule.timezone == "Europe/Paris"
    paris = ZoneInfo("Europe/Paris")
    exams, hours = schedule.blackouts
    assert exams.reason == "exams"
    assert exams.covers(datetime(2026, 6, 19, 23, 0, tzinfo=paris))
    assert not exams.covers(datetime(2026, 6, 20, 0, 1, tzinfo=paris))
    assert hours.covers(datetime(2026, 3, 2, 9, 0, tzinfo=paris))  # a Monday
    assert not hours.covers(datetime(2026, 3, 2, 7, 45, tzinfo=paris))
    assert not hours.covers(datetime(2026, 3, 4, 9, 0, tzinfo=paris))  # a Wednesday
    assert in_blackout(schedule.blackouts, datetime(2026, 6, 16, 7, 45, tzinfo=paris)) is exams


def test_audience_is_the_channel_allow_list_with_sandbox_people_resolved(plan: Plan) -> None:
    teachers = [
        p for p in default_population() if p.role == "teacher" and p.school == "college-jean-moulin"
    ]
    audience = plan.audience("staff-slack")
    assert [p.id for p in audience] == ["eva.thomas2", "rose.david3"] + [
        t.username for t in teachers
    ]
    first = audience[2]
    assert first == Person.from_sandbox(teachers[0])
    assert first.slack and first.email and first.phone
    assert plan.audience(plan.channel("room")) == audience[2:]


def test_audience_uses_the_population_given_by_the_runner(plan: Plan) -> None:
    other = generate(SandboxConfig(seed=7, pupils_per_school=1))
    audience = plan.audience("room", other)
    expected = [
        p.username for p in other if p.role == "teacher" and p.school == "college-jean-moulin"
    ]
    assert [p.id for p in audience] == expected


def test_people_in_several_groups_of_an_audience_appear_once(plan: Plan) -> None:
    members = plan.members(["cellule", "enseignants", "cellule"])
    assert len(members) == len({p.id for p in members})


def test_organisers_and_their_slack_ids(plan: Plan) -> None:
    assert plan.organiser_ids == frozenset({"eva.thomas2"})
    assert plan.organiser_slack_ids == frozenset({"U0211109001"})


def test_digest_is_the_sha256_of_the_file(plan: Plan, tmp_path: Path) -> None:
    assert plan.digest == hashlib.sha256((tmp_path / "plan.yaml").read_bytes()).hexdigest()


def test_rendered_messages_always_start_with_the_drill_label(plan: Plan) -> None:
    text = render(
        plan.channel("staff-slack").message,
        {"room_link": "http://127.0.0.1:8901/r", "within": "10m"},
    )
    assert text == f"[{DRILL_LABEL}] Move to http://127.0.0.1:8901/r within 10m"
    assert render("{label} {unknown}", {}) == f"[{DRILL_LABEL}] {DRILL_LABEL}"


def test_invalid_plan_raises_with_every_problem_as_a_located_line(tmp_path: Path) -> None:
    text = replace(VALID_PLAN, "zone: B", "zone: no")
    text = replace(text, "name: small-drill", "name: Small")
    path = write_plan(tmp_path, text)
    with pytest.raises(InvalidPlan) as caught:
        load_plan(path)
    assert caught.value.exit_code == 2
    assert caught.value.problems == [
        f'{path}:1: name: "Small" is not a short name of lowercase letters, digits, - and _ (such as "staff-email")',
        f"{path}:{line_of(text, 'zone: no')}: schedule.zone: no without quotes is read as the boolean false "
        'by YAML 1.1: write "no" in quotes if you mean the text, or false for a boolean',
    ]


def test_unreadable_plan_file_is_one_clear_problem(tmp_path: Path) -> None:
    with pytest.raises(InvalidPlan, match="cannot read the plan"):
        load_plan(tmp_path / "missing.yaml")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"name: \xff\xfe")
    with pytest.raises(InvalidPlan, match="not UTF-8"):
        load_plan(binary)


def test_a_staging_target_says_where_each_secret_comes_from(tmp_path: Path) -> None:
    staging = (
        "target:\n  ent_url: https://ent-staging.example.fr\n"
        "  smtp: {host: smtp.example.fr, security: ssl}\n"
        "  secrets_from_env: {slack_token: ACADEMIE_SLACK_TOKEN}\n"
    )
    text = replace(VALID_PLAN, "target: sandbox\n", staging)
    text = replace(
        text,
        "    from_sandbox:\n      roles: [teacher]\n      schools: [college-jean-moulin]\n",
        "    people:\n      - {id: t1, name: Teacher One, email: t1@example.fr}\n",
    )
    target = load_plan(write_plan(tmp_path, text)).target
    assert not target.is_sandbox
    assert (target.ent_url, target.smtp_host, target.smtp_port) == (
        "https://ent-staging.example.fr",
        "smtp.example.fr",
        465,
    )
    assert target.secret_env("slack_token") == "ACADEMIE_SLACK_TOKEN"
    assert target.secret_env("smtp_password") == "SMTP_PASSWORD"

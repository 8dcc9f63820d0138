"""What the schema cannot say: references, uniqueness, secrets, deadlines and experiment files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from entdrill.drill.plan import check_plan
from entdrill.problem import Problem
from tests.drill.plans import VALID_PLAN, line_of, replace, write_plan

SLACK_TOKEN = "xoxb-123456789012-abcdefABCDEF"


def problems_of(text: str, base_dir: Path = Path("."), check_files: bool = False) -> list[Problem]:
    return check_plan(text, file="plan.yaml", base_dir=base_dir, check_files=check_files)


def only(text: str) -> Problem:
    problems = problems_of(text)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_audience_naming_an_unknown_group_is_refused_with_a_suggestion() -> None:
    text = replace(
        VALID_PLAN,
        "audience: [cellule, enseignants]\n    expect: {delivered_share: 0.9, acknowledged_share: 0.7",
        "audience: [celule, enseignants]\n    expect: {delivered_share: 0.9, acknowledged_share: 0.7",
    )
    problem = only(text)
    assert (problem.line, problem.field) == (line_of(text, "[celule,"), "channels[1].audience[0]")
    assert problem.message == (
        '"celule" is not a declared group (did you mean "cellule"?); declared: cellule, enseignants'
    )


def test_a_manual_step_and_the_debrief_refer_to_declared_groups() -> None:
    text = replace(
        VALID_PLAN,
        "    audience: [enseignants]\n    within: 20m",
        "    audience: [profs]\n    within: 20m",
    )
    text = replace(
        text,
        "  include: [summary, channels]\n",
        "  include: [summary, channels]\n  mention: [nobody]\n",
    )
    assert [p.field for p in problems_of(text)] == [
        "manual_steps[0].audience[0]",
        "debrief.mention[0]",
    ]


def test_a_person_id_declared_twice_is_refused_naming_the_first() -> None:
    text = replace(VALID_PLAN, "      - id: rose.david3", "      - id: eva.thomas2")
    problem = only(text)
    assert problem.field == "groups.cellule.people[1].id"
    assert problem.line == line_of(VALID_PLAN, "- id: rose.david3")
    first = line_of(VALID_PLAN, "- id: eva.thomas2")
    assert f"already declared in groups.cellule.people[0] (line {first})" in problem.message


def test_organisers_must_be_declared_people_with_a_slack_id() -> None:
    text = replace(
        VALID_PLAN, "organisers: [eva.thomas2]", "organisers: [eva.thomas2, rose.david3, mallory]"
    )
    problems = problems_of(text)
    assert [(p.line, p.field) for p in problems] == [(4, "organisers[1]"), (4, "organisers[2]")]
    assert "has no slack id, so could not post STOP DRILL" in problems[0].message
    assert '"mallory" is not a declared person' in problems[1].message


def test_escalation_must_name_another_declared_channel() -> None:
    unknown = replace(VALID_PLAN, "to: staff-sms}", "to: staff-fax}")
    problems = problems_of(unknown)
    # staff-sms is then escalated to by nobody: that is a second, true problem
    assert [p.field for p in problems] == ["channels[1].escalation.to", "channels[2].activate"]
    assert problems[0].message.startswith('"staff-fax" is not a declared channel')
    itself = replace(VALID_PLAN, "to: staff-sms}", "to: staff-slack}")
    assert "escalates to the channel itself" in problems_of(itself)[0].message


def test_escalations_must_not_loop() -> None:
    text = replace(
        VALID_PLAN,
        "    activate: on_escalation\n",
        "    escalation: {after: 1m, to: staff-slack}\n",
    )
    messages = [p.message for p in problems_of(text)]
    assert any("leads back to" in m for m in messages)


def test_escalation_target_must_be_allowed_to_reach_the_people_escalated() -> None:
    text = replace(
        VALID_PLAN,
        "    audience: [cellule, enseignants]\n    expect: {delivered_share: 0.9, acknowledged_share: 0.5",
        "    audience: [cellule]\n    expect: {delivered_share: 0.9, acknowledged_share: 0.5",
    )
    problem = only(text)
    assert problem.field == "channels[1].escalation.to"
    assert "may not reach group(s) enseignants" in problem.message


def test_a_channel_activated_only_on_escalation_must_be_escalated_to() -> None:
    text = replace(VALID_PLAN, "    escalation: {after: 5m, to: staff-sms}\n", "")
    assert only(text).field == "channels[2].activate"


def test_deadlines_must_be_longer_than_zero() -> None:
    text = replace(VALID_PLAN, "within: 2m}", "within: 0s}")
    text = replace(text, "after: 5m", "after: 0m")
    text = replace(text, "max_duration: 45m", "max_duration: 0h")
    problems = problems_of(text)
    assert [p.field for p in problems] == [
        "channels[0].expect.within",
        "channels[1].escalation.after",
        "recover.max_duration",
    ]
    assert all("longer than zero" in p.message for p in problems)


def test_acknowledged_share_cannot_exceed_delivered_share() -> None:
    text = replace(VALID_PLAN, "acknowledged_share: 0.7", "acknowledged_share: 0.95")
    assert "more than the delivered_share 0.9" in only(text).message


def test_settings_of_another_channel_type_are_refused() -> None:
    text = replace(
        VALID_PLAN, "    ack_by_reply: true\n", "    ack_by_reply: true\n    subject: Hello\n"
    )
    problem = only(text)
    assert (problem.field, problem.message) == (
        "channels[2].subject",
        "applies to email channels only; this channel is sms",
    )


def test_sms_acknowledgements_need_ack_by_reply() -> None:
    text = replace(VALID_PLAN, "    ack_by_reply: true\n", "")
    assert (
        only(text).message == "an sms channel counts acknowledgements only with ack_by_reply: true"
    )


def test_message_templates_use_known_placeholders_only() -> None:
    text = replace(VALID_PLAN, '"{label} reply OK"', '"{label} reply OK to {phone} {"')
    problem = only(text)
    assert problem.field == "channels[2].message"
    assert "unmatched { or }" in problem.message
    text = replace(VALID_PLAN, '"{label} reply OK"', '"{label} reply OK to {phone}"')
    assert "{phone} is not a known placeholder" in only(text).message


def test_room_link_needs_a_video_channel() -> None:
    text = replace(VALID_PLAN, "type: video", "type: manual")
    messages = [p.message for p in problems_of(text)]
    assert "{room_link} needs a video channel in the plan, and there is none" in messages


def test_blackouts_end_after_they_start_and_name_real_days() -> None:
    text = replace(VALID_PLAN, "end: 2026-06-19", "end: 2026-06-01")
    assert only(text).field == "schedule.blackouts[0].end"
    text = replace(VALID_PLAN, "start: 2026-06-15", "start: 2026-02-30")
    assert only(text).message == "expected a date YYYY-MM-DD, got '2026-02-30'"
    text = replace(VALID_PLAN, 'until: "12:00"', 'until: "07:00"')
    assert only(text).field == "schedule.blackouts[1].until"


def test_schedule_time_zone_must_exist() -> None:
    text = replace(VALID_PLAN, '  at: "07:45"\n', '  at: "07:45"\n  timezone: Europe/Atlantis\n')
    problem = only(text)
    assert problem.field == "schedule.timezone"
    assert (
        problem.message == "expected an IANA time zone such as Europe/Paris, got 'Europe/Atlantis'"
    )


def test_from_sandbox_needs_the_sandbox_target() -> None:
    text = replace(VALID_PLAN, "target: sandbox", "target: {ent_url: https://ent.example.fr}")
    assert only(text).field == "groups.enseignants.from_sandbox"


@pytest.mark.parametrize(
    ("snippet", "field"),
    [
        (f"description: {SLACK_TOKEN}", "description"),
        ("description: see https://admin:hunter2hunter@ent.example.fr/", "description"),
        (
            f'announcement:\n  post_in: "#continuite"\n  message: "token {SLACK_TOKEN}"',
            "announcement.message",
        ),
    ],
)
def test_inline_secret_looking_values_are_refused_without_being_shown(
    snippet: str, field: str
) -> None:
    key = snippet.split(":")[0]
    start = VALID_PLAN.index(f"{key}:")
    end = VALID_PLAN.index("\n", start)
    if key == "announcement":
        end = VALID_PLAN.index("experiments:") - 1
    text = VALID_PLAN[:start] + snippet + VALID_PLAN[end:]
    problem = only(text)
    assert problem.field == field
    assert "secrets never go in a plan" in problem.message
    assert "hunter2" not in str(problem) and SLACK_TOKEN not in str(problem)


def test_staging_secrets_are_environment_variable_names_never_values() -> None:
    target = (
        "target:\n  ent_url: https://ent.example.fr\n"
        f"  secrets_from_env: {{slack_token: {SLACK_TOKEN}, smtp_password: s3cr3t-value-here}}\n"
        "  smtp: {host: smtp.example.fr, password: hunter2hunter}\n"
    )
    text = replace(VALID_PLAN, "target: sandbox\n", target)
    text = replace(
        text,
        "    from_sandbox:\n      roles: [teacher]\n      schools: [college-jean-moulin]\n",
        "    people:\n      - {id: t1, name: Teacher One, email: t1@example.fr}\n",
    )
    problems = problems_of(text)
    assert [p.field for p in problems] == [
        "target.secrets_from_env.slack_token",
        "target.secrets_from_env.smtp_password",
        "target.smtp.password",
    ]
    assert "looks like a Slack token" in problems[0].message
    assert "must be the name of an environment variable" in problems[1].message
    assert "holds a secret written in the plan" in problems[2].message
    assert not any(s in str(p) for p in problems for s in (SLACK_TOKEN, "s3cr3t", "hunter2"))


def test_missing_experiment_file_is_refused_unless_files_are_not_checked(tmp_path: Path) -> None:
    path = write_plan(tmp_path, experiments=False)
    problems = problems_of(VALID_PLAN, base_dir=tmp_path, check_files=True)
    assert [(p.line, p.field) for p in problems] == [
        (line_of(VALID_PLAN, "- path: experiments/storm.json"), "experiments[0].path")
    ]
    assert "does not exist" in problems[0].message and "--no-check-files" in problems[0].message
    assert problems_of(VALID_PLAN, base_dir=path.parent, check_files=False) == []


def test_an_experiment_that_exists_is_checked_even_when_files_are_not(tmp_path: Path) -> None:
    write_plan(tmp_path)
    (tmp_path / "experiments" / "storm.json").write_text("{not json")
    [problem] = problems_of(VALID_PLAN, base_dir=tmp_path, check_files=False)
    assert problem.field == "experiments[0].path"
    assert "is not a JSON experiment" in problem.message


def test_vars_must_be_configuration_keys_of_the_experiment(tmp_path: Path) -> None:
    write_plan(tmp_path)
    experiment = {
        "title": "t",
        "description": "d",
        "configuration": {"storm_multiplier": 10},
        "method": [],
    }
    (tmp_path / "experiments" / "storm.json").write_text(json.dumps(experiment))
    [problem] = problems_of(VALID_PLAN, base_dir=tmp_path, check_files=True)
    assert problem.field == "experiments[0].vars.storm_duration_s"
    assert "would be ignored; known: storm_multiplier" in problem.message


def test_a_valid_plan_with_its_experiment_has_no_problem(tmp_path: Path) -> None:
    write_plan(tmp_path)
    assert problems_of(VALID_PLAN, base_dir=tmp_path, check_files=True) == []

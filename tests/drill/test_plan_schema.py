"""Schema validation: every error at once, each with its line, field path and a sentence."""

from __future__ import annotations

from pathlib import Path

from jsonschema import Draft202012Validator

from entdrill.drill.checks import CHANNEL_SETTINGS, CHANNEL_TYPES
from entdrill.drill.plan import check_plan
from entdrill.drill.schema import plan_schema
from entdrill.problem import Problem
from tests.drill.plans import VALID_PLAN, line_of, replace


def problems_of(text: str) -> list[Problem]:
    return check_plan(text, file="plan.yaml", base_dir=Path("."), check_files=False)


def located(text: str) -> list[tuple[int, str]]:
    return [(p.line, p.field) for p in problems_of(text)]


def test_schema_is_a_valid_draft_2020_12_schema_shipped_in_the_package() -> None:
    schema = plan_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_every_channel_setting_and_type_the_checks_know_is_in_the_schema() -> None:
    channel = plan_schema()["$defs"]["channel"]["properties"]
    assert set(CHANNEL_SETTINGS) <= set(channel)
    assert tuple(channel["type"]["enum"]) == CHANNEL_TYPES


def test_the_valid_plan_has_no_problem() -> None:
    assert problems_of(VALID_PLAN) == []


def test_several_problems_are_all_reported_sorted_by_line_with_field_paths() -> None:
    text = VALID_PLAN
    text = replace(text, "name: small-drill", "name: Small Drill")
    text = replace(text, '  message: "{label}: drill', '  mesage: "{label}: drill')
    text = replace(text, "type: video", "type: pigeon")
    text = replace(text, "acknowledged_share: 0.7", "acknowledged_share: 7")
    text = replace(text, "within: 5m}", "within: soon}")
    text = replace(text, "zone: B", "zone: Z")
    problems = problems_of(text)
    assert [(p.line, p.field) for p in problems] == [
        (1, "name"),
        (line_of(text, "announcement:"), "announcement.message"),
        (line_of(text, "mesage:"), "announcement.mesage"),
        (line_of(text, "type: pigeon"), "channels[0].type"),
        (line_of(text, "acknowledged_share: 7"), "channels[1].expect.acknowledged_share"),
        (line_of(text, "within: soon"), "channels[2].expect.within"),
        (line_of(text, "zone: Z"), "schedule.zone"),
    ]
    by_field = {p.field: p.message for p in problems}
    assert by_field["name"].startswith('"Small Drill" is not a short name of lowercase letters')
    assert by_field["announcement.message"] == "is missing; it is required here"
    assert 'did you mean "message"' in by_field["announcement.mesage"]
    assert "one of slack, email, sms, video, statuspage, manual" in by_field["channels[0].type"]
    assert (
        "too large; expected a share from 0 to 1"
        in by_field["channels[1].expect.acknowledged_share"]
    )
    assert 'a duration such as "90s", "10m"' in by_field["channels[2].expect.within"]
    zone_line = line_of(text, "zone: Z")
    assert str(problems[-1]) == (
        f'plan.yaml:{zone_line}: schedule.zone: "Z" is not allowed here; expected one of A, B, C, Corse'
    )


def test_unquoted_version_like_text_is_refused_with_a_sentence_to_quote_it() -> None:
    text = replace(VALID_PLAN, "room: secours", "room: 1.10")
    [problem] = problems_of(text)
    assert (problem.line, problem.field) == (line_of(text, "room: 1.10"), "channels[0].room")
    assert problem.message.startswith("1.10 without quotes is read as the number 1.1")
    assert 'write "1.10" in quotes' in problem.message


def test_unquoted_phone_number_is_refused_with_a_sentence_to_quote_it() -> None:
    text = replace(VALID_PLAN, 'phone: "+33760000262"', "phone: +33760000262")
    [problem] = problems_of(text)
    assert problem.field == "groups.cellule.people[0].phone"
    assert 'write "+33760000262" in quotes' in problem.message


def test_unquoted_slack_channel_is_explained_as_a_comment() -> None:
    text = replace(
        VALID_PLAN, '  post_in: "#continuite"\n  message', "  post_in: #continuite\n  message"
    )
    [problem] = problems_of(text)
    assert problem.field == "announcement.post_in"
    assert "an unquoted # starts a comment" in problem.message


def test_a_number_where_a_duration_is_expected_does_not_advise_quoting_it() -> None:
    text = replace(VALID_PLAN, "within: 20m", "within: 20")
    [problem] = problems_of(text)
    assert problem.field == "manual_steps[0].within"
    assert problem.message == (
        'expected a duration such as "90s", "10m" or "1h30m", got the number 20'
    )


def test_a_key_meant_to_remove_the_drill_label_is_refused() -> None:
    text = replace(VALID_PLAN, "    room: secours\n", "    room: secours\n    label: false\n")
    [problem] = problems_of(text)
    assert problem.field == "channels[0].label"
    assert "cannot be changed or removed" in problem.message


def test_unknown_top_level_key_lists_the_known_ones() -> None:
    [problem] = problems_of(VALID_PLAN + "version: 2\n")
    assert problem.field == "version"
    assert "expected one of: announcement, channels," in problem.message


def test_a_staging_target_needs_an_address_and_takes_environment_variable_names() -> None:
    staging = (
        "target:\n  ent_url: https://ent-staging.example.fr\n"
        "  secrets_from_env: {slack_token: MY_SLACK_TOKEN, smtp_password: MY_SMTP_PASSWORD}\n"
    )
    text = replace(VALID_PLAN, "target: sandbox\n", staging)
    text = replace(
        text,
        "    from_sandbox:\n      roles: [teacher]\n      schools: [college-jean-moulin]\n",
        "    people:\n      - {id: t1, name: Teacher One, email: t1@example.fr}\n",
    )
    assert problems_of(text) == []
    missing = replace(
        text,
        "  ent_url: https://ent-staging.example.fr\n",
        "  bridge_url: https://visio.example.fr\n",
    )
    assert [(p.field, p.message) for p in problems_of(missing)] == [
        ("target.ent_url", "is missing; it is required here")
    ]
    named = replace(VALID_PLAN, "target: sandbox", "target: staging")
    assert 'expected "sandbox" or a staging ENT' in problems_of(named)[0].message

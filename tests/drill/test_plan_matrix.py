"""Matrix in a drill plan: the channel type, people's Matrix ids, the announcement's Matrix room,
a staging target's homeserver and token; bad input refused with one sentence and its line."""

from __future__ import annotations

from pathlib import Path

from entdrill.channels.context import ChannelContext
from entdrill.drill.plan import check_plan, load_plan
from entdrill.drill_plan import Channel, Expectation, Target
from entdrill.problem import Problem
from tests.drill.plans import VALID_PLAN, line_of, replace, write_plan

MATRIX_CHANNEL = """\
  - name: crisis-tchap
    type: matrix
    room: "#crise:ecole.test"
    direct: true
    message: "{label}: the drill {drill} is on; acknowledge within {within}"
    audience: [cellule]
    expect: {delivered_share: 1.0, acknowledged_share: 0.5, within: 10m}
manual_steps:"""

WITH_MATRIX = replace(
    replace(VALID_PLAN, "manual_steps:", MATRIX_CHANNEL),
    '        phone: "+33760000262"\n',
    '        phone: "+33760000262"\n        matrix: "@eva.thomas2:ecole.test"\n',
)


def problems_of(text: str) -> list[Problem]:
    return check_plan(text, file="plan.yaml", base_dir=Path("."), check_files=False)


def only(text: str) -> Problem:
    problems = problems_of(text)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_a_matrix_channel_and_matrix_ids_load_into_the_model(tmp_path: Path) -> None:
    text = replace(
        WITH_MATRIX,
        '  message: "{label}: drill {drill} starts now"\n',
        '  message: "{label}: drill {drill} starts now"\n  matrix_room: "#continuite:ecole.test"\n',
    )
    plan = load_plan(write_plan(tmp_path, text))
    channel = plan.channel("crisis-tchap")
    assert (channel.type, channel.room, channel.direct, channel.homeserver) == (
        "matrix",
        "#crise:ecole.test",
        True,
        "",
    )
    assert channel.ack_by == ("reaction", "reply")  # the default, as on Slack
    eva = plan.group("cellule").people[0]
    assert eva.matrix == "@eva.thomas2:ecole.test"
    assert plan.announcement.matrix_room == "#continuite:ecole.test"
    assert plan.organiser_matrix_ids == frozenset({"@eva.thomas2:ecole.test"})


def test_a_matrix_id_that_is_not_local_at_server_is_one_sentence_with_its_line() -> None:
    text = replace(WITH_MATRIX, '"@eva.thomas2:ecole.test"', '"eva.thomas2@ecole.test"')
    problem = only(text)
    assert problem.field == "groups.cellule.people[0].matrix"
    assert problem.line == line_of(text, "matrix: ")
    assert "Matrix id @local:server" in problem.message
    assert '"@eva.thomas:ecole.test"' in problem.message
    assert "\n" not in str(problem)


def test_a_matrix_room_must_be_an_alias_or_a_room_id() -> None:
    text = replace(WITH_MATRIX, 'room: "#crise:ecole.test"', "room: crise")
    problem = only(text)
    assert (problem.field, problem.line) == ("channels[3].room", line_of(text, "room: crise"))
    assert problem.message == (
        '"crise" is not a Matrix room: expected an alias such as "#continuite:ecole.test" '
        'or a room id such as "!AbCdEf:ecole.test", in quotes'
    )


def test_a_matrix_channel_posts_in_a_room_or_directly() -> None:
    text = replace(WITH_MATRIX, '    room: "#crise:ecole.test"\n    direct: true\n', "")
    problem = only(text)
    assert problem.field == "channels[3]"
    assert problem.message.startswith("a matrix channel needs room")


def test_matrix_settings_belong_to_matrix_channels() -> None:
    text = replace(
        WITH_MATRIX,
        "    ack_by: [reaction]\n",
        "    ack_by: [reaction]\n    homeserver: https://x.fr\n",
    )
    problem = only(text)
    assert problem.field == "channels[1].homeserver"
    assert problem.message == "applies to matrix channels only; this channel is slack"


def test_on_a_staging_target_a_matrix_channel_needs_a_homeserver() -> None:
    staging = "target:\n  ent_url: https://ent-staging.example.fr\n"
    text = replace(WITH_MATRIX, "target: sandbox\n", staging)
    text = replace(
        text,
        "  enseignants:\n    from_sandbox:\n      roles: [teacher]\n"
        "      schools: [college-jean-moulin]\n",
        "  enseignants:\n    people:\n"
        "      - {id: paul.petit, name: Paul Petit, email: paul.petit@ecole.test}\n",
    )
    problem = only(text)
    assert problem.field == "channels[3]"
    assert problem.message == (
        "a matrix channel on a staging target needs its homeserver "
        "(homeserver: https://..., or matrix_url in the target)"
    )
    with_url = replace(text, staging, staging + "  matrix_url: https://matrix.agent.example.fr\n")
    assert problems_of(with_url) == []


def test_an_organiser_on_matrix_only_needs_the_announcements_matrix_room() -> None:
    text = replace(WITH_MATRIX, "        slack: U0211109001\n", "")
    problem = only(text)
    assert problem.field == "organisers[0]"
    assert problem.message == (
        '"eva.thomas2" has no slack id, so could not post STOP DRILL: add one'
    )
    in_room = replace(
        text,
        '  message: "{label}: drill {drill} starts now"\n',
        '  message: "{label}: drill {drill} starts now"\n  matrix_room: "#continuite:ecole.test"\n',
    )
    assert problems_of(in_room) == []


def test_the_matrix_token_is_read_from_the_environment_and_redacted() -> None:
    target = Target(
        kind="staging",
        ent_url="https://ent.example.fr",
        matrix_url="https://matrix.example.fr",
        secrets_from_env=(("matrix_token", "TCHAP_BOT_TOKEN"),),
    )
    context = ChannelContext.from_environment(
        target, "drill-1", {"TCHAP_BOT_TOKEN": "syt_secret_value_42"}
    )
    assert (context.matrix_url, context.matrix_token) == (
        "https://matrix.example.fr",
        "syt_secret_value_42",
    )
    assert "syt_secret_value_42" not in repr(context)
    from entdrill import redact

    assert redact.redact("token syt_secret_value_42") == "token ***"
    assert Target(kind="staging").secret_env("matrix_token") == "MATRIX_TOKEN"


def test_a_context_without_a_homeserver_says_what_the_matrix_channel_lacks() -> None:
    channel = Channel(
        name="crisis-tchap",
        type="matrix",
        message="m",
        audience=("cellule",),
        expect=Expectation(within_s=60, delivered_share=1.0),
        direct=True,
    )
    off = ChannelContext(
        drill_id="d", matrix_problem="the sandbox runs without Matrix (matrix: false)"
    )
    assert off.missing(channel) == [
        "channel 'crisis-tchap' (matrix) needs the Matrix homeserver (homeserver, or the "
        "target's matrix_url), which is not configured: the sandbox runs without Matrix "
        "(matrix: false)",
    ]
    no_token = ChannelContext(drill_id="d", matrix_url="https://matrix.example.fr")
    assert no_token.missing(channel) == [
        "channel 'crisis-tchap' (matrix) needs the Matrix access token (MATRIX_TOKEN), which is "
        "not configured"
    ]
    ready = ChannelContext(drill_id="d", matrix_url="http://127.0.0.1:1", matrix_token="t" * 10)
    assert ready.missing(channel) == []


def test_the_pre_holiday_plan_reaches_the_crisis_cell_on_tchap() -> None:
    plan = load_plan(Path(__file__).resolve().parents[2] / "drills" / "pre_holiday.yaml")
    tchap = [c for c in plan.channels if c.type == "matrix"]
    assert len(tchap) == 1 and tchap[0].audience == ("cellule",)
    assert tchap[0].direct and tchap[0].ack_by == ("reaction", "reply")
    cell = plan.members(["cellule"])
    assert all(p.matrix == f"@{p.id}:ecole.test" for p in cell)

"""The plans shipped under drills/: each validates, and pre_holiday is the drill the issue asks for."""

from __future__ import annotations

from pathlib import Path

import pytest

from entdrill.drill.plan import Plan, default_population, load_plan

DRILLS = Path(__file__).resolve().parents[2] / "drills"
PLANS = sorted(DRILLS.glob("*.yaml"))


def test_there_are_plans_to_check() -> None:
    assert DRILLS / "pre_holiday.yaml" in PLANS


@pytest.mark.parametrize("path", PLANS, ids=[p.name for p in PLANS])
def test_every_shipped_plan_validates(path: Path) -> None:
    """Strictly: every experiment file the plan names exists and is checked."""
    assert load_plan(path) == load_plan(path, check_files=False)


def experiments_named_by_plans() -> list[Path]:
    named = {e.path.resolve() for p in PLANS for e in load_plan(p, check_files=False).experiments}
    return sorted(named)


@pytest.mark.parametrize("experiment", experiments_named_by_plans(), ids=lambda p: p.name)
def test_every_experiment_a_plan_names_is_a_valid_chaos_experiment(experiment: Path) -> None:
    assert experiment.exists(), f"{experiment} is named by a plan but does not exist"
    from chaoslib.experiment import ensure_experiment_is_valid
    from chaoslib.loader import load_experiment

    ensure_experiment_is_valid(load_experiment(str(experiment)))


@pytest.fixture(scope="module")
def pre_holiday() -> Plan:
    return load_plan(DRILLS / "pre_holiday.yaml", check_files=False)


def test_pre_holiday_targets_the_sandbox_and_announces_in_continuite(pre_holiday: Plan) -> None:
    assert pre_holiday.target.is_sandbox
    assert pre_holiday.announcement.post_in == "#continuite"
    assert pre_holiday.debrief is not None and pre_holiday.debrief.post_in == "#continuite"
    assert [e.written for e in pre_holiday.experiments] == [
        "../experiments/capacity_search.json",
        "../experiments/video_bridge_outage.json",
    ]


def test_pre_holiday_states_the_load_to_hold_and_hands_it_to_the_capacity_search(
    pre_holiday: Plan,
) -> None:
    assert pre_holiday.readiness.required_multiple == 100
    assert pre_holiday.readiness.normal_rate == 1.5
    search = pre_holiday.experiments[0].vars
    assert (search["normal_login_rate"], search["required_multiple"]) == (1.5, 100)
    # the sandbox sustains about 90 logins/s: the knee falls inside the range searched
    low = search["capacity_from_multiple"] * search["normal_login_rate"]
    high = search["capacity_to_multiple"] * search["normal_login_rate"]
    assert low < 90 < high


def test_pre_holiday_exercises_every_fallback_channel(pre_holiday: Plan) -> None:
    kinds = {c.name: c.type for c in pre_holiday.channels}
    assert set(kinds.values()) == {"slack", "email", "sms", "video", "statuspage", "matrix"}
    parents = pre_holiday.audience("parents-email")
    assert parents and all(p.role == "parent" and p.email for p in parents)
    staff_email = pre_holiday.audience("staff-email")
    assert {p.role for p in staff_email} == {"teacher", "staff"}


def test_pre_holiday_escalates_silent_slack_staff_to_sms(pre_holiday: Plan) -> None:
    slack = pre_holiday.channel("staff-slack")
    assert slack.expect.acknowledged_share is not None
    assert slack.escalation is not None
    assert (slack.escalation.to, slack.escalation.audience) == ("staff-sms", "not_acknowledged")
    sms = pre_holiday.channel("staff-sms")
    assert sms.activate == "on_escalation"
    reachable = {p.id for p in pre_holiday.audience(sms)}
    assert {p.id for p in pre_holiday.audience(slack)} <= reachable
    assert all(p.phone for p in pre_holiday.audience(sms))


def test_pre_holiday_people_are_the_sandbox_people_they_claim_to_be(pre_holiday: Plan) -> None:
    sandbox = {p.username: p for p in default_population()}
    listed = [person for group in pre_holiday.groups for person in group.people]
    assert listed
    for person in listed:
        generated = sandbox[person.id]
        assert (person.name, person.slack, person.email, person.phone) == (
            generated.name,
            generated.slack_id,
            generated.email,
            generated.phone,
        )
        assert person.matrix in ("", generated.matrix_id)
    assert pre_holiday.organiser_slack_ids <= {p.slack for p in listed}


def test_the_annotated_plan_in_the_docs_validates(tmp_path: Path) -> None:
    page = (DRILLS.parent / "docs" / "drills.md").read_text(encoding="utf-8")
    section = page[page.index("## The plan") :]
    example = section[section.index("```yaml\n") + len("```yaml\n") :]
    example = example[: example.index("```")]
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    plan = load_plan(path, check_files=False)
    assert [c.type for c in plan.channels] == ["video", "slack", "sms"]

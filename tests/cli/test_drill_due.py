"""`entdrill drill due PLAN`: exit 0 when a drill of the plan is due now, 1 when not, 2 on error."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from entdrill.cli import cli
from tests.drill.drill_school import write_plan

SCHEDULE = 'schedule:\n  zone: C\n  school_days_before: 3\n  at: "07:45"\n'
# Zone C's spring 2027 holiday starts Saturday 3 April: the third school day before it is
# Wednesday 31 March, 07:45 in Paris (05:45 UTC).


def due(plan: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["drill", "due", str(plan), *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_drill_is_due_at_its_time_and_for_the_window_after(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, experiments="none", extra=SCHEDULE)
    code, out, _ = due(plan, "--now", "2027-03-31T07:50+02:00")
    assert code == 0 and out.startswith("due: the drill before ")
    assert due(plan, "--now", "2027-03-31T08:20+02:00", "-q") == (1, "", "")
    assert due(plan, "--now", "2027-03-31T08:20+02:00", "--window", "60", "-q")[0] == 0
    code, out, _ = due(plan, "--now", "2027-03-30T07:50+02:00")
    assert code == 1 and out.startswith("not due: no drill due at 2027-03-30 07:50")


def test_a_blackout_makes_a_due_drill_not_due(tmp_path: Path) -> None:
    blackout = (
        SCHEDULE + "  blackouts:\n    - {start: 2027-03-31, end: 2027-03-31, reason: exams}\n"
    )
    plan = write_plan(tmp_path, experiments="none", extra=blackout)
    code, out, _ = due(plan, "--now", "2027-03-30T07:50+02:00")
    assert code == 0, out  # moved to the previous school day, Tuesday 30 March
    code, out, _ = due(plan, "--now", "2027-03-31T07:50+02:00")
    assert code == 1


def test_a_plan_without_a_schedule_or_a_bad_now_is_an_error_with_exit_2(tmp_path: Path) -> None:
    plain = write_plan(tmp_path, experiments="none")
    code, _, err = due(plain)
    assert code == 2 and "the plan has no schedule section" in err
    plan = write_plan(tmp_path, name="scheduled", experiments="none", extra=SCHEDULE)
    code, _, err = due(plan, "--now", "2027-03-31 07:50")
    assert code == 2 and "--now '2027-03-31 07:50' needs a UTC offset" in err
    code, _, err = due(plan, "--now", "yesterday")
    assert code == 2 and "is not a date-time" in err

"""The homework log and messages: deterministic per school, person and day."""

from __future__ import annotations

import datetime as dt

from entdrill.population import generate
from entdrill.sandbox.config import SandboxConfig
from entdrill.sandbox.ent.school import homework_log, messages_for, school_days_from

MONDAY = dt.date(2026, 3, 2)


def test_school_days_skip_weekends() -> None:
    saturday = dt.date(2026, 3, 7)
    assert school_days_from(saturday, 2) == [dt.date(2026, 3, 9), dt.date(2026, 3, 10)]


def test_the_homework_log_is_the_same_for_the_same_school_and_day() -> None:
    people = generate(SandboxConfig(pupils_per_school=3))
    school = people[0].school
    teachers = [p for p in people if p.role == "teacher" and p.school == school]
    log = homework_log(school, teachers, MONDAY)
    assert log == homework_log(school, list(reversed(teachers)), MONDAY)
    assert log != homework_log("another-school", teachers, MONDAY)
    assert len(log) == 10
    assert {entry.teacher for entry in log} <= {t.name for t in teachers}
    for entry in log:
        assert entry.due_on > entry.given_on
        assert dt.date.fromisoformat(entry.due_on).weekday() < 5


def test_a_school_without_teachers_still_has_a_log() -> None:
    log = homework_log("academie", [], MONDAY)
    assert {entry.teacher for entry in log} == {"Équipe pédagogique"}


def test_messages_come_from_the_school_staff_newest_first() -> None:
    people = generate(SandboxConfig(pupils_per_school=3))
    person = next(p for p in people if p.role == "parent")
    staff = [p for p in people if p.role == "staff" and p.school == person.school]
    messages = messages_for(person, staff, MONDAY)
    assert messages == messages_for(person, staff, MONDAY)
    assert [m.sent_on for m in messages] == sorted((m.sent_on for m in messages), reverse=True)
    assert {m.sender for m in messages} <= {s.name for s in staff}

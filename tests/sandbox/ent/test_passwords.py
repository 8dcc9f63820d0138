"""Password checks: right passwords pass, wrong ones fail, and every check costs PBKDF2 work."""

from __future__ import annotations

from entdrill.population import generate
from entdrill.sandbox.config import SandboxConfig
from entdrill.sandbox.ent.passwords import MIN_ITERATIONS, PasswordVerifier, calibrate


def test_calibration_gives_more_iterations_for_a_higher_cost() -> None:
    assert calibrate(0) == MIN_ITERATIONS
    low, high = calibrate(1.0), calibrate(50.0)
    assert low >= MIN_ITERATIONS
    assert high > 5 * low  # 50x in theory; a busy neighbour blurs it


def test_the_right_password_passes_and_keeps_passing_after_the_verifier_upgrade() -> None:
    people = generate(SandboxConfig(pupils_per_school=3))
    verifier = PasswordVerifier(people, iterations=50)
    person = people[0]
    assert len(verifier) == len(people)
    assert verifier.check(person.username, person.password) is True
    assert verifier.check(person.username, person.password) is True  # now against PBKDF2
    assert verifier.check(person.username, person.password + "x") is False
    assert verifier.check(person.username, "") is False


def test_a_wrong_password_before_any_success_fails() -> None:
    people = generate(SandboxConfig(pupils_per_school=3))
    verifier = PasswordVerifier(people, iterations=50)
    assert verifier.check(people[1].username, people[0].password) is False
    assert verifier.check(people[1].username, people[1].password) is True


def test_an_unknown_user_fails() -> None:
    verifier = PasswordVerifier(generate(SandboxConfig(pupils_per_school=3)), iterations=50)
    assert verifier.check("nobody", "anything") is False

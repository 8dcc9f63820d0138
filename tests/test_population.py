"""The generated school population: reproducible, unique, complete."""

from pathlib import Path

from entdrill.population import COLUMNS, generate, read_csv, write_csv
from entdrill.sandbox.config import SandboxConfig


def test_same_seed_gives_same_people_and_passwords() -> None:
    assert generate(SandboxConfig(seed=7)) == generate(SandboxConfig(seed=7))
    assert generate(SandboxConfig(seed=7)) != generate(SandboxConfig(seed=8))


def test_usernames_are_unique_and_every_role_is_present() -> None:
    people = generate(SandboxConfig(schools=2, pupils_per_school=50))
    usernames = [p.username for p in people]
    assert len(usernames) == len(set(usernames))
    roles = {p.role for p in people}
    assert roles == {"pupil", "parent", "teacher", "staff"}
    assert sum(p.role == "pupil" for p in people) == 100


def test_teachers_and_staff_are_on_slack_pupils_are_not() -> None:
    people = generate(SandboxConfig())
    assert all(p.slack_id.startswith("U") for p in people if p.role in ("teacher", "staff"))
    assert not any(p.slack_id for p in people if p.role == "pupil")


def test_csv_starts_with_the_columns_a_flood_reads_and_round_trips(tmp_path: Path) -> None:
    people = generate(SandboxConfig(pupils_per_school=5))
    path = tmp_path / "population.csv"
    write_csv(people, path)
    assert path.read_text().splitlines()[0] == ",".join(COLUMNS)
    assert path.read_text().startswith("username,password,role,school,email")
    assert read_csv(path) == people
    assert path.stat().st_mode & 0o077 == 0

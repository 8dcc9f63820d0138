"""The sandbox behind the seam: a LocalTarget started, read and stopped as the runs use it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from entdrill import population, processes
from entdrill.targets import LocalTarget
from entdrill.targets.sandbox import SandboxAdapter, default_population, local_sandbox
from entdrill.testing import free_config, prepare_sandbox_dir


@pytest.fixture
def target(tmp_path: Path) -> Iterator[SandboxAdapter]:
    adapter = SandboxAdapter(tmp_path / "sandbox")
    yield adapter
    adapter.stop()


def test_the_sandbox_starts_with_its_last_configuration_and_stops_without_leftovers(
    target: SandboxAdapter,
) -> None:
    config = free_config(replicas=1)
    prepare_sandbox_dir(target.directory, config)  # a sandbox that ran once, with these ports
    seam: LocalTarget = target
    assert not seam.is_up() and seam.running() == []
    seam.start()
    assert seam.is_up()
    status = seam.status()
    assert status["ent_url"] == f"http://127.0.0.1:{config.ent_port}"
    assert Path(str(status["directory"])) == target.directory
    pids = [c["pid"] for c in status["components"]]
    assert sorted(seam.running()) == sorted(c["name"] for c in status["components"])
    assert sorted(seam.stop()) == sorted(c["name"] for c in status["components"])
    assert not seam.is_up() and seam.running() == []
    assert not any(processes.is_alive(pid) for pid in pids)


def test_the_default_sandbox_lives_in_entdrill_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENTDRILL_HOME", str(tmp_path))
    assert local_sandbox().directory == tmp_path / "sandbox"
    assert local_sandbox(tmp_path / "other").directory == tmp_path / "other"


def test_the_default_population_is_the_default_sandbox_s_people() -> None:
    people = default_population()
    assert people is default_population()  # computed once
    assert {p.role for p in people} == set(population.ROLES)
    assert len({p.username for p in people}) == len(people)

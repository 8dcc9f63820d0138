"""Fixtures of the ENT tests: real replica processes on free ports, stopped after the module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from entdrill.testing import free_config
from tests.sandbox.ent.helpers import EntProcesses


@pytest.fixture(scope="module")
def ent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EntProcesses]:
    """One ENT replica with the default (small, fast) test configuration."""
    ents = EntProcesses.start(tmp_path_factory.mktemp("ent"), free_config(), replicas=1)
    yield ents
    ents.stop()


@pytest.fixture(scope="module")
def ent_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EntProcesses]:
    """Two ENT replicas, separate processes, on one port."""
    ents = EntProcesses.start(tmp_path_factory.mktemp("ent-pair"), free_config(), replicas=2)
    yield ents
    ents.stop()

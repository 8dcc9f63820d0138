"""Every case of the bad-input corpus: exit code, one sentence naming the input, no traceback,
nothing left behind (see corpus.py). Then: every command has cases."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from . import (
    cases_choices,
    cases_files,
    cases_guard,
    cases_ledger,
    cases_numbers,
    cases_outputs,
    cases_plans,
    cases_records,
    cases_reports,
)
from .corpus import Case, case_params, command_of, leaf_commands

MODULES = (
    cases_files,
    cases_records,
    cases_numbers,
    cases_outputs,
    cases_guard,
    cases_ledger,
    cases_plans,
    cases_reports,
    cases_choices,
)
CASES: list[Case] = [case for module in MODULES for case in module.cases()]


@pytest.mark.parametrize("case", case_params(CASES))
def test_bad_input_is_refused_with_one_sentence_and_leaves_nothing_behind(
    corpus: Callable[[Case], object], case: Case
) -> None:
    corpus(case)


def test_every_command_has_cases() -> None:
    """A new command (or subcommand) is covered by adding its cases to a cases_* module."""
    covered = {command_of(case.args) for case in CASES}
    missing = [command for command in leaf_commands() if command not in covered]
    assert not missing, f"commands without bad-input cases: {missing}"


def test_the_corpus_has_at_least_300_cases_in_every_class() -> None:
    classes = {case.klass for case in CASES}
    assert len(CASES) >= 300, len(CASES)
    assert len(classes) == len(MODULES)

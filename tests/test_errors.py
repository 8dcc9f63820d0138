"""The error tree: messages, places and exit codes."""

from entdrill.errors import (
    ComponentFailed,
    EntdrillError,
    GuardRefusal,
    InvalidArgument,
    InvalidInput,
    InvalidPlan,
)


def test_error_with_a_place_reads_place_then_message() -> None:
    error = InvalidArgument("expected a rate above 0", where="--rate")
    assert str(error) == "--rate: expected a rate above 0"


def test_bad_input_exits_2_and_other_errors_exit_1() -> None:
    assert InvalidInput("x").exit_code == 2
    assert EntdrillError("x").exit_code == 1
    assert GuardRefusal("refused", rule="allow-list").exit_code == 3


def test_invalid_plan_lists_every_problem() -> None:
    error = InvalidPlan("2 problems", problems=["a.yaml:1: name: missing", "a.yaml:3: x: bad"])
    assert str(error).splitlines() == ["2 problems:", "a.yaml:1: name: missing", "a.yaml:3: x: bad"]


def test_component_failure_names_component_and_log_tail() -> None:
    error = ComponentFailed("ent-1", "port 8800 is taken", log_tail="Address already in use")
    assert "'ent-1'" in str(error)
    assert "port 8800 is taken" in str(error)
    assert "Address already in use" in str(error)

"""What a drill counts as injected for detection: each login storm its journal started (undone
at the first rollback), and no fault of another process."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from entdrill.drill.detection import injections_of
from entdrill.drill.inject import ExperimentRun
from entdrill.drill_plan import ExperimentRef
from entdrill.faults.ledger import Ledger


def at(second: int) -> str:
    return f"2026-12-06T09:00:{second:02d}.000000"  # chaoslib's journal: naive UTC


def epoch(second: int) -> float:
    return datetime(2026, 12, 6, 9, 0, second, tzinfo=UTC).timestamp()


def test_a_started_storm_is_an_injection_undone_at_the_first_rollback(tmp_path: Path) -> None:
    run = ExperimentRun(
        0, ExperimentRef(tmp_path / "login_storm.json", "login_storm.json"), "", tmp_path
    )
    storm = {"type": "action", "provider": {"func": "start_login_storm"}}
    journal = {
        "run": [
            {"activity": storm, "start": at(5), "status": "succeeded"},
            {"activity": storm, "start": at(9), "status": "failed"},  # never started: no load
            {
                "activity": {"type": "probe", "provider": {"func": "portal_available"}},
                "start": at(7),
            },
        ],
        "rollbacks": [{"start": at(40)}, {"start": at(41)}],
    }
    [found] = injections_of(run, journal, Ledger(tmp_path / "ledger.jsonl"))
    assert (found.experiment, found.kind, found.component) == ("1-login_storm", "storm", "ent")
    assert (found.injected_at, found.undone_at) == (epoch(5), epoch(40))
    assert found.service == "ent"


def test_no_journal_and_no_fault_of_this_process_is_no_injection(tmp_path: Path) -> None:
    run = ExperimentRun(0, ExperimentRef(tmp_path / "x.json", "x.json"), "", tmp_path)
    assert injections_of(run, None, Ledger(tmp_path / "ledger.jsonl")) == []

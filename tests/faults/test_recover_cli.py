"""`entdrill recover` through the command line: lists, reverts, says so, exits non-zero if stuck."""

from __future__ import annotations

import json

from click.testing import CliRunner

from entdrill.cli import cli
from entdrill.faults.ledger import Ledger


def test_with_nothing_injected_it_says_so_and_exits_0() -> None:
    result = CliRunner().invoke(cli, ["recover"])
    assert result.exit_code == 0, result.output
    assert "Nothing to recover: no fault is left injected." in result.output
    listed = CliRunner().invoke(cli, ["recover", "--list"])
    assert listed.exit_code == 0 and "No fault left injected." in listed.output


def test_it_lists_then_reverts_open_faults_and_is_idempotent() -> None:
    ledger = Ledger()
    entry = ledger.plan(
        "lose_session_store", {"component": "ent"}, {}, {"op": "none", "reason": "gone"}
    )
    listed = CliRunner().invoke(cli, ["recover", "--list"])
    assert listed.exit_code == 0
    assert entry.id in listed.output and "lose_session_store on ent (planned)" in listed.output
    assert "(alive)" in listed.output  # this test process wrote it
    as_json = json.loads(CliRunner().invoke(cli, ["recover", "--list", "--json"]).output)
    assert [e["id"] for e in as_json] == [entry.id]
    result = CliRunner().invoke(cli, ["recover"])
    assert result.exit_code == 0, result.output
    assert f"reverted {entry.id} lose_session_store on ent: nothing to undo: gone" in result.output
    assert "Reverted 1 fault(s)." in result.output
    assert ledger.open_entries() == []
    again = CliRunner().invoke(cli, ["recover", "--json"])
    assert again.exit_code == 0 and json.loads(again.output)["reverted"] == []


def test_orphaned_only_leaves_a_live_run_alone() -> None:
    Ledger().plan("kill_replica", {"component": "ent-2"}, {}, {"op": "none"})
    result = CliRunner().invoke(cli, ["recover", "--orphaned-only"])
    assert result.exit_code == 0, result.output
    assert "left alone" in result.output and "its run is still going" in result.output
    assert len(Ledger().open_entries()) == 1


def test_a_fault_that_cannot_be_reverted_is_an_error_sentence_and_exit_1() -> None:
    entry = Ledger().plan("mystery", {"component": "x"}, {}, {"op": "teleport"})
    result = CliRunner().invoke(cli, ["recover"])
    assert result.exit_code == 1
    assert f"FAILED   {entry.id} mystery on x: unknown undo operation 'teleport'" in result.output
    assert "Error: 1 fault(s) could not be reverted" in result.output
    assert "Traceback" not in result.output
    assert len(Ledger().open_entries()) == 1


def test_recover_has_help() -> None:
    result = CliRunner().invoke(cli, ["recover", "--help"])
    assert result.exit_code == 0
    assert "Revert every fault recorded as injected and not undone" in result.output


def test_an_unreadable_line_is_never_nothing_to_recover_until_settled_on_purpose() -> None:
    ledger = Ledger()
    entry = ledger.plan("lose_session_store", {"component": "ent"}, {}, {"op": "none"})
    ledger.undone(entry.id, "done")
    with ledger.path.open("a") as handle:
        handle.write('{"event": "undone", "at": NaN, "id": "' + entry.id + '"}\n')
    for args in (["recover"], ["recover", "--list"], ["stop"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1, result.output
        assert "othing to recover" not in result.output and "No fault left" not in result.output
        assert "(3)" in result.stderr
    listed = CliRunner().invoke(cli, ["recover", "--list"])
    assert f"UNREADABLE {ledger.path}:3: not a JSON event (NaN is not a number JSON allows)" in (
        listed.stderr
    )
    settled = CliRunner().invoke(cli, ["recover", "--force-line", "3"])
    assert settled.exit_code == 0, settled.output
    assert f"settled {ledger.path}:3" in settled.stderr
    assert "Nothing to recover: no fault is left injected." in settled.stdout
    record = json.loads(ledger.path.read_text().splitlines()[-1])
    assert record["event"] == "settled" and record["line"] == 3 and "@" in record["by"]
    assert CliRunner().invoke(cli, ["recover"]).exit_code == 0

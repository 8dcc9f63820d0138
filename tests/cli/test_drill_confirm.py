"""`entdrill drill confirm DRILL STEP --by PERSON`: a manual step confirmed from the command line
is written to the running drill's record, for the runner to read; bad input is one sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from entdrill.records import open_records
from tests.cli.drill_records import invoke, records_url


def running_drill(url: str) -> str:
    with open_records(url) as records:
        drill = records.create_drill(
            plan_name="fast-drill", plan_path="p.yaml", plan_digest="0" * 64, target="sandbox"
        )
        records.append_event(
            drill.id, "plan", "loaded", {"manual_steps": {"switch-classes": ["ana", "bob"]}}
        )
        return drill.id


def test_a_confirmation_is_appended_to_the_running_drills_chain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = records_url(tmp_path, monkeypatch)
    drill = running_drill(url)
    result = invoke("confirm", drill[:20], "switch-classes", "--by", "bob")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"switch-classes confirmed by bob in drill {drill} (event 3)\n"
    with open_records(url) as records:
        event = records.events(drill, after_seq=2)[0]
        assert records.verify_chain(drill).ok
    assert (event.phase, event.kind) == ("manual", "confirmation_requested")
    assert (event.data["step"], event.data["person"]) == ("switch-classes", "bob")


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (["switch-clases", "--by", "bob"], "has no manual step 'switch-clases'; its manual steps: switch-classes"),
        (["switch-classes", "--by", "eve"], "'eve' may not confirm 'switch-classes': not among its 2 people"),
    ],
)  # fmt: skip
def test_an_unknown_step_or_person_is_refused_with_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], sentence: str
) -> None:
    url = records_url(tmp_path, monkeypatch)
    drill = running_drill(url)
    result = invoke("confirm", drill, *args)
    assert result.exit_code == 2 and sentence in result.stderr
    with open_records(url) as records:
        assert len(records.events(drill)) == 2


def test_a_finished_drill_cannot_be_confirmed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = records_url(tmp_path, monkeypatch)
    drill = running_drill(url)
    with open_records(url) as records:
        records.finish_drill(drill, "met", 0)
    result = invoke("confirm", drill, "switch-classes", "--by", "bob")
    assert result.exit_code == 2 and f"drill {drill} is met, not running" in result.stderr

"""Small helpers shared by the records tests."""

from __future__ import annotations

from typing import Any

from entdrill.records import Records


def new_drill(records: Records, **overrides: Any) -> str:
    """Create a running drill with plausible values; return its id."""
    values: dict[str, Any] = {
        "plan_name": "pre_holiday",
        "plan_path": "drills/pre_holiday.yaml",
        "plan_digest": "0" * 64,
        "target": "sandbox",
        "organisers": ["U0ORG1"],
    }
    values.update(overrides)
    return records.create_drill(**values).id


def raw_text(records: Records) -> str:
    """Every value of every records table as stored, joined: what a reader of the file sees."""
    db = records.database
    parts: list[str] = []
    for table in (
        "drills",
        "events",
        "experiments",
        "channel_results",
        "ledger_entries",
        "ledger_reach",
        "findings",
    ):
        for row in db.query(f"SELECT * FROM {table}"):  # noqa: S608
            parts.extend(str(value) for value in row)
    return "\n".join(parts)

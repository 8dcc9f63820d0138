"""Class "fault ledger": ledger lines that cannot be read, met by ``recover`` and ``stop``.

An unreadable line may be the only record of a fault still injected. ``recover``, ``recover
--list`` and ``stop`` must name it by its line number and exit 1, never print "Nothing to
recover"; ``recover --force-line N`` refuses a line that is not unreadable (exit 2).
"""

from __future__ import annotations

import json

from .corpus import Case

KLASS = "fault ledger"
LEDGER = "home/faults.jsonl"

GOOD = json.dumps(
    {
        "event": "planned",
        "at": 1_700_000_000.0,
        "entry": {
            "id": "a1b2c3d4e5f6", "kind": "kill_replica", "target": {"component": "ent-2"},
            "action": {}, "undo": {"op": "none", "reason": "test"},
            "owner": {"pid": 1, "started": 1, "host": "elsewhere.example"}, "label": "x",
        },
    }
)  # fmt: skip
UNDONE = json.dumps({"event": "undone", "at": 1_700_000_001.0, "id": "a1b2c3d4e5f6", "how": "ok"})


def _planned(**changes: object) -> str:
    event = json.loads(GOOD)
    for key, value in changes.items():
        target = event["entry"] if key in event["entry"] else event
        target[key] = value
    return json.dumps(event)


#: (label, the unreadable line, what the reason says)
LINES: list[tuple[str, bytes, str]] = [
    ("NaN time", b'{"event": "undone", "at": NaN, "id": "a1b2c3d4e5f6"}', "NaN"),
    ("Infinity time", b'{"event": "undone", "at": Infinity, "id": "a1b2c3d4e5f6"}', "Infinity"),
    ("a list for the id", b'{"event": "undone", "at": 1.0, "id": ["a1b2c3d4e5f6"]}', "id is"),
    ("a number for the kind", _planned(kind=7).encode(), "kind is 7"),
    ("owner pid as text", _planned(owner={"pid": "1", "started": 1, "host": "h"}).encode(),
     "owner.pid"),
    ("no undo op", _planned(undo={}).encode(), "op is missing"),
    ("truncated JSON", GOOD[:60].encode(), "not a JSON event"),
    ("binary", bytes(range(128, 256)), "not UTF-8"),
    ("NUL bytes", b'{"event": "undone"\x00}', "U+0000"),
    ("not an object", b'["planned"]', "not a JSON object"),
    ("unknown event", b'{"event": "exploded", "at": 1.0, "id": "x"}', "unknown event"),
    ("a boolean time", b'{"event": "undone", "at": true, "id": "a1b2c3d4e5f6"}', "at is True"),
    ("event for an unknown fault", b'{"event": "undone", "at": 1.0, "id": "nobody"}',
     "which no readable line plans"),
    ("planned twice", GOOD.encode(), "planned a second time"),
    ("deeply nested", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ("an empty object", b"{}", "unknown event"),
]  # fmt: skip


def cases() -> list[Case]:
    found = []
    for label, line, reason in LINES:
        ledger = GOOD.encode() + b"\n" + UNDONE.encode() + b"\n" + line + b"\n"
        for args, creates in (
            (("recover",), ()),
            (("recover", "--list"), ()),
            (("recover", "--json"), ()),
            (("stop",), ("run",)),
        ):
            found.append(
                Case(
                    KLASS,
                    args,
                    1,
                    "(3)",
                    files={LEDGER: ledger},
                    creates=creates,
                    absent="othing to recover",
                    ident=f"{' '.join(args)}: {label}",
                )
            )
        found.append(
            Case(
                KLASS,
                ("recover", "--list"),
                1,
                reason,
                files={LEDGER: ledger},
                absent="No fault left injected",
                out="stderr+",
                ident=f"recover --list names why: {label}",
            )
        )
    torn = GOOD.encode() + b"\n" + UNDONE.encode()[:30]
    found.append(
        Case(
            KLASS,
            ("recover",),
            1,
            "(2)",
            files={LEDGER: torn},
            creates=(LEDGER,),  # the fault whose undone line was torn is reverted again
            ident="a torn last line",
        )
    )
    found.append(
        Case(
            KLASS,
            ("recover", "--force-line", "1"),
            2,
            "--force-line 1: line 1 of the fault ledger",
            files={LEDGER: GOOD + "\n" + UNDONE + "\n"},
            ident="force-line of a readable line",
        )
    )
    found.append(
        Case(
            KLASS,
            ("recover", "--list", "--force-line", "3"),
            2,
            "--force-line",
            files={LEDGER: GOOD + "\n"},
            ident="force-line with --list",
        )
    )
    return found

"""Class "text files": every file a command reads, given bytes that are not such a file.

Each reader (plans, schedule, holiday and blackout lists, sandbox settings, population CSVs,
replay files, flood reports, job manifests, experiments a plan names) meets NUL and BEL bytes,
Latin-1 and UTF-16 text, binary data, a directory, a named pipe, a missing file and a file past
its size limit. Each must be refused with exit 2 and a sentence naming the file, before
anything is done.
"""

from __future__ import annotations

from .corpus import DIRECTORY, FIFO, Case, Content

KLASS = "text files"
FILE = "in.txt"

#: (label, args with {f} for the file, files the command also needs)
READERS: list[tuple[str, tuple[str, ...], dict[str, Content]]] = [
    ("drill validate", ("drill", "validate", "{f}"), {}),
    ("drill run", ("drill", "run", "--dry-run", "{f}"), {}),
    ("drill due", ("drill", "due", "{f}"), {}),
    ("schedule --plan", ("schedule", "--plan", "{f}"), {}),
    ("schedule --holidays", ("schedule", "--zone", "Corse", "--holidays", "{f}"), {}),
    ("schedule --blackouts", ("schedule", "--zone", "B", "--blackouts", "{f}"), {}),
    ("sandbox up --config", ("sandbox", "up", "--config", "{f}"), {}),
    (
        "flood --users",
        ("flood", "--target", "http://127.0.0.1:9", "--scenario", "pupil-login", "--users", "{f}",
         "--rate", "1", "--duration", "1"),
        {},
    ),
    (
        "flood --arrivals",
        ("flood", "--target", "http://127.0.0.1:9", "--scenario", "http-get", "--profile",
         "replay", "--arrivals", "{f}"),
        {},
    ),
    ("flood merge", ("flood", "merge", "{f}"), {}),
    (
        "flood --job-manifest",
        ("flood", "--target", "http://127.0.0.1:9", "--scenario", "http-get", "--rate", "1",
         "--duration", "1", "--executor", "kubernetes", "--processes", "1", "--image", "x",
         "--job-manifest", "{f}"),
        {},
    ),
]  # fmt: skip

BAD_CONTENTS: list[tuple[str, Content]] = [
    ("NUL byte", b"name: drill\n\x00\n"),
    ("BEL byte", b"holidays:\n  - {kind: noel\x07}\n"),
    ("ESC sequence", b"a,b\n\x1b[31mred\n"),
    ("C1 control", "zone: B\n\u009b2J\n".encode()),
    ("Latin-1", "zone: \xe9t\xe9\n".encode("latin-1")),
    ("UTF-16", "zone: B\n".encode("utf-16")),
    ("binary", bytes(range(256)) * 4),
    ("a directory", DIRECTORY),
    ("a named pipe", FIFO),
]


def _case(label: str, args: tuple[str, ...], what: str, content: Content | None) -> Case:
    files = {} if content is None else {FILE: content}
    return Case(
        KLASS,
        tuple(a.replace("{f}", FILE) for a in args),
        2,
        FILE,
        files=files,
        ident=f"{label}: {what}",
    )


def cases() -> list[Case]:
    found = []
    for label, args, _ in READERS:
        for what, content in BAD_CONTENTS:
            found.append(_case(label, args, what, content))
        found.append(_case(label, args, "a missing file", None))
    too_big = b"# " + b"x" * 1_100_000 + b"\n"
    for label, args, _ in READERS:
        if label.startswith(("drill", "schedule", "sandbox", "flood --job")):
            found.append(_case(label, args, "over its size limit", too_big))
    # An experiment a plan names is read with the same reader; the problem names it.
    plan = (
        "name: x\ntarget: sandbox\norganisers: [a]\ngroups: {g: {people: [{id: a, name: A, "
        'role: staff, slack: U1}]}}\nannouncement: {post_in: "#c", message: m}\n'
        'experiments:\n  - path: bad.json\nchannels:\n  - {name: s, type: slack, post_in: "#c",'
        " message: m, audience: [g], expect: {delivered_share: 1, within: 1m}}\n"
    )
    for what, content in BAD_CONTENTS[:7]:
        found.append(
            Case(
                KLASS,
                ("drill", "validate", "plan.yaml"),
                2,
                'experiments[0].path: "bad.json"',
                files={"plan.yaml": plan, "bad.json": content},
                out="stdout",
                ident=f"experiment a plan names: {what}",
            )
        )
    return found

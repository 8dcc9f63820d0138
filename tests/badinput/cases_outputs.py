"""Class "output paths": every option naming a file to write, given a path where no file can be.

A directory, a path under a file, a device, an empty path: each is refused with exit 2 and a
sentence naming the option before any work (no storm sent, no review computed, no temporary
file left next to where the output should have gone).
"""

from __future__ import annotations

from .corpus import DIRECTORY, Case, Content

KLASS = "output paths"

FLOOD = ("flood", "--target", "http://127.0.0.1:9", "--scenario", "http-get", "--rate", "1",
         "--duration", "1")  # fmt: skip
REPORT = (
    '{"format": "entdrill-flood-report/1"}'  # refused as a report later; the output comes first
)

#: (args before the path, option, extra args after, files)
WRITERS: list[tuple[tuple[str, ...], str, tuple[str, ...], dict[str, Content]]] = [
    (FLOOD, "--report", (), {}),
    (
        (
            "capacity",
            "--target",
            "http://127.0.0.1:9",
            "--scenario",
            "http-get",
            "--from",
            "10",
            "--to",
            "100",
        ),
        "--report",
        (),
        {},
    ),
    (("review", "--db", "sqlite:///{work}/missing.db"), "--out", (), {}),
    (("review", "--format", "md", "--db", "sqlite:///{work}/missing.db"), "--out", (), {}),
    (("flood", "merge", "r.json"), "--output", (), {"r.json": REPORT}),
    (("schedule", "--plan", "{plan}", "--emit", "crontab"), "--out", (), {}),
    (("schedule", "--plan", "{plan}", "--emit", "k8s-cronjob"), "--out", (), {}),
]

#: (label, path, files, what the sentence names)
PATHS: list[tuple[str, str, dict[str, Content], str]] = [
    ("a directory", "outdir", {"outdir": DIRECTORY}, "outdir"),
    ("under a file", "afile/out.json", {"afile": "x"}, "afile is a file, not a directory"),
    ("deep under a file", "afile/a/b/out.json", {"afile": "x"}, "afile is a file"),
    ("a device", "/dev/null", {}, "/dev/null"),
    ("an empty path", "", {}, "{option}"),
    ("a name too long", "x" * 300 + ".json", {}, "longer than 255 bytes"),
]


def cases() -> list[Case]:
    found = []
    for args, option, after, files in WRITERS:
        for label, path, more, names in PATHS:
            found.append(
                Case(
                    KLASS,
                    (*args, option, path, *after),
                    2,
                    names.replace("{option}", option),
                    files={**files, **more},
                    ident=f"{' '.join(args[:2])} {option} {label}",
                )
            )
    found.append(
        Case(
            KLASS,
            ("schedule", "--plan", "{plan}", "--emit", "systemd", "--out", "afile"),
            2,
            "afile",
            files={"afile": "x"},
            ident="schedule --emit systemd --out a file",
        )
    )
    found.append(
        Case(
            KLASS,
            ("review", "--db", "sqlite:///{work}/missing.db", "--out", "r.md"),
            2,
            "r-charts",
            files={"r-charts": "a file where the charts directory goes"},
            ident="review --out FILE.md whose charts directory is a file",
        )
    )
    return found

"""Class "guard rails": allow-list entries, targets outside it, secrets in URLs, process counts.

``ENTDRILL_ALLOWED_TARGETS`` entries that are not hosts, networks or ``*.domain`` (or that would
allow everything) are refused (exit 2) naming the variable and the entry. A URL outside the
allow-list is refused (exit 3) naming the option that gave it (``--cas-url``, not ``--target``).
A password in a URL never appears in a message. ``--processes`` beyond what the cores, the
open-files limit and the plan's rate allow is refused before any process starts.
"""

from __future__ import annotations

from .corpus import Case

KLASS = "guard rails"

FLOOD = ("flood", "--scenario", "http-get", "--rate", "1", "--duration", "1")
LOCAL = ("--target", "http://127.0.0.1:9")
CAPACITY = ("capacity", "--scenario", "http-get", "--from", "10", "--to", "100")
USERS = "username,password,role\npupil1,secret1,pupil\n"

BAD_ENTRIES = [
    "garbage!!", "*", "999.1.1.1", "*.fr", "0.0.0.0/0", "::/0", "http://ent.example", "a b",
    "1.2.3", "10.0.0.0/4", "*.staging*.example", "ent..example", "-ent.example", "é.example",
    "ent.example/24", "[::1]",
]  # fmt: skip

#: (label, args, env, exit code, what the sentence names, what must not appear)
REFUSALS: list[tuple[str, tuple[str, ...], dict[str, str], int, str, str]] = [
    ("target outside", (*FLOOD, "--target", "http://10.1.2.3:8800"), {}, 3,
     "--target host '10.1.2.3' is not allowed", ""),
    ("target a name", (*FLOOD, "--target", "http://ent.example.fr"), {}, 3,
     "--target host 'ent.example.fr'", ""),
    ("target with a password", (*FLOOD, "--target", "http://user:hunter2pw@10.1.2.3"), {}, 3,
     "--target host '10.1.2.3'", "hunter2pw"),
    ("short password", (*FLOOD, "--target", "http://u:pw@10.1.2.3"), {}, 3,
     "--target", ":pw@"),
    ("cas-url outside", ("flood", *LOCAL, "--cas-url", "http://10.9.9.9/cas", "--scenario",
     "pupil-login", "--users", "users.csv", "--rate", "1", "--duration", "1"), {}, 3,
     "--cas-url host '10.9.9.9' is not allowed", ""),
    ("cas-url with a password", ("flood", *LOCAL, "--cas-url", "http://u:hunter2pw@10.9.9.9/cas",
     "--scenario", "pupil-login", "--users", "users.csv", "--rate", "1", "--duration", "1"), {},
     3, "--cas-url host '10.9.9.9'", "hunter2pw"),
    ("bridge-url outside", ("flood", *LOCAL, "--bridge-url", "http://10.8.8.8/bigbluebutton/api",
     "--scenario", "video-join", "--rate", "1", "--duration", "1"),
     {"ENTDRILL_BRIDGE_SECRET": "s" * 20}, 3, "--bridge-url host '10.8.8.8' is not allowed", ""),
    ("not http", (*FLOOD, "--target", "ftp://127.0.0.1/"), {}, 2, "--target", ""),
    ("no host", (*FLOOD, "--target", "http://"), {}, 2, "--target", ""),
    ("bad port", (*FLOOD, "--target", "http://127.0.0.1:99999"), {}, 2, "--target", ""),
    ("bad port with a password", (*FLOOD, "--target", "http://u:hunter2pw@127.0.0.1:99999"), {},
     2, "--target", "hunter2pw"),
    ("unclosed IPv6", (*FLOOD, "--target", "http://[::1"), {}, 2, "--target", ""),
    ("space in target", (*FLOOD, "--target", "http://127.0.0.1/a b"), {}, 2, "--target", ""),
    ("cas-url not http", ("flood", *LOCAL, "--cas-url", "file:///etc/passwd", "--scenario",
     "pupil-login", "--users", "users.csv", "--rate", "1", "--duration", "1"), {}, 2,
     "--cas-url", ""),
    ("bridge-url missing secret", ("flood", *LOCAL, "--bridge-url", "http://127.0.0.1:9/api",
     "--scenario", "video-join", "--rate", "1", "--duration", "1"), {}, 2,
     "ENTDRILL_BRIDGE_SECRET", ""),
    ("rate over the ceiling", (*FLOOD[:3], "--rate", "5000", "--duration", "1", *LOCAL), {}, 3,
     "rate ceiling", ""),
    ("capacity target outside", (*CAPACITY, "--target", "http://10.1.2.3:8800"), {}, 3,
     "--target host '10.1.2.3' is not allowed", ""),
    ("capacity cas-url outside", (*CAPACITY, *LOCAL, "--scenario", "pupil-login", "--users",
     "users.csv", "--cas-url", "http://10.9.9.9/cas"), {}, 3, "--cas-url", ""),
    ("capacity service-url outside", (*CAPACITY, *LOCAL, "--scenario", "pupil-login", "--users",
     "users.csv", "--service-url", "http://10.9.9.8/"), {}, 3, "--service-url", ""),
    ("capacity login-url outside", (*CAPACITY, *LOCAL, "--scenario", "pupil-login", "--users",
     "users.csv", "--journey", "form", "--login-url", "http://10.9.9.7/login"), {}, 3,
     "--login-url", ""),
    ("capacity ceiling below --to", (*CAPACITY, *LOCAL), {"ENTDRILL_MAX_RATE": "50"}, 3,
     "rate ceiling", ""),
    ("ceiling lowered", (*FLOOD, *LOCAL), {"ENTDRILL_MAX_RATE": "0.5"}, 3, "rate ceiling", ""),
    ("processes beyond the cores", ("flood", *LOCAL, "--scenario", "http-get", "--rate", "10000",
     "--duration", "1", "--processes", "1000"), {"ENTDRILL_MAX_RATE": "100000"}, 2,
     "--processes 1000 is more than this plan can use here", ""),
    ("processes beyond the rate", ("flood", *LOCAL, "--scenario", "http-get", "--rate", "0.5",
     "--duration", "4", "--processes", "2"), {}, 2, "a shard per arrival a second", ""),
    ("processes on kubernetes", ("flood", *LOCAL, "--scenario", "http-get", "--rate", "1",
     "--duration", "1", "--executor", "kubernetes", "--processes", "5000", "--image", "x"), {},
     2, "--processes 5000", ""),
]  # fmt: skip


def cases() -> list[Case]:
    found = [
        Case(
            KLASS,
            (*FLOOD, *LOCAL),
            2,
            f"ENTDRILL_ALLOWED_TARGETS: {entry.strip()!r}",
            env={"ENTDRILL_ALLOWED_TARGETS": f"ent.staging.example,{entry}"},
            ident=f"ENTDRILL_ALLOWED_TARGETS={entry}",
        )
        for entry in BAD_ENTRIES
    ]
    for label, args, env, code, names, absent in REFUSALS:
        found.append(
            Case(
                KLASS,
                args,
                code,
                names,
                files={"users.csv": USERS},
                env=env,
                absent=absent,
                ident=label,
            )
        )
    return found

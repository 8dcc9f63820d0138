"""Class "names and ids": a kind, a component, a scenario, a drill id or a step that does not
exist, and options that do not go together.

Each is refused with exit 2 and a sentence naming the option or the value, never read as
"nothing to do": ``stop --kind bogus`` once said nothing was running and exited 0 while its
marker still stopped every flood; an unknown drill id once exited 1, the code for a broken
hash chain.
"""

from __future__ import annotations

from .corpus import Case, Copy

KLASS = "names and ids"

DB = ("--url", "sqlite:///{work}/records.db")
FLOOD = ("flood", "--target", "http://127.0.0.1:9", "--rate", "1", "--duration", "1")
RUNNING = "0190aaaa-running-drill-for-the-corpus"

#: (args, what the sentence names, whether the case needs the records)
CASES: list[tuple[tuple[str, ...], str, bool]] = [
    (("stop", "--kind", "bogus"), "--kind", False),
    (("stop", "--kind", "floods"), "--kind", False),
    (("stop", "--kind", "flood", "--kind", ""), "--kind", False),
    (("sandbox", "logs", "bogus"), "'bogus'", False),
    (("sandbox", "logs", "../../etc/passwd"), "../../etc/passwd", False),
    (("sandbox", "up", "--store-url", "mysql://x"), "store_url", False),
    (("drill", "show", "no-such-drill", *DB), "no drill with id 'no-such-drill'", True),
    (("drill", "show", "0", *DB), "'0' starts", True),
    (("drill", "show", "", *DB), "no drill with id ''", True),
    (("records", "verify", "UNKNOWN", *DB), "no drill with id 'UNKNOWN'", True),
    (("records", "verify", "'; DROP TABLE drills; --", *DB), "no drill with id", True),
    (("drill", "confirm", "nope", "switch-classes", "--by", "lea.mercier", *DB),
     "no drill with id 'nope'", True),
    (("drill", "confirm", RUNNING, "no-step", "--by", "lea.mercier", *DB),
     "has no manual step 'no-step'", True),
    (("drill", "confirm", RUNNING, "switch-classes", "--by", "intruder", *DB),
     "'intruder' may not confirm", True),
    (("review", "--drill", "0190-nope", "--db", "sqlite:///{work}/records.db"),
     "no drill with id '0190-nope'", True),
    (("review", "--drill", "x", "--since", "2026-01-01"), "--drill reviews one drill", False),
    (("review", "--format", "pdf"), "--format", False),
    (("review", "--since", "2026-03-02", "--until", "2026-03-01"), "must come after --since",
     False),
    (("drill", "list", "--status", "bogus", *DB), "--status", True),
    (("drill", "due", "{repo}/drills/nowhere.yaml"), "nowhere.yaml", False),
    (("schedule", "--zone", "D"), "--zone", False),
    (("schedule",), "--zone is required", False),
    (("schedule", "--zone", "C", "--emit", "bogus", "--plan", "{plan}"), "--emit", False),
    (("schedule", "--zone", "C", "--emit", "crontab"), "--emit needs --plan", False),
    (("schedule", "--zone", "C", "--due", "--emit", "crontab"), "--due", False),
    (("schedule", "--zone", "C", "--out", "x.txt"), "--out goes with --emit", False),
    (("schedule", "--zone", "C", "--timezone", "Mars/Olympus"), "--timezone", False),
    (("schedule", "--zone", "C", "--cron-tz", "Nowhere", "--emit", "crontab", "--plan",
      "{plan}"), "--cron-tz", False),
    (("schedule", "--zone", "Corse"), "Corse", False),
    (("schedule", "--zone", "C", "--from", "2031-01-01"), "2031-01-01", False),
    ((*FLOOD, "--scenario", "bogus"), "'bogus'", False),
    ((*FLOOD, "--mix", "pupil-login=lots"), "--mix", False),
    ((*FLOOD, "--mix", "http-get=1,http-get=2"), "--mix names 'http-get' twice", False),
    ((*FLOOD, "--scenario", "http-get", "--mix", "http-get=1"), "--scenario or --mix", False),
    (FLOOD, "--scenario or --mix is required", False),
    ((*FLOOD, "--scenario", "http-get", "--profile", "bogus"), "--profile 'bogus'", False),
    ((*FLOOD, "--scenario", "http-get", "--executor", "ssh"), "--executor", False),
    ((*FLOOD, "--scenario", "http-get", "--shard", "3/2"), "--shard 3/2", False),
    ((*FLOOD, "--scenario", "http-get", "--shard", "x"), "--shard", False),
    ((*FLOOD, "--scenario", "http-get", "--path", "no-slash"), "--path", False),
    ((*FLOOD, "--scenario", "http-get", "--arrivals", "a.txt"), "--arrivals goes with", False),
    (("flood", "--scenario", "http-get", "--rate", "1", "--duration", "1"), "--target is required",
     False),
    (("flood", "merge"), "REPORTS", False),
    (("records", "migrate", "--url", "sqlite:///{work}/records.db", "--bogus"), "--bogus", False),
    (("recover", "--orphaned-only", "--list", "--force-line", "2"), "--force-line", False),
    (("schedule", "--plan", "{plan}", "--emit", "crontab", "--entdrill-bin",
      "entdrill\n* * * * * touch /tmp/owned #"), "--entdrill-bin", False),
    (("schedule", "--plan", "{plan}", "--emit", "systemd", "--entdrill-bin",
      "entdrill\nExecStartPre=/bin/true"), "--entdrill-bin", False),
    (("schedule", "--plan", "{plan}", "--emit", "k8s-cronjob", "--image", "x\n  evil: 1"),
     "--image", False),
    (("schedule", "--plan", "{plan}", "--emit", "crontab", "--entdrill-bin", ""),
     "--entdrill-bin", False),
]  # fmt: skip


def cases() -> list[Case]:
    return [
        Case(
            KLASS,
            args,
            2,
            names,
            files={"records.db": Copy("records")} if records else {},
            ident=" ".join(args)[:70],
        )
        for args, names, records in CASES
    ]

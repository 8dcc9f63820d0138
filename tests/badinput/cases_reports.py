"""Class "data files": the content of files read for their data, once they are text.

Flood reports given to ``flood merge`` with keys missing, NaN, wrong types, foreign or garbled
histograms, shards out of range; population CSVs with a name twice, a missing column or nobody;
replay files with offsets of a trillion seconds, NaN or text; sandbox settings with unknown
names or values of another type. Each is refused with exit 2 naming the file (and the field or
line), before anything is merged, sent or started.
"""

from __future__ import annotations

import json
from typing import Any

from hdrh.histogram import HdrHistogram

from entdrill.flood.stats import new_histogram

from .corpus import Case

KLASS = "data files"


def _histogram() -> dict[str, Any]:
    histogram = new_histogram()
    histogram.record_value(25_000)
    return {"latency_ms": {"count": 1}, "histogram": histogram.encode().decode("ascii")}


def report(shard: int = 0, shards: int = 2) -> dict[str, Any]:
    """A small, valid shard report (what ``flood --shard I/N --report`` writes)."""
    entry = _histogram()
    return {
        "format": "entdrill-flood-report/1",
        "target": "http://127.0.0.1:8800",
        "schedule": {"fingerprint": "abc123", "total": 2},
        "shards": {"count": shards, "indices": [shard], "complete": False},
        "started_at": 1_700_000_000.0,
        "ended_at": 1_700_000_002.0,
        "stopped_by": "",
        "totals": {"asked": 1, "achieved": 1, "started": 1, "completed": 1, "failed": 0},
        "errors": {},
        "scenarios": {
            "http-get": {
                "asked": 1,
                "started": 1,
                "completed": 1,
                "failed": 0,
                "errors": {},
                "steps": {"get": {"count": 1, "errors": {}, **entry}},
                "login": None,
                "journey": entry,
            }
        },
        "dispatch_lag": entry,
        "series": {"asked": [1], "achieved": [1], "completed": [1]},
        "max_in_flight": 1,
    }


def _broken(path: list[Any], value: Any, *, delete: bool = False) -> str:
    data = report()
    target = data
    for key in path[:-1]:
        target = target[key]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return json.dumps(data)


def _foreign_histogram() -> str:
    other = HdrHistogram(1, 10**12, 2)
    other.record_value(5)
    return other.encode().decode("ascii")


#: (label, second report's text, what the sentence names)
REPORTS: list[tuple[str, str, str]] = [
    ("no schedule", _broken(["schedule"], None, delete=True), "schedule"),
    ("no fingerprint", _broken(["schedule", "fingerprint"], None, delete=True), "fingerprint"),
    ("no shards", _broken(["shards"], None, delete=True), "shards"),
    ("shard index out of range", _broken(["shards", "indices"], [7]), "shards.indices[0]"),
    ("shard count zero", _broken(["shards", "count"], 0), "shards.count"),
    ("NaN started_at", json.dumps(report(1)).replace("1700000000.0", "NaN"), "NaN"),
    ("a text for a count", _broken(["totals", "completed"], "many"), "totals.completed"),
    ("a negative count", _broken(["errors"], {"timeout": -3}), "errors.timeout"),
    ("a list for scenarios", _broken(["scenarios"], []), "scenarios"),
    ("no journey", _broken(["scenarios", "http-get", "journey"], None, delete=True), "journey"),
    ("a garbled histogram", _broken(["dispatch_lag", "histogram"], "SElTVEZBQUFB"), "dispatch_lag"),
    ("not base64", _broken(["dispatch_lag", "histogram"], "%%%"), "dispatch_lag"),
    ("a foreign histogram", _broken(["dispatch_lag", "histogram"], _foreign_histogram()),
     "dispatch_lag.histogram"),
    ("a huge histogram", _broken(["dispatch_lag", "histogram"], "A" * 100_000), "dispatch_lag"),
    ("an unknown series", _broken(["series", "bogus"], [1]), "series"),
    ("a series of a million seconds", _broken(["series", "asked"], [0] * 1_000_000), "series.asked"),
    ("a boolean count", _broken(["max_in_flight"], True), "max_in_flight"),
    ("another format", _broken(["format"], "locust"), "is not an entdrill flood report"),
    ("an array", "[1, 2]", "is not an entdrill flood report"),
    ("truncated JSON", json.dumps(report(1))[:200], "is not JSON"),
    ("deeply nested", "[" * 100_000 + "]" * 100_000, "is not JSON"),
    ("another scenario", json.dumps(report(1)).replace('"http-get"', '"pupil-login"'),
     "different scenarios"),
    ("the same shard", json.dumps(report(0)), "already in another report"),
    ("another schedule", json.dumps(report(1)).replace("abc123", "def456"), "different schedules"),
]  # fmt: skip

USERS: list[tuple[str, str, str]] = [
    ("a username twice", "username,password,role\na,b,pupil\nc,d,pupil\na,e,pupil\n",
     "users.csv:4: the username 'a' is already on line 2"),
    ("no role column", "username,password\na,b\n", "the header lacks role"),
    ("nobody", "username,password,role\n", "the file lists nobody"),
    ("an empty file", "", "the header lacks"),
    ("an empty password", "username,password,role\na,,pupil\n", "users.csv:2: no password"),
    ("too many fields", "username,password,role\na,b,pupil,x\n", "more fields than the header"),
    ("no pupil", "username,password,role\na,b,teacher\n", "nobody has the role 'pupil'"),
    ("an unclosed quote", 'username,password,role\n"a,b,pupil\n', "users.csv"),
]  # fmt: skip

ARRIVALS: list[tuple[str, str, str]] = [
    ("an offset of a trillion seconds", "0\n1e12\n", "arrivals.txt:2"),
    ("NaN", "0\nnan\n", "arrivals.txt:2"),
    ("infinity", "inf\n", "arrivals.txt:1"),
    ("a negative offset", "-1\n", "arrivals.txt:1"),
    ("text", "soon\n", "arrivals.txt:1"),
    ("an unknown scenario", "0,pupil-login\n", "scenario 'pupil-login' is not in the mix"),
    ("nothing", "# only a comment\n", "the file holds no arrival"),
]

SETTINGS: list[tuple[str, str, str]] = [
    ("an unknown setting", "replicaz: 3\n", "unknown sandbox setting(s): replicaz"),
    ("replicas as text", 'replicas: "three"\n', "replicas must be a whole number"),
    ("a boolean port", "ent_port: true\n", "ent_port must be a whole number"),
    ("a list", "- 1\n- 2\n", "expected a mapping of settings"),
    ("a YAML syntax error", "replicas: [\n", "YAML syntax error"),
    ("NaN", "login_cost_ms: .nan\n", "not a finite number"),
    ("a duplicate key", "replicas: 2\nreplicas: 3\n", "appears twice"),
    ("ports shared", "ent_port: 38800\nbridge_port: 38800\n", "cannot share port 38800"),
    ("a population of billions", "schools: 1000\npupils_per_school: 100000\n",
     "pupils_per_school"),
    ("a store that is not redis", 'store_url: "mysql://x"\n', "store_url"),
]  # fmt: skip


STATES: list[tuple[str, str]] = [
    ("not JSON", "garbage\n"),
    ("a list", "[]\n"),
    ("no config", "{}\n"),
    ("a number for the config", '{"config": 5}\n'),
    ("NUL bytes", '{"config": \u0000}\n'),
]


def cases() -> list[Case]:
    found = []
    for label, text in STATES:
        for args in (("sandbox", "status"), ("sandbox", "status", "--json"), ("sandbox", "down"),
                     ("sandbox", "up")):  # fmt: skip
            found.append(
                Case(
                    KLASS,
                    args,
                    2,
                    "state.json",
                    files={"home/sandbox/state.json": text},
                    # down takes the sandbox's own lock file first (a set-up sandbox has it)
                    creates=("home/sandbox/lock",) if args[1] == "down" else (),
                    ident=f"{' '.join(args)}: a sandbox state file with {label}",
                )
            )
    first = json.dumps(report(0))
    for label, text, names in REPORTS:
        found.append(
            Case(
                KLASS,
                ("flood", "merge", "a.json", "b.json"),
                2,
                names,
                files={"a.json": first, "b.json": text},
                ident=f"flood merge: {label}",
            )
        )
    for label, text, names in USERS:
        found.append(
            Case(
                KLASS,
                (
                    "flood",
                    "--target",
                    "http://127.0.0.1:9",
                    "--scenario",
                    "pupil-login",
                    "--users",
                    "users.csv",
                    "--rate",
                    "1",
                    "--duration",
                    "1",
                ),
                2,
                names,
                files={"users.csv": text},
                ident=f"flood --users: {label}",
            )
        )
    for label, text, names in ARRIVALS:
        found.append(
            Case(
                KLASS,
                (
                    "flood",
                    "--target",
                    "http://127.0.0.1:9",
                    "--scenario",
                    "http-get",
                    "--profile",
                    "replay",
                    "--arrivals",
                    "arrivals.txt",
                ),
                2,
                names,
                files={"arrivals.txt": text},
                ident=f"flood --arrivals: {label}",
            )
        )
    for label, text, names in SETTINGS:
        found.append(
            Case(
                KLASS,
                ("sandbox", "up", "--config", "settings.yaml"),
                2,
                names,
                files={"settings.yaml": text},
                ident=f"sandbox up --config: {label}",
            )
        )
    return found

"""Where a request's CPU goes in ``entdrill flood``: flame graphs, and a table in microseconds.

Two runs of ``entdrill flood``, each alone on CPU 1 (the target on CPU 0):

- ``http-get`` against Debian's nginx, offered 1.15x the rate a short probe reached (50 in
  flight), as ``bench/flood_vs_locust.py`` measures it;
- ``pupil-login`` (the CAS flow) against the sandbox ENT at ``--cas-rate`` (20 in flight).

Each runs three times: plainly (client CPU per completed journey, from ``getrusage``), under
py-spy (``--native``: Python and C frames; an SVG flame graph in ``--out``), and under perf
(``cpu-clock`` samples, kernel included: the split by where the code lives). The py-spy samples
spent waiting (``epoll_wait``, ``select``) are left out, the others are put in the first
category found walking from the sampled frame to the root (libcurl, the scenario, the
engine...), and every share is turned into microseconds of the plain run's CPU per journey.

Needs: ``pip install py-spy`` (in the project's venv), ``apt-get install -y linux-perf nginx-light``.
Run: ``.venv/bin/python bench/profile_flood.py [--out bench/flames] [--seconds 8]``
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from flood_vs_locust import (
    CLIENT_CPU,
    HTTP_GET,
    SERVER_CPU,
    TOKEN,
    child_cpu_s,
    compile_entdrill,
    pin_process,
    pinned,
    start_nginx,
)

from entdrill.testing import free_config, running_sandbox

IDLE_LEAVES = ("epoll_wait", "select (", "__select", "poll (", "epoll_pwait")
# (category, what a frame of it contains), tried from the sampled frame towards the root
CATEGORIES = (
    ("libcurl (HTTP, connections, its system calls)", ("libcurl",)),
    ("scenario (journey steps, form reading)", ("(scenarios/", "probes/form.py", "allowlist.py")),
    ("stats (histograms, series)", ("(stats.py",)),
    ("arrivals (schedule, cursor)", ("(arrivals.py", "(schedule.py")),
    ("socket watch (epoll)", ("(sockets.py",)),
    ("engine loop (dispatch, pycurl calls, waking up)", ("(engine.py", "(handles.py")),
    ("report", ("(report.py",)),
)
OTHER = "start-up, guard, exit"


def flood_argv(url: str, rate: float, seconds: int, report: Path, extra: list[str]) -> list[str]:
    return [
        sys.executable,
        "-m",
        "entdrill.cli.flood",
        "--target",
        url,
        "--rate",
        f"{rate:.1f}",
        "--duration",
        str(seconds),
        "--processes",
        "1",
        "--report",
        str(report),
        *extra,
    ]


def run(argv: list[str], env: dict[str, str], prefix: list[str] = ()) -> None:  # type: ignore[assignment]
    subprocess.run(
        [*prefix, *pinned(CLIENT_CPU, argv)],
        env=env,
        check=False,
        stdin=subprocess.DEVNULL,
        capture_output=True,
    )


def categorize(raw: Path) -> dict[str, float]:
    """Shares of the busy samples of a py-spy raw profile, by category."""
    counts: collections.Counter[str] = collections.Counter()
    for line in raw.read_text().splitlines():
        stack, _, number = line.rpartition(" ")
        frames = stack.split(";")
        if any(leaf in frames[-1] for leaf in IDLE_LEAVES):
            continue
        category = OTHER
        for frame in reversed(frames):
            found = next((name for name, marks in CATEGORIES if any(m in frame for m in marks)), "")
            if found:
                category = found
                break
        counts[category] += int(number)
    total = sum(counts.values()) or 1
    return {name: counts[name] / total for name, _ in (*CATEGORIES, (OTHER, ()))}


def by_object(data: Path) -> dict[str, float]:
    """Shares of perf's samples by where the code lives (kernel, libcurl, libpython, libc)."""
    out = subprocess.run(
        ["perf", "report", "-i", str(data), "--stdio", "--sort", "dso", "-g", "none"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    shares: dict[str, float] = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0].endswith("%"):
            name = parts[1]
            name = (
                "kernel"
                if "kernel" in name
                else "libcurl"
                if "libcurl" in name
                else "Python interpreter"
                if "libpython" in name
                else "libc"
                if name.startswith("libc.")
                else "other"
            )
            shares[name] = shares.get(name, 0.0) + float(parts[0].rstrip("%")) / 100
    return shares


def profile(name: str, argv: list[str], env: dict[str, str], out: Path, report: Path) -> dict:
    before = child_cpu_s()
    run(argv, env)
    cpu = child_cpu_s() - before
    result = json.loads(report.read_text())
    journeys = max(1, result["totals"]["completed"])
    us = 1e6 * cpu / journeys
    raw = out / f"{name}.raw"
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    run(argv, env, [py_spy, "record", "--native", "-r", "997", "-f", "raw", "-o", str(raw), "--"])
    run(
        argv, env, [py_spy, "record", "--native", "-r", "997", "-o", str(out / f"{name}.svg"), "--"]
    )
    shares = categorize(raw)
    raw.unlink()
    split: dict[str, float] = {}
    if shutil.which("perf"):
        data = out / f"{name}.perf"
        run(
            argv,
            env,
            ["perf", "record", "-q", "-e", "cpu-clock", "-F", "4999", "-o", str(data), "--"],
        )
        split = by_object(data)
        data.unlink()
    return {
        "journeys": journeys,
        "cpu_s": round(cpu, 3),
        "cpu_us_per_journey": round(us, 1),
        "py_spy_us_per_journey": {k: round(v * us, 1) for k, v in shares.items()},
        "perf_us_per_journey": {k: round(v * us, 1) for k, v in split.items()},
        "flame_graph": str(out / f"{name}.svg"),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "flames")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--cas-rate", type=float, default=200.0)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    compile_entdrill()
    env = dict(os.environ, ENTDRILL_CONSENT_TOKEN=TOKEN, ENTDRILL_MAX_RATE="1000000")
    results = {}
    with tempfile.TemporaryDirectory(prefix="entdrill-profile-") as tmp:
        root = Path(tmp)
        root.chmod(0o755)
        nginx, url = start_nginx(root)
        try:
            probe = root / "probe.json"
            run(flood_argv(url, 200_000, 3, probe, HTTP_GET), env)
            completed = json.loads(probe.read_text())["series"]["completed"][1:3]
            rate = 1.15 * sum(completed) / len(completed)
            report = root / "get.json"
            argv = flood_argv(url, rate, args.seconds, report, HTTP_GET)
            results["http-get"] = {
                "offered": round(rate),
                **profile("http-get", argv, env, args.out, report),
            }
        finally:
            nginx.terminate()
            nginx.wait(10)
        config = free_config(login_cost_ms=1.0, pupils_per_school=200, ent_queue=4096)
        with running_sandbox(root / "sandbox", config) as status:
            for component in status["components"]:
                if component["pid"]:
                    pin_process(component["pid"], SERVER_CPU)
            report = root / "cas.json"
            extra = [
                "--scenario",
                "pupil-login",
                "--users",
                status["population_csv"],
                "--max-in-flight",
                "20",
            ]
            cas_env = dict(env, ENTDRILL_CONSENT_TOKEN=status["consent_token"])
            argv = flood_argv(status["ent_url"], args.cas_rate, args.seconds, report, extra)
            results["pupil-login"] = {
                "offered": args.cas_rate,
                **profile("pupil-login", argv, cas_env, args.out, report),
            }
    results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

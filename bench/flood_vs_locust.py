"""entdrill flood against Locust's FastHttpUser and wrk, per core, same machine, same run.

Target: Debian's nginx serving a small static file on loopback (pinned to CPU 0), its access log
(``$msec``) as the independent observer of arrivals. Each client runs alone, pinned to CPU 1:

1. capacity, ``http-get``: wrk (1 thread, keep-alive), Locust FastHttpUser (1 process, no wait),
   ``entdrill flood`` (1 process, open model offered far above capacity; completions per second);
2. arrival accuracy: ``entdrill flood`` at half its measured capacity for ``ACCURACY_S`` seconds;
   for every one-second window of the schedule after the first, the requests nginx logged in that
   window against the arrivals the schedule asked for in it (must be within 2 %);
3. the CAS login flow (form, POST, ticket, portal page, app page) against the sandbox ENT when
   it is available (``--cas``): entdrill ``pupil-login`` against Locust running the same flow.

Needs: ``apt-get install -y nginx-light wrk``; Locust is installed by this script in its own
environment, ``bench/.venv-locust``. Prints the figures and the ratios as JSON.

Run: ``.venv/bin/python bench/flood_vs_locust.py [--seconds 8] [--cas]``
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from entdrill.testing import free_port

HERE = Path(__file__).resolve().parent
LOCUST_VENV = HERE / ".venv-locust"
TOKEN = "bench-consent-token"
SERVER_CPU, CLIENT_CPU = "0", "1"
CONNECTIONS = 50
ACCURACY_S = 10
IDLE_S = 3  # the idle runs of the CAS comparison (steady state = whole run minus idle run)
CAS_USERS = 20  # Locust users in the CAS comparison

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log;
events {{ worker_connections 4096; }}
http {{
    log_format arrivals '$msec $status';
    access_log {root}/access.log arrivals buffer=256k flush=1s;
    keepalive_requests 1000000;
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        root {root}/www;
        location = /.well-known/entdrill-consent {{ default_type text/plain; return 200 "{token}"; }}
    }}
}}
"""

CAS_LOCUSTFILE = """
import csv, random, re, urllib.parse
from locust import FastHttpUser, constant, task

PUPILS = [r for r in csv.DictReader(open({population!r})) if r["role"] == "pupil"]
EXECUTION = re.compile(r'name="execution" value="([^"]+)"')

class Pupil(FastHttpUser):
    wait_time = constant(0)

    @task
    def login(self):
        self.client.cookiejar.clear()
        person = random.choice(PUPILS)
        service = urllib.parse.quote(self.host + "/", safe="")
        form = self.client.get(f"/cas/login?service={{service}}", name="login-form")
        execution = EXECUTION.search(form.text).group(1)
        data = {{"username": person["username"], "password": person["password"],
                "execution": execution, "_eventId": "submit"}}
        self.client.post(f"/cas/login?service={{service}}", data=data, name="credentials")
        self.client.get("/homework", name="app-page")
"""

IDLE_LOCUSTFILE = """
import csv, random, re, urllib.parse
from locust import FastHttpUser, constant, task

class Pupil(FastHttpUser):
    wait_time = constant(3600)

    @task
    def login(self):
        pass
"""

LOCUSTFILE = """
from locust import FastHttpUser, constant, task

class Get(FastHttpUser):
    wait_time = constant(0)

    @task
    def get(self):
        self.client.get("/index.html")
"""


def pinned(cpu: str, argv: list[str]) -> list[str]:
    return ["taskset", "-c", cpu, *argv]


def start_nginx(root: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    (root / "www").mkdir(parents=True)
    (root / "www" / "index.html").write_text("<html>entdrill bench</html>\n")
    conf = root / "nginx.conf"
    conf.write_text(NGINX_CONF.format(root=root, port=port, token=TOKEN))
    process = subprocess.Popen(pinned(SERVER_CPU, ["nginx", "-c", str(conf), "-p", str(root)]))
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/index.html", timeout=1).close()
            return process, url
        except OSError:
            time.sleep(0.05)
    raise SystemExit("nginx did not start")


def child_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wrk_rate(url: str, seconds: int) -> float:
    out = subprocess.run(
        pinned(
            CLIENT_CPU, ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", url + "/index.html"]
        ),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]


def ensure_locust() -> Path:
    locust = LOCUST_VENV / "bin" / "locust"
    if not locust.exists():
        subprocess.run([sys.executable, "-m", "venv", str(LOCUST_VENV)], check=True)
        subprocess.run(
            [str(LOCUST_VENV / "bin" / "pip"), "install", "-q", "locust>=2.20"], check=True
        )
    return locust


def locust_stats(url: str, seconds: int, locustfile: str, users: int) -> dict[str, dict[str, str]]:
    """Locust's final stats, by request name (``Aggregated`` for the total)."""
    locust = ensure_locust()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "locustfile.py"
        path.write_text(locustfile)
        prefix = Path(tmp) / "stats"
        subprocess.run(
            pinned(
                CLIENT_CPU,
                [
                    str(locust),
                    "-f",
                    str(path),
                    "--headless",
                    "--host",
                    url,
                    "-u",
                    str(users),
                    "-r",
                    str(users),
                    "-t",
                    f"{seconds}s",
                    "--csv",
                    str(prefix),
                    "--only-summary",
                    "--loglevel",
                    "ERROR",
                ],
            ),
            capture_output=True,
            check=False,
        )
        lines = (Path(f"{prefix}_stats.csv")).read_text().splitlines()
    header = lines[0].split(",")
    rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:]]
    return {row["Name"]: row for row in rows}


def locust_rate(url: str, seconds: int, locustfile: str, users: int = CONNECTIONS) -> float:
    """Requests per second over every request of Locust's run."""
    return float(locust_stats(url, seconds, locustfile, users)["Aggregated"]["Requests/s"])


def entdrill_flood(url: str, rate: float, seconds: float, report: Path, extra: list[str]) -> dict:
    env = dict(os.environ, ENTDRILL_CONSENT_TOKEN=TOKEN, ENTDRILL_MAX_RATE="1000000")
    argv = [
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
    subprocess.run(pinned(CLIENT_CPU, argv), env=env, check=False, stdin=subprocess.DEVNULL)
    return json.loads(report.read_text())


def flood_capacity(url: str, seconds: int, root: Path) -> float:
    """Completions per second when offered a little more than it can do (first a rough probe)."""
    options = [
        "--scenario",
        "http-get",
        "--path",
        "/index.html",
        "--max-in-flight",
        str(CONNECTIONS),
    ]

    def completed_per_s(rate: float, duration: int) -> float:
        report = entdrill_flood(url, rate, duration, root / "capacity.json", options)
        completed = report["series"]["completed"][:duration]
        steady = completed[1:] or completed
        return sum(steady) / len(steady)

    rough = completed_per_s(60_000, 3)
    return completed_per_s(rough * 1.15, seconds)


def arrival_accuracy(url: str, rate: float, root: Path) -> dict:
    log = root / "access.log"
    report = entdrill_flood(
        url,
        rate,
        ACCURACY_S,
        root / "accuracy.json",
        ["--scenario", "http-get", "--path", "/index.html"],
    )
    time.sleep(1.5)  # nginx flushes its buffered log every second
    os.kill(int((root / "nginx.pid").read_text()), signal.SIGUSR1)  # reopen: flush now
    time.sleep(0.5)
    start = report["started_at"]
    seen = [0] * ACCURACY_S
    for line in log.read_text().splitlines():
        stamp = float(line.split()[0])
        window = int(stamp - start)
        if stamp - start >= 0 and window < ACCURACY_S:
            seen[window] += 1
    asked = report["series"]["asked"][:ACCURACY_S]
    errors = [abs(s - a) / max(a, 1) for s, a in zip(seen[1:], asked[1:], strict=True)]
    return {
        "rate": round(rate, 1),
        "asked": asked,
        "observed_by_nginx": seen,
        "worst_window_error_pct": round(100 * max(errors), 3),
        "within_2pct": max(errors) <= 0.02,
        # entdrill's own books, to tell a late client from a late target when the two differ
        "sent_by_entdrill": report["series"]["achieved"][:ACCURACY_S],
        "entdrill_dispatch_lag_ms": report["dispatch_lag"]["latency_ms"],
    }


def compile_entdrill() -> None:
    """Byte-compile entdrill's modules, as pip does for an installed package (Locust's)."""
    import entdrill

    compileall.compile_dir(Path(entdrill.__file__).parent, quiet=1)


def locust_logins(url: str, seconds: int, population: str, idle: bool = False) -> dict[str, float]:
    """Locust running the CAS flow: completed logins (app pages reached), client CPU seconds."""
    locustfile = IDLE_LOCUSTFILE if idle else CAS_LOCUSTFILE.format(population=population)
    before = child_cpu_s()
    stats = locust_stats(url, seconds, locustfile, CAS_USERS)
    cpu = child_cpu_s() - before
    logins = int(stats["app-page"]["Request Count"]) if "app-page" in stats else 0
    failures = int(stats["Aggregated"]["Failure Count"])
    return {"logins": logins, "failures": failures, "cpu_s": round(cpu, 3)}


def entdrill_logins(url: str, seconds: int, population: str, token: str, rate: float) -> dict:
    """entdrill ``pupil-login`` at ``rate``: completed logins, client CPU seconds, errors."""
    with tempfile.TemporaryDirectory(prefix="entdrill-bench-cas-") as tmp:
        before = child_cpu_s()
        report = entdrill_flood(
            url,
            rate,
            seconds,
            Path(tmp) / "cas.json",
            ["--scenario", "pupil-login", "--users", population, "--consent-token", token],
        )
        cpu = child_cpu_s() - before
    return {
        "logins": report["totals"]["completed"],
        "errors": report["errors"],
        "cpu_s": round(cpu, 3),
    }


def _per_cpu_s(run: dict) -> float:
    return float(run["logins"]) / max(run["cpu_s"], 1e-9)


def _ms_per_login(run: dict, idle: dict) -> float:
    return 1000 * (run["cpu_s"] - idle["cpu_s"]) / max(1, run["logins"] - idle["logins"])


def cas_comparison(seconds: int, repeat: int = 1) -> dict:
    """Logins per client CPU-second: Locust running the CAS flow, then entdrill at Locust's rate."""
    from entdrill.testing import free_config, running_sandbox

    compile_entdrill()
    runs = []
    with tempfile.TemporaryDirectory(prefix="entdrill-bench-cas-") as tmp:
        config = free_config(login_cost_ms=1.0, pupils_per_school=200, ent_queue=4096)
        with running_sandbox(Path(tmp) / "sandbox", config) as status:
            for component in status["components"]:
                if component["pid"]:
                    subprocess.run(
                        ["taskset", "-pc", SERVER_CPU, str(component["pid"])],
                        capture_output=True,
                        check=False,
                    )
            url, population = status["ent_url"], status["population_csv"]
            token = status["consent_token"]
            for _ in range(repeat):
                load = os.getloadavg()[0]
                locust_long = locust_logins(url, seconds, population)
                rate = max(1.0, locust_long["logins"] / seconds)
                flood_long = entdrill_logins(url, seconds, population, token, rate)
                locust_short = locust_logins(url, IDLE_S, population, idle=True)
                flood_short = entdrill_logins(url, IDLE_S, population, token, 1 / IDLE_S)
                locust_ms = _ms_per_login(locust_long, locust_short)
                flood_ms = _ms_per_login(flood_long, flood_short)
                runs.append(
                    {
                        "load_average": round(load, 2),
                        "logins_per_s": round(rate, 1),
                        "locust": {"run": locust_long, "idle": locust_short},
                        "entdrill": {"run": flood_long, "idle": flood_short},
                        "whole_process_logins_per_cpu_s": {
                            "locust": round(_per_cpu_s(locust_long), 1),
                            "entdrill": round(_per_cpu_s(flood_long), 1),
                        },
                        "whole_process_ratio": round(
                            _per_cpu_s(flood_long) / _per_cpu_s(locust_long), 2
                        ),
                        "steady_state_cpu_ms_per_login": {
                            "locust": round(locust_ms, 3),
                            "entdrill": round(flood_ms, 3),
                        },
                        "steady_state_ratio": round(locust_ms / max(flood_ms, 1e-9), 2),
                    }
                )
                print(json.dumps(runs[-1]), file=sys.stderr)
    return {
        "median_whole_process_ratio": statistics.median(r["whole_process_ratio"] for r in runs),
        "median_steady_state_ratio": statistics.median(r["steady_state_ratio"] for r in runs),
        "median_whole_process_logins_per_cpu_s": {
            tool: round(
                statistics.median(r["whole_process_logins_per_cpu_s"][tool] for r in runs), 1
            )
            for tool in ("locust", "entdrill")
        },
        "median_steady_state_cpu_ms_per_login": {
            tool: round(
                statistics.median(r["steady_state_cpu_ms_per_login"][tool] for r in runs), 3
            )
            for tool in ("locust", "entdrill")
        },
        "runs": runs,
    }


def http_get_comparison(seconds: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="entdrill-bench-") as tmp:
        root = Path(tmp)
        root.chmod(0o755)  # nginx's worker (nobody) reads the static file
        nginx, url = start_nginx(root)
        try:
            wrk = wrk_rate(url, seconds)
            print(f"wrk: {wrk:.0f} requests/s", file=sys.stderr)
            locust = locust_rate(url, seconds, LOCUSTFILE)
            print(f"locust FastHttpUser: {locust:.0f} requests/s", file=sys.stderr)
            flood = flood_capacity(url, seconds, root)
            print(f"entdrill flood: {flood:.0f} requests/s", file=sys.stderr)
            (root / "access.log").write_text("")
            os.kill(nginx.pid, signal.SIGUSR1)
            time.sleep(0.5)
            accuracy = arrival_accuracy(url, flood / 2, root)
        finally:
            nginx.terminate()
            nginx.wait(10)
    return {
        "per_core_requests_per_s": {
            "wrk": round(wrk),
            "locust_fasthttpuser": round(locust),
            "entdrill_flood": round(flood),
        },
        "ratios": {
            "entdrill_over_locust": round(flood / locust, 2),
            "entdrill_over_wrk": round(flood / wrk, 3),
        },
        "arrival_accuracy_at_half_capacity": accuracy,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--cas", action="store_true", help="also the CAS login flow (sandbox)")
    parser.add_argument("--cas-only", action="store_true", help="only the CAS login flow")
    parser.add_argument("--repeat", type=int, default=1, help="CAS comparisons to run")
    args = parser.parse_args()
    for tool in ("nginx", "wrk", "taskset"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is missing: apt-get install -y nginx-light wrk util-linux")
    load_before = os.getloadavg()
    compile_entdrill()
    out: dict = {} if args.cas_only else http_get_comparison(args.seconds)
    out["cas_login_flow"] = (
        cas_comparison(args.seconds, args.repeat)
        if args.cas or args.cas_only
        else "not run (--cas)"
    )
    out["load_average_before"] = [round(x, 2) for x in load_before]
    out["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

"""entdrill flood against Locust's FastHttpUser and wrk, per core, same machine, same run.

Target: Debian's nginx serving a small static file on loopback (pinned to CPU 0), its access log
(``$msec``) as the independent observer of arrivals. Each client runs alone, pinned to CPU 1.
Run as root, targets and clients run at ``nice -10``, ahead of other work on a shared machine.
"Per core" is per second of the client's own CPU time (``getrusage`` of the child), so a target
slowed by other work on the machine does not make a client look cheaper or dearer than it is:

1. ``http-get`` capacity: wrk (1 thread, keep-alive), Locust FastHttpUser (1 process, no wait),
   ``entdrill flood`` (1 process, open model offered 1.15x the rate it reached in a short
   probe); requests per client CPU-second over the run, start-up taken off (each tool's idle run
   of the same command);
2. refusals: ``entdrill flood`` offered 10x that rate, next to the 1.15x run: the completions of
   the 10x run as a share of the 1.15x run's (wall clock and per CPU-second);
3. arrival accuracy: ``entdrill flood`` at half its capacity for ``ACCURACY_S`` seconds; for every
   one-second window of the schedule after the first, the requests nginx logged in that window
   against the arrivals the schedule asked for in it;
4. the CAS login flow (form, POST, ticket, portal page, app page) against the sandbox ENT
   (``--cas``): entdrill ``pupil-login`` at the rate Locust reached running the same flow (the
   ENT is the bottleneck: both clients idle between responses);
5. the same flow per core (``--cas``): each client at its own capacity against nginx playing the
   sandbox ENT's pages (``cas_at_capacity``), since the sandbox ENT saturates first.

``--repeat N`` runs 1, 2 and 4 N times and prints medians. Needs: ``apt-get install -y
nginx-light wrk``; Locust is installed by this script in its own environment,
``bench/.venv-locust``. Prints the figures and the ratios as JSON.

Run: ``.venv/bin/python bench/flood_vs_locust.py [--seconds 8] [--cas] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
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
from collections.abc import Iterator
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


PRIORITY = "-10"  # targets and clients ahead of other work on a shared machine (root only)


WRAP: list[str] = []  # put before every client's command (callgrind, for --instructions)
CALLGRIND_LOG = Path(tempfile.gettempdir()) / f"entdrill-bench-callgrind-{os.getpid()}.log"


def pinned(cpu: str, argv: list[str]) -> list[str]:
    """``argv`` on CPU ``cpu``, at a higher priority than other work when allowed (as root)."""
    nice = ["nice", "-n", PRIORITY] if os.geteuid() == 0 else []
    return [*nice, "taskset", "-c", cpu, *(WRAP if cpu == CLIENT_CPU else []), *argv]


@contextlib.contextmanager
def counting_instructions() -> Iterator[None]:
    """Clients run under callgrind: instructions executed, the same whatever the load."""
    WRAP[:] = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        f"--log-file={CALLGRIND_LOG}",
    ]
    try:
        yield
    finally:
        WRAP.clear()


def collected() -> int:
    """The instructions the last client executed (callgrind's ``Collected``)."""
    text = CALLGRIND_LOG.read_text()
    CALLGRIND_LOG.unlink()
    return int(re.search(r"Collected : (\d+)", text).group(1))  # type: ignore[union-attr]


def pin_process(pid: int, cpu: str) -> None:
    """Move a running process, every thread of it, to CPU ``cpu`` (and raise their priority,
    as ``pinned`` does)."""
    subprocess.run(["taskset", "-a", "-pc", cpu, str(pid)], capture_output=True, check=False)
    if os.geteuid() == 0:
        threads = [t.name for t in Path(f"/proc/{pid}/task").iterdir()]
        subprocess.run(["renice", "-n", PRIORITY, "-p", *threads], capture_output=True, check=False)


def start_nginx(root: Path) -> tuple[subprocess.Popen[bytes], str]:
    (root / "www").mkdir(parents=True)
    (root / "www" / "index.html").write_text("<html>entdrill bench</html>\n")
    return run_nginx(root, NGINX_CONF, "nginx")


def run_nginx(
    root: Path, template: str, what: str, **values: str
) -> tuple[subprocess.Popen[bytes], str]:
    """nginx with the configuration ``template`` (filled with ``root``, a free port, the consent
    token and ``values``), pinned to CPU 0, once it answers on its consent path: (process, URL)."""
    port = free_port()
    conf = root / "nginx.conf"
    conf.write_text(template.format(root=root, port=port, token=TOKEN, **values))
    process = subprocess.Popen(pinned(SERVER_CPU, ["nginx", "-c", str(conf), "-p", str(root)]))
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/.well-known/entdrill-consent", timeout=1).close()
            return process, url
        except OSError:
            if process.poll() is not None:
                error_log = root / "error.log"
                text = error_log.read_text() if error_log.exists() else ""
                raise SystemExit(f"{what} exited: {text}") from None
            time.sleep(0.05)
    raise SystemExit(f"{what} did not start")


def child_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wrk_run(url: str, seconds: int) -> dict[str, float]:
    """wrk's requests and client CPU seconds."""
    before = child_cpu_s()
    out = subprocess.run(
        pinned(
            CLIENT_CPU, ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", url + "/index.html"]
        ),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cpu = child_cpu_s() - before
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return {"requests": requests, "cpu_s": round(cpu, 3), "wall_rate": round(requests / seconds)}


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


def locust_run(url: str, seconds: int, locustfile: str, users: int = CONNECTIONS) -> dict:
    """Locust's requests (every request of the run) and client CPU seconds."""
    before = child_cpu_s()
    stats = locust_stats(url, seconds, locustfile, users)
    cpu = child_cpu_s() - before
    requests = int(stats["Aggregated"]["Request Count"]) if "Aggregated" in stats else 0
    return {"requests": requests, "cpu_s": round(cpu, 3), "wall_rate": round(requests / seconds)}


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


HTTP_GET = ["--scenario", "http-get", "--path", "/index.html", "--max-in-flight", str(CONNECTIONS)]


def flood_run(url: str, rate: float, seconds: int, root: Path) -> dict:
    """``entdrill flood`` offered ``rate``: completions (over the run and per second of the
    schedule after the first), client CPU seconds."""
    before = child_cpu_s()
    report = entdrill_flood(url, rate, seconds, root / "capacity.json", HTTP_GET)
    cpu = child_cpu_s() - before
    completed = report["series"]["completed"][:seconds]
    steady = completed[1:] or completed
    return {
        "offered": round(rate),
        "requests": report["totals"]["completed"],
        "refused": report["totals"]["refused"],
        "cpu_s": round(cpu, 3),
        "wall_rate": round(sum(steady) / len(steady)),
        "errors": {k: v for k, v in report["errors"].items() if k != "refused"},
    }


def per_cpu_s(run: dict, idle: dict) -> float:
    """Requests per client CPU-second, the idle run's CPU (start-up, end) taken off."""
    return float(run["requests"]) / max(run["cpu_s"] - idle["cpu_s"], 1e-9)


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
    """entdrill ``pupil-login`` at ``rate``, at most ``CAS_USERS`` journeys in flight (Locust's
    concurrency): completed logins, client CPU seconds, errors (refusals apart), the login p95.

    Offered exactly the rate the target sustains, an open model has no steady state: its queue
    grows as long as the run lasts (1,200 journeys in flight after 6 s here), and the client's
    cost per login would measure that pile-up (a thousand connections, which libcurl's pool
    searches for every request), not the client. Capped at Locust's 20 users, both tools hold
    the same concurrency; the arrivals beyond it are refused and counted, and cost next to
    nothing.
    """
    with tempfile.TemporaryDirectory(prefix="entdrill-bench-cas-") as tmp:
        before = child_cpu_s()
        report = entdrill_flood(
            url,
            rate,
            seconds,
            Path(tmp) / "cas.json",
            [
                "--scenario",
                "pupil-login",
                "--users",
                population,
                "--consent-token",
                token,
                "--max-in-flight",
                str(CAS_USERS),
            ],
        )
        cpu = child_cpu_s() - before
    login = report["scenarios"]["pupil-login"]["login"]["latency_ms"]
    return {
        "logins": report["totals"]["completed"],
        "refused": report["totals"]["refused"],
        "errors": {k: v for k, v in report["errors"].items() if k != "refused"},
        "cpu_s": round(cpu, 3),
        "login_p95_ms": login["p95"],
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
                    pin_process(component["pid"], SERVER_CPU)
            url, population = status["ent_url"], status["population_csv"]
            token = status["consent_token"]
            for _ in range(repeat):
                load = os.getloadavg()[0]
                locust_long = locust_logins(url, seconds, population)
                rate = max(1.0, locust_long["logins"] / seconds)
                flood_long = entdrill_logins(url, seconds, population, token, rate)
                locust_short = locust_logins(url, IDLE_S, population, idle=True)
                flood_short = entdrill_logins(url, IDLE_S, population, token, 1 / IDLE_S)
                runs.append(
                    cas_round(
                        load,
                        {"run": locust_long, "idle": locust_short},
                        {"run": flood_long, "idle": flood_short},
                        logins_per_s=round(rate, 1),
                    )
                )
    return cas_medians(runs)


def cas_round(load: float, locust: dict, flood: dict, **extra: object) -> dict:
    """One round of a CAS comparison: each tool's run and idle run, logins per CPU-second over
    the whole process and CPU per login in the steady state (printed as it comes)."""
    locust_ms = _ms_per_login(locust["run"], locust["idle"])
    flood_ms = _ms_per_login(flood["run"], flood["idle"])
    out = {
        "load_average": round(load, 2),
        **extra,
        "locust": locust,
        "entdrill": flood,
        "whole_process_logins_per_cpu_s": {
            "locust": round(_per_cpu_s(locust["run"]), 1),
            "entdrill": round(_per_cpu_s(flood["run"]), 1),
        },
        "whole_process_ratio": round(_per_cpu_s(flood["run"]) / _per_cpu_s(locust["run"]), 2),
        "steady_state_cpu_ms_per_login": {
            "locust": round(locust_ms, 3),
            "entdrill": round(flood_ms, 3),
        },
        "steady_state_ratio": round(locust_ms / max(flood_ms, 1e-9), 2),
    }
    print(json.dumps(out), file=sys.stderr)
    return out


def cas_medians(runs: list[dict]) -> dict:
    """The medians of ``cas_round``'s figures over the rounds, and the rounds."""

    def median(key: str, tool: str, digits: int) -> float:
        return round(statistics.median(r[key][tool] for r in runs), digits)

    return {
        "median_whole_process_ratio": statistics.median(r["whole_process_ratio"] for r in runs),
        "median_steady_state_ratio": statistics.median(r["steady_state_ratio"] for r in runs),
        "median_whole_process_logins_per_cpu_s": {
            tool: median("whole_process_logins_per_cpu_s", tool, 1)
            for tool in ("locust", "entdrill")
        },
        "median_steady_state_cpu_ms_per_login": {
            tool: median("steady_state_cpu_ms_per_login", tool, 3)
            for tool in ("locust", "entdrill")
        },
        "runs": runs,
    }


CAS_DOUBLE_CONF = """
worker_processes 1;
daemon off;
pid {root}/nginx.pid;
error_log {root}/error.log;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    keepalive_requests 1000000;
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        default_type "text/html; charset=utf-8";
        location = /.well-known/entdrill-consent {{ default_type text/plain; return 200 "{token}"; }}
        location = /cas/login {{
            add_header Cache-Control no-store;
            if ($request_method = POST) {{
                add_header Cache-Control no-store;
                add_header Set-Cookie "TGC=TGT-$request_id; HttpOnly; Path=/cas; SameSite=Lax";
                return 302 http://127.0.0.1:{port}/?ticket=ST-$request_id;
            }}
            return 200 '{form}';
        }}
        location = / {{
            if ($arg_ticket) {{
                add_header Cache-Control no-store;
                add_header Set-Cookie "ENTSESSION=$request_id; HttpOnly; Path=/; SameSite=Lax";
                return 302 /;
            }}
            if ($cookie_ENTSESSION = "") {{ return 302 /cas/login?service=$scheme%3A%2F%2F$http_host%2F; }}
            return 200 '{home}';
        }}
        location = /homework {{
            if ($cookie_ENTSESSION = "") {{ return 302 /cas/login?service=$scheme%3A%2F%2F$http_host%2F; }}
            return 200 '{homework}';
        }}
    }}
}}
"""


def capture_pages(url: str, population: str) -> dict[str, str]:
    """The sandbox ENT's login form, portal page and app page, as one pupil's login sees them."""
    import csv
    import http.cookiejar
    import urllib.parse

    with open(population, newline="") as file:
        pupil = next(row for row in csv.DictReader(file) if row["role"] == "pupil")
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    service = urllib.parse.quote(url + "/", safe="")
    with opener.open(f"{url}/cas/login?service={service}", timeout=10) as reply:
        form = reply.read().decode()
    execution = re.search(r'name="execution" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    data = urllib.parse.urlencode(
        {
            "username": pupil["username"],
            "password": pupil["password"],
            "execution": execution,
            "_eventId": "submit",
        }
    ).encode()
    with opener.open(f"{url}/cas/login?service={service}", data=data, timeout=10) as reply:
        home = reply.read().decode()  # the ticket's redirects followed to the portal page
    with opener.open(f"{url}/homework", timeout=10) as reply:
        homework = reply.read().decode()
    action = re.search(r'<form[^>]* action="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    form = form.replace(execution, "$request_id").replace(
        f'action="{action}"', 'action="$request_uri"'
    )
    pages = {"form": form, "home": home, "homework": homework}
    for name, page in pages.items():
        if (
            "'" in page
            or "\\" in page
            or ("$" in page.replace("$request_id", "").replace("$request_uri", ""))
        ):
            raise SystemExit(f"the sandbox's {name} page cannot be put in nginx's configuration")
    return pages


def start_cas_double(root: Path, pages: dict[str, str]) -> str:
    """nginx answering the CAS flow with the sandbox's own pages (a fresh ``execution``, ticket
    and session cookie per answer from ``$request_id``; the portal and app page send a request
    without the session cookie back to CAS), pinned to CPU 0: a target no client here can
    saturate, so each client runs at its own capacity."""
    return run_nginx(root, CAS_DOUBLE_CONF, "nginx (CAS double)", **pages)[1]


def cas_at_capacity(seconds: int, repeat: int = 1) -> dict:
    """Logins per client CPU-second with each client at its own capacity (per core): Locust's
    20 users without waits, and ``entdrill flood --scenario pupil-login`` offered 1.15x the rate
    a 3 s probe reached, at most 20 journeys in flight, against nginx playing the sandbox's CAS
    flow (the sandbox ENT, one core of Python, saturates before either client does)."""
    from entdrill.testing import free_config, running_sandbox

    compile_entdrill()
    runs = []
    with tempfile.TemporaryDirectory(prefix="entdrill-bench-cas-double-") as tmp:
        root = Path(tmp)
        root.chmod(0o755)
        config = free_config(login_cost_ms=1.0, pupils_per_school=200, ent_queue=4096)
        with running_sandbox(root / "sandbox", config) as status:
            pages = capture_pages(status["ent_url"], status["population_csv"])
            population = str(root / "population.csv")
            shutil.copy(status["population_csv"], population)
        url = start_cas_double(root, pages)
        try:
            for _ in range(repeat):
                load = os.getloadavg()[0]
                locust_long = locust_logins(url, seconds, population)
                locust_short = locust_logins(url, IDLE_S, population, idle=True)
                probe = entdrill_logins(url, 3, population, TOKEN, 200_000)
                rate = 1.15 * probe["logins"] / 3
                flood_long = entdrill_logins(url, seconds, population, TOKEN, rate)
                flood_short = entdrill_logins(url, IDLE_S, population, TOKEN, 1 / IDLE_S)
                runs.append(
                    cas_round(
                        load,
                        {"run": locust_long, "idle": locust_short},
                        {"probe": probe, "run": flood_long, "idle": flood_short},
                        logins_per_s={
                            "locust": round(locust_long["logins"] / seconds, 1),
                            "entdrill_offered": round(rate, 1),
                            "entdrill": round(flood_long["logins"] / seconds, 1),
                        },
                    )
                )
        finally:
            os.kill(int((root / "nginx.pid").read_text()), signal.SIGTERM)
    return cas_medians(runs)


def http_get_once(url: str, seconds: int, root: Path) -> dict:
    """One round of the ``http-get`` comparison: each tool, then entdrill offered 10x."""
    wrk = wrk_run(url, seconds)
    locust = locust_run(url, seconds, LOCUSTFILE)
    locust_idle = locust_run(url, IDLE_S, IDLE_LOCUSTFILE)
    rough = flood_run(url, 200_000, 3, root)["wall_rate"]
    flood = flood_run(url, rough * 1.15, seconds, root)
    flood_idle = flood_run(url, 1 / IDLE_S, IDLE_S, root)
    flood_10x = flood_run(url, rough * 10, seconds, root)
    per_core = {
        "wrk": round(wrk["requests"] / max(wrk["cpu_s"], 1e-9)),
        "locust_fasthttpuser": round(per_cpu_s(locust, locust_idle)),
        "entdrill_flood": round(per_cpu_s(flood, flood_idle)),
    }
    out = {
        "load_average": round(os.getloadavg()[0], 2),
        "per_core_requests_per_cpu_s": per_core,
        "entdrill_over_locust": round(
            per_core["entdrill_flood"] / per_core["locust_fasthttpuser"], 2
        ),
        "entdrill_over_wrk": round(per_core["entdrill_flood"] / per_core["wrk"], 3),
        "offered_10x_over_1_15x": {
            "completions_per_s": round(flood_10x["wall_rate"] / max(flood["wall_rate"], 1), 3),
            "completions_per_cpu_s": round(
                per_cpu_s(flood_10x, flood_idle) / max(per_cpu_s(flood, flood_idle), 1e-9), 3
            ),
        },
        "runs": {
            "wrk": wrk,
            "locust": {"run": locust, "idle": locust_idle},
            "entdrill": {"run_1_15x": flood, "run_10x": flood_10x, "idle": flood_idle},
        },
    }
    print(json.dumps(out), file=sys.stderr)
    return out


def http_get_comparison(seconds: int, repeat: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="entdrill-bench-") as tmp:
        root = Path(tmp)
        root.chmod(0o755)  # nginx's worker (nobody) reads the static file
        nginx, url = start_nginx(root)
        try:
            rounds = [http_get_once(url, seconds, root) for _ in range(repeat)]
            capacity = statistics.median(
                r["runs"]["entdrill"]["run_1_15x"]["wall_rate"] for r in rounds
            )
            (root / "access.log").write_text("")
            os.kill(nginx.pid, signal.SIGUSR1)
            time.sleep(0.5)
            accuracy = arrival_accuracy(url, capacity / 2, root)
        finally:
            nginx.terminate()
            nginx.wait(10)

    def median(key: str, tool: str = "") -> float:
        values = [r[key][tool] if tool else r[key] for r in rounds]
        return statistics.median(values)

    return {
        "median_per_core_requests_per_cpu_s": {
            tool: round(median("per_core_requests_per_cpu_s", tool))
            for tool in ("wrk", "locust_fasthttpuser", "entdrill_flood")
        },
        "median_entdrill_over_locust": median("entdrill_over_locust"),
        "median_entdrill_over_wrk": median("entdrill_over_wrk"),
        "median_offered_10x_over_1_15x": {
            key: statistics.median(r["offered_10x_over_1_15x"][key] for r in rounds)
            for key in ("completions_per_s", "completions_per_cpu_s")
        },
        "rounds": rounds,
        "arrival_accuracy_at_half_capacity": accuracy,
    }


def instruction_comparison(seconds: int) -> dict:
    """Instructions per request (``http-get``) and per login (CAS), every client under
    callgrind, start-up taken off (each tool's idle run): a load-independent cost. Locust runs
    at least 20 s (under callgrind its users take seconds to start)."""
    out: dict = {}
    seconds = max(seconds, 20)
    with tempfile.TemporaryDirectory(prefix="entdrill-bench-") as tmp:
        root = Path(tmp)
        root.chmod(0o755)
        nginx, url = start_nginx(root)
        try:
            with counting_instructions():
                wrk = wrk_run(url, 4)
                wrk_ir = collected()
                runs = {
                    "locust": (locust_run(url, seconds, LOCUSTFILE), collected()),
                    "locust_idle": (locust_run(url, IDLE_S, IDLE_LOCUSTFILE), collected()),
                    "entdrill": (flood_run(url, 5000, 4, root), collected()),
                    "entdrill_idle": (flood_run(url, 1 / IDLE_S, IDLE_S, root), collected()),
                }
        finally:
            nginx.terminate()
            nginx.wait(10)
    per = {"wrk": wrk_ir / max(1, wrk["requests"])}
    for tool in ("locust", "entdrill"):
        (run, ir), (idle, idle_ir) = runs[tool], runs[f"{tool}_idle"]
        per[tool] = (ir - idle_ir) / max(1, run["requests"] - idle["requests"])
    out["http_get_instructions_per_request"] = {k: round(v) for k, v in per.items()}
    out["http_get_entdrill_over_locust"] = round(per["locust"] / per["entdrill"], 2)
    out["http_get_requests"] = {k: v[0]["requests"] for k, v in runs.items()}
    from entdrill.testing import free_config, running_sandbox

    with tempfile.TemporaryDirectory(prefix="entdrill-bench-cas-") as tmp:
        config = free_config(login_cost_ms=1.0, pupils_per_school=200, ent_queue=4096)
        with running_sandbox(Path(tmp) / "sandbox", config) as status:
            for component in status["components"]:
                if component["pid"]:
                    pin_process(component["pid"], SERVER_CPU)
            url, population = status["ent_url"], status["population_csv"]
            token = status["consent_token"]
            with counting_instructions():
                logins = {
                    "locust": (locust_logins(url, seconds, population), collected()),
                    "locust_idle": (locust_logins(url, IDLE_S, population, idle=True), collected()),
                    "entdrill": (entdrill_logins(url, 4, population, token, 20), collected()),
                    "entdrill_idle": (
                        entdrill_logins(url, IDLE_S, population, token, 1 / IDLE_S),
                        collected(),
                    ),
                }
    per_login = {}
    for tool in ("locust", "entdrill"):
        (run, ir), (idle, idle_ir) = logins[tool], logins[f"{tool}_idle"]
        per_login[tool] = (ir - idle_ir) / max(1, run["logins"] - idle["logins"])
    out["cas_instructions_per_login"] = {k: round(v) for k, v in per_login.items()}
    out["cas_entdrill_over_locust"] = round(per_login["locust"] / per_login["entdrill"], 2)
    out["cas_logins"] = {k: v[0]["logins"] for k, v in logins.items()}
    print(json.dumps(out), file=sys.stderr)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument(
        "--cas",
        action="store_true",
        help="also the CAS login flow (sandbox, and per core against nginx)",
    )
    parser.add_argument("--cas-only", action="store_true", help="only the CAS login flow")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of each comparison (medians)")
    parser.add_argument(
        "--instructions", action="store_true", help="also instructions per request (callgrind)"
    )
    args = parser.parse_args()
    for tool in ("nginx", "wrk", "taskset", *(("valgrind",) if args.instructions else ())):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is missing: apt-get install -y nginx-light wrk util-linux")
    load_before = os.getloadavg()
    compile_entdrill()
    out: dict = {} if args.cas_only else http_get_comparison(args.seconds, args.repeat)
    out["cas_login_flow"] = (
        cas_comparison(args.seconds, args.repeat)
        if args.cas or args.cas_only
        else "not run (--cas)"
    )
    out["cas_login_flow_at_capacity"] = (
        cas_at_capacity(args.seconds, args.repeat)
        if args.cas or args.cas_only
        else "not run (--cas)"
    )
    if args.instructions:
        out["instructions"] = instruction_comparison(args.seconds)
    out["load_average_before"] = [round(x, 2) for x in load_before]
    out["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

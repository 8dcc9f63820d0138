"""Start the staging ENT's three sites (see the package docstring) and stop them afterwards."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from entdrill.testing import free_port

ROOT = Path(__file__).resolve().parents[2]
CONSENT_TOKEN = "staging-ent-consent-for-tests"
HOSTS = {"cas": "127.0.0.2", "portal": "127.0.0.1", "forms": "127.0.0.3"}
POPULATION = [
    ("eleve.martin", "Tableau-noir-1", "pupil"),
    ("eleve.durand", "Tableau-noir-2", "pupil"),
    ("eleve.petit", "Tableau-noir-3", "pupil"),
    ("parent.martin", "Cartable-4", "parent"),
    ("prof.bernard", "Craie-blanche-5", "teacher"),
]


@dataclass(frozen=True)
class StagingEnt:
    """Where each site answers, and the population both CAS and the form login know."""

    cas_url: str  # http://127.0.0.2:PORT/cas
    portal_url: str  # http://127.0.0.1:PORT
    forms_url: str  # http://127.0.0.3:PORT
    population_csv: Path
    logs: Path

    @property
    def portal_service_prefix(self) -> str:
        return f"{self.portal_url}/accounts/login/"


def write_population(path: Path) -> Path:
    lines = ["username,password,role,school"]
    lines += [f"{user},{password},{role},lycee-test" for user, password, role in POPULATION]
    path.write_text("\n".join(lines) + "\n")
    return path


def _environment(site: str, directory: Path, cas_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        STAGING_ENT_SITE=site,
        STAGING_ENT_DB=str(directory / f"{site}.sqlite3"),
        STAGING_ENT_CAS_URL=cas_url,
        STAGING_ENT_CONSENT_TOKEN=CONSENT_TOKEN,
        PYTHONPATH=str(ROOT),
    )
    return env


def _wait(url: str, process: subprocess.Popen[bytes], log: Path, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout_s} s")


@contextlib.contextmanager
def running(directory: Path) -> Iterator[StagingEnt]:
    """Seed the three sites in ``directory``, serve them on loopback, stop them afterwards."""
    directory.mkdir(parents=True, exist_ok=True)
    ports = {site: free_port() for site in HOSTS}
    urls = {site: f"http://{HOSTS[site]}:{ports[site]}" for site in HOSTS}
    ent = StagingEnt(
        cas_url=urls["cas"] + "/cas",
        portal_url=urls["portal"],
        forms_url=urls["forms"],
        population_csv=write_population(directory / "population.csv"),
        logs=directory,
    )
    service = "^" + re.escape(ent.portal_service_prefix) + ".*$"
    python = sys.executable
    seeds = [
        subprocess.Popen(
            [python, "-m", "tests.staging_ent.serve", "seed", site, str(ent.population_csv)]
            + ([service] if site == "cas" else []),
            env=_environment(site, directory, ent.cas_url),
            cwd=ROOT,
        )
        for site in HOSTS
    ]
    for seeding in seeds:
        if seeding.wait(timeout=120) != 0:
            raise RuntimeError(f"seeding a staging ENT site failed: {seeding.args}")
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for site in HOSTS:
            log = directory / f"{site}.log"
            with log.open("ab") as out:
                processes.append(
                    subprocess.Popen(
                        [
                            python,
                            "-m",
                            "tests.staging_ent.serve",
                            site,
                            HOSTS[site],
                            str(ports[site]),
                        ],
                        env=_environment(site, directory, ent.cas_url),
                        cwd=ROOT,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )
        for site, process in zip(HOSTS, processes, strict=True):
            _wait(urls[site] + "/.well-known/entdrill-consent", process, directory / f"{site}.log")
        yield ent
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

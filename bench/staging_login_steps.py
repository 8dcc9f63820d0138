"""Where a login spends its time against a real CAS server, step by step, for each journey.

Starts the staging ENT the tests use (``tests/staging_ent``: django-cas-server, a portal on
django-cas-ng, Django's LoginView; each on waitress, on loopback) and measures, per journey:

* the probe (``entdrill.probes.login.journey_login``), ``--logins`` logins one after the other:
  p50 and p95 of each step (login form, credentials, ticket validation, app page), and each
  step's share of the whole login (the peer every step is read against, measured in the same run);
* a flood (``entdrill flood``, open model) at ``--rate`` logins/s for ``--seconds``: each step's
  p50/p95 from the report, latencies from the intended start of each arrival.

Run from the repository: ``.venv/bin/python bench/staging_login_steps.py [--logins 20]
[--rate 2] [--seconds 10]``. Figures move with the machine's load (printed with them).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from entdrill.flood import plan as plan_module
from entdrill.flood.runner import run_shard
from entdrill.journeys import LoginJourney, build
from entdrill.probes.login import journey_login
from tests.staging_ent.sites import CONSENT_TOKEN, POPULATION, StagingEnt, running


def journeys(ent: StagingEnt) -> dict[str, tuple[LoginJourney, dict]]:
    portal = {"target": ent.portal_url, "cas_url": ent.cas_url}
    return {
        "cas-portal": (
            build(kind="cas-portal", ent_base_url=ent.portal_url, cas_url=ent.cas_url),
            portal | {"journey": "cas-portal"},
        ),
        "cas": (
            build(ent_base_url=ent.portal_url, cas_url=ent.cas_url,
                  service_url=ent.portal_url + "/accounts/login/?next=%2Fhomework"),
            portal | {"service_url": ent.portal_url + "/accounts/login/?next=%2Fhomework"},
        ),
        "form": (
            build(kind="form", ent_base_url=ent.forms_url, login_url=ent.forms_url + "/accounts/login/",
                  success="url:/homework"),
            {"target": ent.forms_url, "journey": "form", "login_url": ent.forms_url + "/accounts/login/",
             "login_success": "url:/homework"},
        ),
    }  # fmt: skip


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def probe_split(journey: LoginJourney, logins: int) -> None:
    steps: dict[str, list[float]] = {}
    totals = []
    for i in range(logins):
        user, password, _ = POPULATION[i % 3]
        result = journey_login(journey, user, password, page="/homework")
        assert result.ok, result
        totals.append(result.seconds)
        for step, seconds in result.steps.items():
            steps.setdefault(step, []).append(seconds)
    whole = statistics.median(totals)
    print(f"  probe, {logins} logins one after the other: whole login p50 {whole * 1000:.1f} ms")
    for step, values in steps.items():
        p50 = statistics.median(values)
        print(f"    {step:12} p50 {p50 * 1000:7.1f} ms  p95 {percentile(values, 0.95) * 1000:7.1f} ms"
              f"  share of the login {p50 / whole:5.2f}")  # fmt: skip


def flood_split(options: dict, users: Path, rate: float, seconds: float) -> None:
    plan = plan_module.build(plan_module.FloodOptions(
        scenario="pupil-login", users=str(users), rate=rate, duration=seconds, processes=1,
        app_path="/homework", **options))  # fmt: skip
    report = run_shard(plan, CONSENT_TOKEN, install_signals=False)
    scenario = report["scenarios"]["pupil-login"]
    print(f"  flood at {rate:g} logins/s for {seconds:g} s: {scenario['completed']} of "
          f"{scenario['asked']} completed, errors {report['errors'] or 'none'}")  # fmt: skip
    for step, figures in scenario["steps"].items():
        latency = figures["latency_ms"]
        print(f"    {step:12} p50 {latency['p50']:7.1f} ms  p95 {latency['p95']:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--logins", type=int, default=20)
    parser.add_argument("--rate", type=float, default=2.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory, running(Path(directory)) as ent:
        print(f"load average before: {os.getloadavg()[0]:.2f}")
        for name, (journey, options) in journeys(ent).items():
            print(f"journey {name}:")
            probe_split(journey, args.logins)
            flood_split(options, ent.population_csv, args.rate, args.seconds)
        print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

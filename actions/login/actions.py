"""Actions on the login path: start a login storm (``entdrill flood``, its own processes), stop it."""

import logging

from chaoslib.exceptions import ActivityFailed

from actions.types import Configuration, JsonList, JsonObject, Secrets
from entdrill.capacity import activity as capacity_activity
from entdrill.errors import EntdrillError
from entdrill.flood import all_runs, find_run, start_run, stop_run, storm_options

__all__ = ["find_breaking_point", "start_login_storm", "stop_login_storm"]
logger = logging.getLogger("chaostoolkit")


def start_login_storm(
    profile: str = "school-morning",
    multiplier: float = 10.0,
    normal_rate: float = 2.0,
    duration_s: float = 60.0,
    mix: str = "pupil-login=6,parent-login=3,teacher-login=1",
    processes: int = 0,
    max_in_flight: int = 2000,
    seed: int = 2021,
    configuration: Configuration = None,
    secrets: Secrets = None,
) -> JsonObject:
    """Start a login storm against the staging ENT and return at once (the storm runs on its own).

    Users log in along the configured journey (`login_journey`, `cas_url`, `cas_service_url`,
    `login_url`, `login_success`, `app_path`). The guard rails are checked before it starts; a
    storm that cannot start fails this action, and the staging control interrupts the run.

    profile: `school-morning`, `spike` or `constant` (at multiplier x normal_rate).
    multiplier: the peak as a multiple of normal_rate (10 = ten times normal).
    normal_rate: normal logins per second on this ENT.
    duration_s: length of the storm in seconds.
    mix: scenarios and weights, e.g. `pupil-login=8,credential-stuffing=2`.
    processes: storm processes (0 = one per core); max_in_flight: journeys in flight at most.
    Returns `{"run_id", "report_path", "log_path", "pid"}`; the storm's own processes do the work.
    """
    try:
        options, token, bridge_secret = storm_options(
            configuration or {},
            secrets or {},
            profile=profile,
            multiplier=multiplier,
            normal_rate=normal_rate,
            duration_s=duration_s,
            mix=mix,
            processes=processes,
            max_in_flight=max_in_flight,
            seed=seed,
        )
        run = start_run(options, token, bridge_secret=bridge_secret)
    except EntdrillError as error:
        raise ActivityFailed(f"Cannot start the login storm: {error}") from error
    logger.info("Login storm %s started against %s (pid %d)", run.run_id, run.target, run.pid)
    return {
        "run_id": run.run_id,
        "report_path": run.report_path,
        "log_path": run.log_path,
        "pid": run.pid,
    }


def stop_login_storm(
    run_id: str = "", configuration: Configuration = None, secrets: Secrets = None
) -> JsonList:
    """Stop a login storm (by run_id), or every storm started from here when run_id is empty.

    Returns one `{"run_id", "was_running", "running"}` per storm.
    """
    try:
        targets = [find_run(run_id)] if run_id else all_runs()
    except EntdrillError as error:
        raise ActivityFailed(f"Cannot stop the login storm: {error}") from error
    stopped = [stop_run(run) for run in targets]
    logger.info("Login storms stopped: %s", [s["run_id"] for s in stopped if s["was_running"]])
    return stopped


def find_breaking_point(
    from_multiple: float = 10.0,
    to_multiple: float = 300.0,
    normal_rate: float = 2.0,
    required_multiple: float = 100.0,
    factor: float = 1.5,
    step_s: float = 5.0,
    refine: int = 2,
    p95_budget_s: float = 2.0,
    max_errors: float = 0.01,
    mix: str = "pupil-login=6,parent-login=3,teacher-login=1",
    processes: int = 1,
    configuration: Configuration = None,
    secrets: Secrets = None,
) -> JsonObject:
    """Offer logins at rising rates until the ENT breaks its objective; return the report.

    from_multiple, to_multiple: the range searched, as multiples of normal_rate (logins/s).
    required_multiple: the load the ENT must hold; the report's headroom is sustained/required.
    factor: each step offers the rate before it times factor; step_s: seconds per step.
    refine: extra steps between the last rate held and the first broken.
    p95_budget_s, max_errors: the objective (login p95 in seconds, share of failed journeys).
    mix: scenarios and weights; processes: flood processes per step.
    Returns the capacity report: `sustained_rate`, `breaking_rate`, `sustained_multiple`,
    `headroom`, `broke_by`, `steps`, `verdict`. Every guard rail of `entdrill flood` applies.
    """
    try:
        report = capacity_activity.find_breaking_point(
            configuration or {},
            secrets or {},
            from_multiple=from_multiple,
            to_multiple=to_multiple,
            normal_rate=normal_rate,
            required_multiple=required_multiple,
            factor=factor,
            step_s=step_s,
            refine=refine,
            p95_budget_s=p95_budget_s,
            max_errors=max_errors,
            mix=mix,
            processes=processes,
        )
    except EntdrillError as error:
        raise ActivityFailed(f"Cannot find the breaking point: {error}") from error
    logger.info("Breaking point: %s", report["verdict"])
    return report

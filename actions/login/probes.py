"""Probes of the login path: one synthetic user along the staging ENT's login journey."""

import logging

from chaoslib.exceptions import ActivityFailed

from actions.types import Configuration, JsonObject, Secrets
from entdrill.capacity import activity as capacity_activity
from entdrill.errors import EntdrillError
from entdrill.flood import check_portal, find_run, run_result, wait_run
from entdrill.probes import staging

__all__ = ["capacity_headroom", "login_storm_report", "portal_available", "synthetic_login"]
logger = logging.getLogger("chaostoolkit")


def synthetic_login(
    role: str = "pupil",
    page: str = "",
    timeout_s: float = 5.0,
    configuration: Configuration = None,
    secrets: Secrets = None,
) -> JsonObject:
    """Log one user in along the configured login journey and open a page; return ok and seconds.

    role: whose account to use, from the population file (`pupil`, `parent`, `teacher`, `staff`);
    the configuration's `probe_username` and `probe_password` are used instead when given.
    page: the page opened once logged in (default: the configuration's `probe_page`); it must
    answer without sending the user back to the login.
    timeout_s: the limit for each HTTP request.
    Returns `{"ok", "seconds", "step", "status", "error", "failure", "url", "steps", "username"}`:
    `failure` names the step that failed (`form_not_found`, `credentials_refused`,
    `ticket_refused`, `page_missing`, ...), `steps` the seconds each step took.
    """
    try:
        result = staging.login(configuration or {}, role=role, page=page, timeout_s=timeout_s)
    except EntdrillError as error:
        raise ActivityFailed(f"Cannot run the synthetic login: {error}") from error
    logger.info(
        "Synthetic login of %s: ok=%s in %.3fs %s",
        result["username"], result["ok"], result["seconds"], result["error"],
    )  # fmt: skip
    return result


def login_storm_report(
    run_id: str = "",
    wait_s: float = 600.0,
    max_failed_percent: float = 1.0,
    max_login_p95_s: float = 2.0,
    configuration: Configuration = None,
    secrets: Secrets = None,
) -> JsonObject:
    """Wait for a login storm to end; return its report and its verdict against the tolerance.

    run_id: the storm (the latest one when empty). wait_s: how long to wait for it to end.
    max_failed_percent: the most logins, in percent, that may fail during the storm.
    max_login_p95_s: the most seconds the 95th percentile of logins may take during the storm.
    Returns `{"run_id", "headline", "report", "verdict"}` (no encoded histograms); `verdict` has
    `held`, `judged`, `failed_percent`, `login_p95_s`, `tolerance` and `broke` (sentences).
    """
    try:
        run = find_run(run_id)
        if not wait_run(run, wait_s):
            raise ActivityFailed(
                f"The login storm {run.run_id} is still running after {wait_s:g} s."
            )
        result = run_result(
            run, max_failed_percent=max_failed_percent, max_login_p95_s=max_login_p95_s
        )
    except EntdrillError as error:
        raise ActivityFailed(f"No login storm report: {error}") from error
    logger.info("Login storm %s: %s", result["run_id"], result["verdict"]["summary"])
    return result


def portal_available(
    path: str = "/",
    timeout_s: float = 5.0,
    configuration: Configuration = None,
    secrets: Secrets = None,
) -> JsonObject:
    """Ask the portal for a page once; it is available when it answers below 500 in time.

    path: the page (a redirect to the login counts as an answer).
    timeout_s: the limit for the request.
    Returns `{"ok", "status", "seconds", "error", "url"}`.
    """
    base = (configuration or {}).get("ent_base_url")
    if not base:
        raise ActivityFailed(
            "No ent_base_url in the configuration: is the staging control declared?"
        )
    result = check_portal(base.rstrip("/") + path, timeout_s=timeout_s)
    logger.info("Portal %s: status %s in %.3fs", path, result["status"], result["seconds"])
    return result


def capacity_headroom(
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
    reuse_s: float = 0.0,
    configuration: Configuration = None,
    secrets: Secrets = None,
) -> JsonObject:
    """Measure the headroom: the multiple of normal logins the ENT sustains over the required one.

    Runs a breaking-point search (the arguments of `find_breaking_point`) and returns its report;
    judge `headroom` (sustained multiple / required_multiple, 0 when even from_multiple broke)
    with a tolerance such as `{"type": "range", "range": [1.0, 1e9], "target": "headroom"}`.
    reuse_s: return the identical search this process made less than reuse_s seconds ago (an
    experiment with an empty method checks its hypothesis twice, before and after).
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
            reuse_s=reuse_s,
        )
    except EntdrillError as error:
        raise ActivityFailed(f"Cannot measure the headroom: {error}") from error
    logger.info("Capacity headroom %s: %s", report["headroom"], report["verdict"])
    return report

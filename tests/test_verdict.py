"""The run verdict: what a run showed, from what happened (pure, without Chaos Toolkit's runner)."""

from __future__ import annotations

from typing import Any

from entdrill.verdict import RunVerdict

STORM = {
    "type": "action",
    "name": "start-login-storm",
    "provider": {"module": "actions.login.actions", "func": "start_login_storm"},
}
REPORT = {"type": "probe", "name": "login-storm-report", "provider": {"module": "actions.login.probes", "func": "login_storm_report"},
          "tolerance": {"type": "jsonpath", "path": "$.verdict.held", "expect": True}}  # fmt: skip


def journal(**fields: Any) -> dict[str, Any]:
    return {"status": "completed", "deviated": False, "steady_states": {"during": []}, **fields}


def not_met(name: str, output: dict[str, Any]) -> dict[str, Any]:
    return {
        "steady_state_met": False,
        "probes": [{"activity": {"name": name}, "status": "succeeded", "output": output}],
    }


def test_a_steady_state_not_met_before_the_method_fails_the_run_naming_probe_url_and_status() -> (
    None
):
    verdict = RunVerdict()
    sentence = verdict.hypothesis_done(
        not_met(
            "pupil-logs-in",
            {
                "ok": False,
                "error": "page missing: HTTP 404 at http://127.0.0.1:8000/homework?format=json",
                "status": 404,
            },
        )
    )
    assert sentence == (
        "The steady state was not met before the method, so nothing was tested: probe "
        "'pupil-logs-in' page missing: HTTP 404 at http://127.0.0.1:8000/homework?format=json"
    )
    ran = journal()
    assert verdict.annotate(ran) == [sentence]
    assert ran["status"] == "failed" and ran["deviated"] is False
    assert ran["entdrill"]["not_tested_because"] == sentence


def test_a_storm_that_could_not_start_interrupts_and_fails_the_run() -> None:
    verdict = RunVerdict()
    verdict.method_started = True
    reason = verdict.activity_done(
        STORM,
        {
            "status": "failed",
            "exception": [
                "ActivityFailed: Cannot start the login storm: multiplier must be a number above 0, got 0\n"
            ],
        },
    )
    assert reason == (
        "load action 'start-login-storm' failed (Cannot start the login storm: "
        "multiplier must be a number above 0, got 0): the load this experiment is about never "
        "ran, so nothing was tested"
    )
    ran = journal()
    verdict.annotate(ran)
    assert ran["status"] == "failed"


def test_a_method_probe_out_of_its_tolerance_deviates_and_names_the_figure() -> None:
    verdict = RunVerdict()
    verdict.begin({}, {})
    verdict.method_started = True
    run = {
        "status": "succeeded",
        "output": {
            "verdict": {
                "held": False,
                "judged": True,
                "summary": "the storm broke the login path: 41% of logins failed",
            }
        },
    }
    assert verdict.activity_done(REPORT, run) == ""
    assert run["tolerance_met"] is False
    ran = journal()
    verdict.annotate(ran)
    assert ran["deviated"] is True and ran["status"] == "completed"
    assert ran["entdrill"]["deviated_because"] == [
        "probe 'login-storm-report' is out of its tolerance: the storm broke the login path: 41% of logins failed"
    ]


def test_a_storm_that_held_leaves_the_run_alone_and_an_unmeasured_one_fails_it() -> None:
    held = RunVerdict()
    held.begin({}, {})
    held.method_started = True
    held.activity_done(
        REPORT, {"status": "succeeded", "output": {"verdict": {"held": True, "judged": True}}}
    )
    ran = journal()
    assert held.annotate(ran) == [] and (ran["status"], ran["deviated"]) == ("completed", False)
    lost = RunVerdict()
    lost.begin({}, {})
    lost.method_started = True
    lost.activity_done(
        REPORT,
        {
            "status": "failed",
            "exception": ["ActivityFailed: No login storm report: the storm left no report\n"],
        },
    )
    ran = journal()
    lost.annotate(ran)
    assert ran["status"] == "failed" and ran["deviated"] is False


def test_a_steady_state_not_met_during_the_method_deviates() -> None:
    ran = journal(
        steady_states={
            "during": [
                {"steady_state_met": True, "probes": []},
                not_met(
                    "portal-answers", {"ok": False, "status": 503, "url": "http://127.0.0.1:8800/"}
                ),
            ]
        }
    )
    RunVerdict().annotate(ran)
    assert ran["deviated"] is True
    assert ran["entdrill"]["deviated_because"] == [
        "steady state not met during the method: probe 'portal-answers' got HTTP 503 from http://127.0.0.1:8800/"
    ]

"""A storm's verdict against the experiment's tolerance (pure)."""

from __future__ import annotations

from typing import Any

from entdrill.flood.tolerance import judge


def report(
    asked: int, failed: int, *, unfinished: int = 0, stopped: str = "", stuffing: int = 0
) -> dict[str, Any]:
    login = {"latency_ms": {"count": asked - failed}}
    scenarios: dict[str, Any] = {
        "pupil-login": {
            "asked": asked,
            "failed": failed,
            "login": login,
            "errors": {"http_5xx": failed - unfinished, "unfinished": unfinished},
        },
    }
    if stuffing:
        scenarios["credential-stuffing"] = {
            "asked": stuffing,
            "failed": stuffing,
            "login": None,
            "errors": {"http_5xx": stuffing},
        }
    return {"scenarios": scenarios, "stopped_by": stopped}


def headline(p95_ms: float, count: int = 10) -> dict[str, Any]:
    return {"login_ms": {"count": count, "p95": p95_ms}}


def test_a_storm_within_both_limits_held() -> None:
    verdict = judge(report(1000, 5), headline(800), max_failed_percent=1, max_login_p95_s=2)
    assert verdict["held"] is True and verdict["judged"] is True and verdict["broke"] == []
    assert verdict["failed_percent"] == 0.5 and verdict["login_p95_s"] == 0.8
    assert verdict["tolerance"] == {
        "max_failed_percent": 1,
        "max_login_p95_s": 2,
        "success_ratio": 0.99,
        "login_p95_ms": 2000,
    }


def test_the_verdict_names_each_figure_that_broke() -> None:
    verdict = judge(report(4927, 2030), headline(2010), max_failed_percent=1, max_login_p95_s=2)
    assert verdict["held"] is False
    assert verdict["broke"] == [
        "41.2% of logins failed (2030 of 4927), over the tolerance of 1%",
        "login p95 2.01 s during the storm, over the budget of 2 s",
    ]
    assert verdict["summary"].startswith("the storm broke the login path: 41.2% of logins failed")


def test_bots_do_not_count_as_failed_logins() -> None:
    verdict = judge(
        report(100, 0, stuffing=400), headline(100), max_failed_percent=1, max_login_p95_s=2
    )
    assert verdict["held"] is True and verdict["logins"] == 100


def test_journeys_cut_by_a_deliberate_stop_are_left_out_but_not_at_the_natural_end() -> None:
    stopped = judge(
        report(100, 3, unfinished=3, stopped="kill switch"),
        headline(100),
        max_failed_percent=1,
        max_login_p95_s=2,
    )
    assert stopped["held"] is True and stopped["logins"] == 97
    ended = judge(
        report(100, 3, unfinished=3), headline(100), max_failed_percent=1, max_login_p95_s=2
    )
    assert ended["held"] is False


def test_a_storm_with_nothing_to_judge_is_not_judged_and_does_not_hold() -> None:
    empty = judge(report(0, 0), {"login_ms": None}, max_failed_percent=1, max_login_p95_s=2)
    assert (empty["held"], empty["judged"]) == (False, False)
    assert empty["summary"] == "the storm offered no login: nothing was tested"
    withdrawn = judge(
        report(50, 0, stopped="consent withdrawn: 403"),
        headline(10),
        max_failed_percent=1,
        max_login_p95_s=2,
    )
    assert (withdrawn["held"], withdrawn["judged"]) == (False, False)


def test_no_completed_login_breaks_even_with_no_failure_counted() -> None:
    verdict = judge(
        report(10, 0), {"login_ms": {"count": 0}}, max_failed_percent=1, max_login_p95_s=2
    )
    assert verdict["broke"] == ["no login completed, so no login p95"]

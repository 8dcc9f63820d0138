"""What a ``chaos run`` showed, judged from what happened, not from Chaos Toolkit's status string.

Chaos Toolkit, by default, ends a run ``completed`` with exit 0 when the steady state was not met
*before* the method (nothing was tested), when an action failed (a storm that never started),
and when a probe of the method measured a broken system (tolerances are checked only in the
steady-state hypothesis, before and after the method). The staging control feeds
:class:`RunVerdict` from its hooks and writes the verdict into the journal, which the ``chaos``
command reads for its exit code:

* the steady state not met **before** the method: ``status: failed``, and
  ``entdrill.not_tested_because`` says which probe, which URL, which status (one sentence);
* a **load action** that failed (the storm could not start): the run is interrupted at once;
* a probe of the method or the rollbacks that carries a ``tolerance`` (Chaos Toolkit's own
  syntax, checked with its own ``within_tolerance``): out of tolerance deviates the run
  (``deviated: true``) and ``entdrill.deviated_because`` names the figure that broke; a probe
  that could not measure (it failed) makes the run ``failed``, never a pass;
* the steady state not met **during** the method (``--hypothesis-strategy continuously`` or
  ``during-method-only``, which Chaos Toolkit records without deviating): deviated.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: actions that start the load an experiment is about: if one fails, nothing is tested
LOAD_ACTIONS = frozenset({("actions.login.actions", "start_login_storm")})


def _name(activity: dict[str, Any] | None) -> str:
    return str((activity or {}).get("name", "?"))


_EXCEPTION_NAMES = re.compile(r"^(?:[A-Za-z_][\w.]*(?:Failed|Error|Exception): )+")


def _exception(run: dict[str, Any]) -> str:
    """The last line of an activity's exception, without the exception class names."""
    lines = [line.strip() for line in run.get("exception") or [] if line.strip()]
    return _EXCEPTION_NAMES.sub("", lines[-1]) if lines else "no detail"


def probe_detail(run: dict[str, Any]) -> str:
    """What a probe's run says about why it is out of tolerance, in words (URL and status)."""
    if run.get("status") == "failed":
        return f"failed: {_exception(run)}"
    output = run.get("output")
    if isinstance(output, dict):
        verdict = output.get("verdict")
        if isinstance(verdict, dict) and verdict.get("summary"):
            return str(verdict["summary"])
        if output.get("error"):
            return str(output["error"])
        if output.get("url"):
            return f"got HTTP {output.get('status')} from {output['url']}"
        if "success_ratio" in output:
            errors = "; ".join(f"{k} ({v})" for k, v in (output.get("errors") or {}).items())
            return (
                f"{output.get('ok')} of {output.get('count')} logins succeeded, p95 "
                f"{output.get('p95_s')} s" + (f"; errors: {errors}" if errors else "")
            )
        for side in ("primary", "backup"):
            attempt = output.get(side)
            if isinstance(attempt, dict) and attempt.get("error"):
                return f"{side} bridge: {attempt['error']}"
    shown = json.dumps(output, default=str)
    return f"returned {shown[:200]}, outside its tolerance"


class RunVerdict:
    """The verdict side of one experiment run (see the module docstring)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.method_started = False
        self.method_ended = False
        self.not_tested = ""
        self.could_not_start = ""
        self.deviations: list[str] = []
        self.unmeasured: list[str] = []
        self.configuration: dict[str, Any] = {}
        self.secrets: dict[str, Any] = {}

    def begin(self, configuration: dict[str, Any], secrets: dict[str, Any] | None) -> None:
        self.reset()
        self.configuration, self.secrets = configuration, secrets or {}

    @property
    def when(self) -> str:
        if not self.method_started:
            return "before"
        return "after" if self.method_ended else "during"

    def hypothesis_done(self, state: dict[str, Any] | None) -> str:
        """Note a steady-state check; the sentence to log when it was not met before the method."""
        if not isinstance(state, dict) or state.get("steady_state_met") is not False:
            return ""
        probes = state.get("probes") or [{}]
        last = probes[-1] if isinstance(probes[-1], dict) else {}
        name, detail = _name(last.get("activity")), probe_detail(last)
        if self.when != "before":
            return ""  # after: Chaos Toolkit deviates; during: read from the journal at the end
        self.not_tested = (
            f"The steady state was not met before the method, so nothing was tested: "
            f"probe {name!r} {detail}"
        )
        return self.not_tested

    def activity_done(self, activity: dict[str, Any] | None, run: dict[str, Any] | None) -> str:
        """Judge one activity's run; the reason to interrupt the experiment now, or ""."""
        if not activity or not isinstance(run, dict) or not self.method_started:
            return ""
        provider = activity.get("provider") or {}
        key = (provider.get("module"), provider.get("func"))
        if (
            activity.get("type") == "action"
            and key in LOAD_ACTIONS
            and run.get("status") == "failed"
        ) and not self.method_ended:
            self.could_not_start = (
                f"load action {_name(activity)!r} failed ({_exception(run)}): the load this "
                "experiment is about never ran, so nothing was tested"
            )
            return self.could_not_start
        tolerance = activity.get("tolerance")
        if activity.get("type") == "probe" and tolerance is not None:
            self._check(activity, run, tolerance)
        return ""

    def _check(self, activity: dict[str, Any], run: dict[str, Any], tolerance: Any) -> None:
        name = _name(activity)
        if run.get("status") == "failed":
            self.unmeasured.append(f"probe {name!r} could not measure: {_exception(run)}")
            return
        output = run.get("output")
        verdict = output.get("verdict") if isinstance(output, dict) else None
        if isinstance(verdict, dict) and verdict.get("judged") is False:
            self.unmeasured.append(f"probe {name!r}: {verdict.get('summary')}")
            return
        from chaoslib.hypothesis import within_tolerance

        met = bool(within_tolerance(tolerance, output, self.configuration, self.secrets))
        run["tolerance_met"] = met
        if not met:
            self.deviations.append(f"probe {name!r} is out of its tolerance: {probe_detail(run)}")

    def annotate(self, journal: dict[str, Any]) -> list[str]:
        """Write the verdict into the journal (status, deviated, the ``entdrill`` section);
        return the sentences that explain it, for the log."""
        during = (journal.get("steady_states") or {}).get("during") or []
        for state in during:
            if isinstance(state, dict) and state.get("steady_state_met") is False:
                probes = [p for p in state.get("probes") or [] if isinstance(p, dict)] or [{}]
                name, detail = _name(probes[-1].get("activity")), probe_detail(probes[-1])
                self.deviations.append(
                    f"steady state not met during the method: probe {name!r} {detail}"
                )
                break
        section = journal.setdefault("entdrill", {})
        section["not_tested_because"] = self.not_tested or self.could_not_start or None
        section["deviated_because"] = list(self.deviations)
        section["not_measured"] = list(self.unmeasured)
        if self.not_tested and journal.get("status") == "completed":
            journal["status"] = "failed"
        if self.could_not_start and journal.get("status") in ("completed", None):
            journal["status"] = "failed"
        if self.unmeasured and journal.get("status") == "completed":
            journal["status"] = "failed"
        if self.deviations and not self.not_tested:
            journal["deviated"] = True
        lines = [self.not_tested, self.could_not_start, *self.unmeasured, *self.deviations]
        return [line for line in lines if line]

"""One step of a breaking-point search judged against the objective (pure).

A step **holds** when the target answered (at least one journey completed), its p95 stayed
within the budget and its error share stayed within ``--max-errors``. It **breaks** otherwise,
and :class:`BrokeBy` says why: latency (the p95 against the budget) and/or errors (the share
against the maximum, with the flood report's causes: ``http_5xx``, ``timeout``, ``connection``,
``refused``, ``login_rejected``...).

The p95 is the **login** p95 (form, credentials, ticket: the CPU-heavy part) when the journeys
log in, else the whole journey's; both are timed from each arrival's intended start, so a target
that queues cannot hide it. The error share is failed journeys over journeys asked: arrivals the
flood refused (``--max-in-flight``) and journeys still unfinished at the end count as failed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from entdrill.capacity.policy import Done
from entdrill.flood import Report, headline


@dataclass(frozen=True)
class BrokeBy:
    """Why a step broke: ``latency`` and/or ``errors``, with the figures and the causes."""

    latency: bool
    errors: bool
    p95_ms: float | None
    budget_ms: float
    error_share: float
    max_errors: float
    causes: dict[str, int] = field(default_factory=dict)

    def sentence(self) -> str:
        """``p95 2.4 s over the 2 s budget; errors 12.0% over 1% (http_5xx 40, timeout 3)``."""
        parts = []
        if self.latency:
            shown = "no journey completed" if self.p95_ms is None else _ms(self.p95_ms)
            parts.append(f"p95 {shown} over the {_ms(self.budget_ms)} budget")
        if self.errors:
            causes = ", ".join(f"{cause} {count:,}" for cause, count in self.causes.items())
            parts.append(
                f"errors {self.error_share:.1%} over {self.max_errors:.1%}"
                + (f" ({causes})" if causes else "")
            )
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "why": self.sentence()}


@dataclass(frozen=True)
class StepResult:
    """The figures of one step and its verdict."""

    rate: float
    phase: str
    held: bool
    asked: int
    achieved: int
    completed: int
    failed: int
    error_share: float
    latency: str  # "login" or "journey": which p95 was judged
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    achieved_rate: float
    errors: dict[str, int]
    broke_by: BrokeBy | None
    started_at: float
    ended_at: float
    stopped_by: str = ""
    multiple: float | None = None

    def done(self) -> Done:
        return Done(self.rate, self.held, self.phase)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["broke_by"] = None if self.broke_by is None else self.broke_by.to_dict()
        return data


def judge(
    report: Report,
    *,
    rate: float,
    phase: str,
    budget_ms: float,
    max_errors: float,
    multiple: float | None = None,
) -> StepResult:
    """The verdict of the step whose flood report is ``report``."""
    head = headline(report)
    totals = report["totals"]
    asked = int(totals["asked"])
    completed, failed = int(totals["completed"]), int(totals["failed"])
    seconds = max(1e-9, float(report["schedule"].get("duration_s") or 0) or 1.0)
    latency = "login" if head["login_ms"] else "journey"
    figures = head["login_ms"] or head["journey_ms"] or {}
    p95 = figures.get("p95") if completed else None
    share = failed / asked if asked else 1.0
    causes = {
        cause: count
        for cause, count in sorted(report["errors"].items(), key=lambda item: (-item[1], item[0]))
        if count
    }
    slow = p95 is None or p95 > budget_ms
    erring = asked == 0 or share > max_errors
    broke_by = None
    if slow or erring:
        broke_by = BrokeBy(slow, erring, p95, budget_ms, round(share, 6), max_errors, causes)
    return StepResult(
        rate=rate,
        phase=phase,
        held=broke_by is None,
        asked=asked,
        achieved=int(totals["achieved"]),
        completed=completed,
        failed=failed,
        error_share=round(share, 6),
        latency=latency,
        p50_ms=figures.get("p50") if completed else None,
        p95_ms=p95,
        p99_ms=figures.get("p99") if completed else None,
        achieved_rate=round(int(totals["achieved"]) / seconds, 2),
        errors=causes,
        broke_by=broke_by,
        started_at=float(report["started_at"]),
        ended_at=float(report["ended_at"]),
        stopped_by=str(report.get("stopped_by") or ""),
        multiple=multiple,
    )


def _ms(value: float) -> str:
    return f"{value:,.0f} ms" if value < 1000 else f"{value / 1000:.3g} s"

"""The capacity report (pure): JSON for scripts, records and journals; a table for people.

::

    format              "entdrill-capacity-report/1"
    target, scenarios   what was offered ({scenario: weight})
    objective           p95_budget_ms, max_errors, latency ("login" or "journey")
    search              from, to, factor or steps, step_s, refine, pause_s
    outcome             knee | held_to_max | broke_at_min | stopped
    sustained_rate      the highest rate held (below the breaking rate), arrivals/s, or null
    breaking_rate       the lowest rate broken, or null
    normal_rate         the normal rate given, or null
    sustained_multiple  sustained_rate / normal_rate, or null (also breaking_multiple)
    required_multiple   the load the ENT must hold, as a multiple of normal, or null
    headroom            sustained_multiple / required_multiple (0 when even --from broke), or null
    broke_by            why the breaking step broke: latency, errors (booleans), p95_ms,
                        budget_ms, error_share, max_errors, causes {cause: n}, why (a sentence);
                        null when nothing broke
    verdict             one sentence saying what was found
    steps               per step: rate, multiple, phase, held, asked, achieved, achieved_rate,
                        completed, failed, error_share, latency, p50_ms, p95_ms, p99_ms,
                        errors {cause: n}, broke_by, started_at, ended_at, stopped_by
    stopped_by          "" | "kill switch" | "interrupted" | "consent withdrawn: ..."
    started_at, ended_at
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from entdrill import redact
from entdrill.capacity.runner import SearchResult
from entdrill.capacity.verdict import StepResult
from entdrill.errors import InvalidArgument

FORMAT = "entdrill-capacity-report/1"

CapacityReport = dict[str, Any]


def _rate(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:g}/s"


def _multiple(multiple: float | None) -> str:
    return "" if multiple is None else f" ({multiple:.3g}x normal)"


def verdict(result: SearchResult) -> str:
    """What the search found, in one sentence."""
    s = result.settings
    held, broke = result.sustained_rate, result.breaking_rate
    first = result.first_broken
    why = f": {first.broke_by.sentence()}" if first is not None and first.broke_by else ""
    outcome = result.outcome
    if outcome == "stopped":
        return (
            f"The search was stopped ({result.stopped_by}) after {len(result.done())} complete "
            f"step(s); highest rate held so far {_rate(held)}."
        )
    if outcome == "broke_at_min":
        return f"Broke at --from: the first rate, {_rate(s.start)}, already broke{why}."
    if outcome == "held_to_max":
        return (
            f"Held up to --to: every rate held, up to {_rate(s.stop)}{_multiple(s.multiple(held))}"
            "; the breaking point is above the range searched."
        )
    text = (
        f"Sustained {_rate(held)}{_multiple(s.multiple(held))}; broke at "
        f"{_rate(broke)}{_multiple(s.multiple(broke))}{why}."
    )
    room = headroom(result)
    if room is not None and s.required_multiple is not None:
        text += f" Headroom {room:.2f} against the required {s.required_multiple:g}x."
    return text


def headroom(result: SearchResult) -> float | None:
    """Sustained multiple over required multiple (None without both)."""
    s = result.settings
    sustained = s.multiple(result.sustained_rate)
    if result.outcome == "broke_at_min" and s.normal_rate is not None:
        sustained = 0.0  # even --from broke: no rate in the range held
    if sustained is None or s.required_multiple is None or result.outcome == "stopped":
        return None
    return round(sustained / s.required_multiple, 4)


def build(result: SearchResult) -> CapacityReport:
    """The JSON report of ``result`` (secrets masked)."""
    s = result.settings
    first = result.first_broken
    latency = result.steps[0].latency if result.steps else None
    search: dict[str, Any] = {
        "from": s.start,
        "to": s.stop,
        "step_s": s.step_s,
        "refine": s.refine,
        "pause_s": s.pause_s,
    }
    search.update({"steps": s.steps} if s.steps else {"factor": s.growth})
    sustained_multiple = s.multiple(result.sustained_rate)
    report: CapacityReport = {
        "format": FORMAT,
        "target": result.target,
        "scenarios": result.scenarios,
        "objective": {
            "p95_budget_ms": s.budget_ms,
            "max_errors": s.max_errors,
            "latency": latency,
        },
        "search": search,
        "outcome": result.outcome,
        "sustained_rate": result.sustained_rate,
        "breaking_rate": result.breaking_rate,
        "normal_rate": s.normal_rate,
        "sustained_multiple": None if sustained_multiple is None else round(sustained_multiple, 4),
        "breaking_multiple": _round(s.multiple(result.breaking_rate)),
        "required_multiple": s.required_multiple,
        "headroom": headroom(result),
        "broke_by": None if first is None or first.broke_by is None else first.broke_by.to_dict(),
        "verdict": verdict(result),
        "steps": [step.to_dict() for step in result.steps],
        "stopped_by": result.stopped_by,
        "started_at": result.started_at,
        "ended_at": result.ended_at,
    }
    cleaned: CapacityReport = redact.redact(report)
    return cleaned


def read(path: Path) -> CapacityReport:
    """A capacity report written by ``entdrill capacity --report``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InvalidArgument(
            f"cannot read the capacity report {path}: {error.strerror}"
        ) from error
    except ValueError as error:
        raise InvalidArgument(f"{path} is not JSON: {error}") from error
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidArgument(f"{path} is not an entdrill capacity report (format {FORMAT})")
    return data


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


COLUMNS = ("step", "rate/s", "x normal", "p50", "p95", "errors", "verdict")


def step_row(index: int, step: StepResult) -> tuple[str, ...]:
    """One line of the table: the step's figures and its verdict."""
    if step.stopped_by:
        word = f"stopped ({step.stopped_by})"
    elif step.held:
        word = "held"
    else:
        word = "BROKE: " + (step.broke_by.sentence() if step.broke_by else "")
    return (
        f"{index}{'r' if step.phase == 'refine' else ''}",
        f"{step.rate:g}",
        "–" if step.multiple is None else f"{step.multiple:.3g}",
        _ms(step.p50_ms),
        _ms(step.p95_ms),
        f"{step.error_share:.1%}",
        word,
    )


def table(result: SearchResult) -> str:
    """The steps as an aligned text table (refined steps marked ``r``), then the verdict."""
    rows = [COLUMNS] + [step_row(i + 1, step) for i, step in enumerate(result.steps)]
    widths = [max(len(row[c]) for row in rows) for c in range(len(COLUMNS) - 1)]
    lines = []
    for row in rows:
        cells = [
            row[c].rjust(widths[c]) if c else row[c].ljust(widths[c]) for c in range(len(widths))
        ]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    s = result.settings
    lines.append("")
    lines.append(
        f"objective: {result.steps[0].latency if result.steps else 'login'} p95 within "
        f"{_ms(s.budget_ms)}, errors within {s.max_errors:.1%}; {s.step_s:g} s per step"
    )
    lines.append(verdict(result))
    return "\n".join(lines) + "\n"


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f} ms" if value < 1000 else f"{value / 1000:.3g} s"

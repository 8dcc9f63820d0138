"""The decision first (pure): will the ENT hold the first morning after the next holiday?

The review opens with one question, for the people who must decide before the holiday, and
answers it **ready**, **at risk** or **not ready**, followed by the reasons that decide it, most
serious first, each pointing at the section of the page that shows it:

- **blockers** (not ready): something measured broke. Logins broke below the required multiple
  (headroom under 1); a service (server loss, session-store loss, video) whose latest run failed;
  a fallback channel that failed in its latest drill; a readiness score below 70.
- **risks** (at risk): evidence missing or weak. Logins never tested, or shown to hold only
  below the requirement (partial evidence); a service never tested in the period, or stale (its
  most recent test older than the half-life); a channel short of its expectation (degraded) in
  its latest drill; no channel used; a readiness score below 90.
- **ready** otherwise: every service tested, fresh and holding, logins with headroom of at
  least 1, every channel working, the score 90 or more.

The requirement (:func:`requirement`) comes from the review's options, else from the plan of
the latest drill that ended (recorded with its summary), else the default (100 times normal).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from entdrill.calendar.first_morning import Return
from entdrill.records import ChannelResult, DrillRecord
from entdrill.review import wording as say
from entdrill.review.headlines import slug
from entdrill.review.model import (
    ChannelReadiness,
    Coverage,
    Decision,
    Headroom,
    LoginReadiness,
    Reason,
    Requirement,
    ServiceScore,
    TrialReadiness,
)
from entdrill.review.score import HALF_LIFE_DAYS, Score, age_days

DEFAULT_REQUIRED_MULTIPLE = 100.0
ANSWERS = ("ready", "at risk", "not ready")
SHORT_NAMES = {
    "login": "logins",
    "server_loss": "server loss",
    "session_store": "session-store loss",
    "video_fallback": "the video fallback",
    "video_degraded": "degraded video",
    "channels": "the fallback channels",
}


def requirement(
    drills: Sequence[DrillRecord],
    *,
    required_multiple: float | None = None,
    normal_rate: float | None = None,
    zone: str | None = None,
) -> Requirement:
    """Each value from the options, else the latest ended drill's plan, else the default."""
    recorded: Mapping[str, object] = {}
    plan = ""
    for drill in reversed(drills):
        section = drill.summary.get("readiness") if drill.status != "running" else None
        if isinstance(section, dict):
            recorded, plan = section, drill.plan_name
            break
    sources: dict[str, list[str]] = {}

    def pick(given: object, key: str) -> object:
        if given is not None:
            sources.setdefault("from the options", []).append(key)
            return given
        value = recorded.get(key)
        if value is not None:
            sources.setdefault(f"from the plan {plan}", []).append(key)
        return value

    multiple = pick(required_multiple, "required_multiple")
    rate = pick(normal_rate, "normal_rate")
    where = pick(zone, "zone")
    return Requirement(
        required_multiple=float(multiple)
        if isinstance(multiple, int | float)
        else DEFAULT_REQUIRED_MULTIPLE,
        normal_rate=float(rate) if isinstance(rate, int | float) else None,
        zone=str(where) if isinstance(where, str) and where else None,
        source="; ".join(f"{_and(keys)} {where}" for where, keys in sources.items())
        or "the default (100 times normal)",
    )


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def question(back: Return | None, zone: str | None) -> str:
    if back is None:
        where = f" of zone {zone}" if zone else ""
        return f"Will the ENT hold the first morning after the next holiday{where}?"
    day = back.first_morning
    return (
        f"Will the ENT hold the first morning after the {back.holiday.name} (zone {back.zone}), "
        f"on {day:%A} {day.day} {day:%B %Y}?"
    )


def headroom_sentence(found: Headroom | None) -> str:
    """The login headroom in one sentence (always said, whatever the answer)."""
    if found is None or found.evidence == "none" or found.value is None:
        required = found.required_multiple if found else DEFAULT_REQUIRED_MULTIPLE
        return (
            f"Headroom unknown: no capacity search or login storm in this period "
            f"(required {required:g}x normal)."
        )
    req, value = found.required_multiple, found.value
    when = f" on {say.day(found.at)}" if found.at else ""
    search = found.search
    if search is not None:
        if search.outcome == "broke_at_min":
            return (
                f"Headroom 0: logins broke at {_x(found.breaking_multiple)}, the lowest load "
                f"searched{when} (required {req:g}x)."
            )
        if search.outcome == "held_to_max":
            return (
                f"Headroom at least {value:.2f}: logins held up to {_x(found.sustained_multiple)}, "
                f"the top of the search{when} (required {req:g}x)."
            )
        why = f"; {search.why}" if search.why else ""
        return (
            f"Headroom {value:.2f}: logins sustained {_x(found.sustained_multiple)} and broke at "
            f"{_x(found.breaking_multiple)}{why} (capacity search{when}; required {req:g}x)."
        )
    broke = f", broke at {_x(found.breaking_multiple)}" if found.breaking_multiple else ""
    partial = (
        "; partial evidence: never tested at the requirement" if found.evidence == "partial" else ""
    )
    return (
        f"Headroom {'at least ' if found.evidence == 'partial' else ''}{value:.2f} from login "
        f"storms: held up to {_x(found.sustained_multiple or 0)}{broke} (required {req:g}x"
        f"{partial})."
    )


def _x(multiple: float | None) -> str:
    return "–" if multiple is None else f"{multiple:.3g}x normal"


def login_reasons(login: LoginReadiness) -> list[Reason]:
    found = login.headroom
    if found is None or found.evidence == "none":
        return [Reason("risk", "login capacity never tested in this period", "login")]
    req = found.required_multiple
    if found.short:
        at = (
            found.breaking_multiple
            if found.breaking_multiple is not None
            else found.sustained_multiple
        )
        return [
            Reason(
                "blocker",
                f"logins break at {at:.3g}x (required {req:g}x): headroom {found.value:.2f}",
                "login",
            )
        ]
    if found.evidence == "partial":
        return [
            Reason(
                "risk",
                f"logins shown to hold only up to {found.sustained_multiple or 0:.3g}x, never "
                f"tested at the required {req:g}x",
                "login",
            )
        ]
    return []


def trial_reasons(trial: TrialReadiness) -> list[Reason]:
    anchor = f"service-{trial.service}"
    name = SHORT_NAMES.get(trial.service, trial.name)
    if not trial.tests:
        return [Reason("risk", f"{name} never tested in this period", anchor)]
    latest = trial.latest
    if latest is not None and not latest.passed:
        detail = f" ({latest.detail})" if latest.detail else ""
        return [
            Reason(
                "blocker", f"{name}: the latest run ({say.day(latest.at)}) failed{detail}", anchor
            )
        ]
    return []


def channel_reasons(
    channels: Sequence[ChannelReadiness], latest: Mapping[str, ChannelResult]
) -> list[Reason]:
    reasons = []
    for channel in channels:
        result = latest.get(channel.name)
        if result is None or result.outcome == "worked":
            continue
        anchor = f"channel-{slug(channel.name)}"
        if result.outcome == "failed":
            cause = f" ({result.cause})" if result.cause else ""
            reasons.append(
                Reason("blocker", f"{channel.name} failed in its latest drill{cause}", anchor)
            )
            continue
        reasons.append(Reason("risk", _short_of(channel.name, result), anchor))
    return reasons


def _short_of(name: str, result: ChannelResult) -> str:
    expect = result.expectation
    for measured, key, verb in (
        (result.acknowledged_share, "acknowledged_share", "acknowledged by"),
        (result.delivered_share, "delivered_share", "delivered to"),
    ):
        wanted = expect.get(key)
        if isinstance(wanted, int | float) and measured is not None and measured < wanted:
            return f"{name} {verb} {say.pct(measured, 0)} (expected {say.pct(wanted, 0)})"
    cause = f": {result.cause}" if result.cause else ""
    return f"{name} degraded in its latest drill{cause}"


def stale_reasons(services: Sequence[ServiceScore], as_of: datetime) -> list[Reason]:
    reasons = []
    for service in services:
        score = service.score
        if score.stale and score.latest is not None:
            days = int(age_days(score.latest, as_of))
            anchor = "login" if service.service == "login" else _anchor(service.service)
            reasons.append(
                Reason(
                    "risk",
                    f"{SHORT_NAMES.get(service.service, service.name)} last tested "
                    f"{say.day(score.latest)}, {days} days ago (stale: older than "
                    f"{HALF_LIFE_DAYS:g} days)",
                    anchor,
                )
            )
    return reasons


def _anchor(service: str) -> str:
    return "channels" if service == "channels" else f"service-{service}"


def score_reasons(overall: Score) -> list[Reason]:
    value = overall.value
    if value is None or round(value) >= 90:
        return []
    severity = "blocker" if round(value) < 70 else "risk"
    floor = 70 if severity == "blocker" else 90
    return [Reason(severity, f"readiness score {say.score(value)}/100 (below {floor})", "summary")]


def decide(
    *,
    back: Return | None,
    requirement: Requirement,
    login: LoginReadiness,
    trials: Sequence[TrialReadiness],
    channels: Sequence[ChannelReadiness],
    latest_results: Mapping[str, ChannelResult],
    services: Sequence[ServiceScore],
    overall: Score,
    coverage: Coverage,
    as_of: datetime,
) -> Decision:
    """The answer and its reasons, blockers first, then risks, each in the page's order."""
    reasons = login_reasons(login)
    for trial in trials:
        reasons += trial_reasons(trial)
    if "channels" in coverage.untested:
        reasons.append(Reason("risk", "no fallback channel used in this period", "channels"))
    reasons += channel_reasons(channels, latest_results)
    reasons += stale_reasons(services, as_of)
    reasons += score_reasons(overall)
    reasons.sort(key=lambda r: r.severity != "blocker")
    answer = (
        "not ready"
        if any(r.severity == "blocker" for r in reasons)
        else ("at risk" if reasons else "ready")
    )
    first: date | None = back.first_morning if back else None
    return Decision(
        question=question(back, requirement.zone),
        answer=answer,
        reasons=tuple(reasons),
        headroom=headroom_sentence(login.headroom),
        holiday=back.holiday.name if back else None,
        first_morning=first,
    )

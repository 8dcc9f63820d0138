"""The review's sentences (pure): the period, the key statements, each service's key figure.

Sentences are sequences of ``Bit``; a bit with a ``figure`` name is a key figure, which the HTML
marks with ``data-figure="NAME"`` (what tests and scripts read back) and both formats emphasise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from entdrill.review import wording as say
from entdrill.review.charts import Table
from entdrill.review.model import (
    CapacityRun,
    ChannelReadiness,
    LoginReadiness,
    Review,
    TrialReadiness,
)
from entdrill.review.score import Score

Sentence = tuple["Bit", ...]

#: The terms the review uses, as its "How to read this review" section states them.
DEFINITIONS: tuple[tuple[str, str], ...] = (
    (
        "Held",
        "a login storm held when at least 99% of its logins succeeded and its login p95 stayed "
        "within the experiment's budget (2 s unless the experiment states another). At each "
        "multiple of normal load the latest storm of the period decides: the highest multiple "
        "held is the highest whose latest storm held; the first broken the lowest whose latest "
        "storm broke.",
    ),
    (
        "Capacity search, headroom",
        "a capacity search offers logins at rising rates until a step breaks the objective "
        "(login p95 over its budget or failed share over its maximum); it sustained the highest "
        "rate held below the first rate broken. Headroom is the multiple of normal load sustained "
        "divided by the required multiple (the plan's readiness.required_multiple, 100 unless "
        "stated): under 1, logins break before the load they must hold. Storms that held only "
        "below the requirement are partial evidence: a lower bound, never a pass.",
    ),
    (
        "Coverage, not tested, stale",
        "every service of the readiness model counts; one with no concluded test in the period "
        "is not tested, and one whose most recent test is older than the half-life at the review "
        "date is stale. Either keeps the decision from reading ready.",
    ),
    (
        "Running drills",
        "a drill still running is not evidence yet: it is listed apart and counts once it ends.",
    ),
    (
        "Survived",
        "a server-loss or session-store run passed when the ENT survived (its recorded verdict, "
        "else the Chaos Toolkit hypothesis held); a video-outage run when the backup bridge took "
        "the class. Aborted and interrupted runs are left out.",
    ),
    (
        "Delivered, acknowledged",
        "shares of the people sent to on the channel (a person refused by the audience "
        "allow-list is not sent to); delivered includes acknowledged.",
    ),
    (
        "Time to acknowledge",
        "from the person's first message on the channel to their first acknowledgement. "
        "Median: the middle value; p90: nearest rank, the smallest time within which at least "
        "90% of those who acknowledged did.",
    ),
    (
        "Never reached",
        "sent to, and neither delivered nor acknowledged: on a channel, or on every channel.",
    ),
    (
        "Channel outcome",
        "worked, degraded or failed against the plan's expectation at its deadline, as the "
        "drill recorded it (✓, ~, ✗ in the matrix).",
    ),
)


@dataclass(frozen=True, slots=True)
class Bit:
    text: str
    figure: str | None = None


def slug(name: str) -> str:
    """A figure-name-safe form of a channel or service name."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "x"


def period(review: Review) -> str:
    if review.drill_id is not None:
        return f"Drill {review.drill_id}, started {say.when(review.first_at)} (Europe/Paris time)"
    since, until = review.since, review.until
    if since is None and until is None:
        if review.first_at is None:
            return "All drills recorded"
        return f"All drills recorded: {say.day(review.first_at)} to {say.day(review.last_at)}"
    start = _bound(since, end=False) if since else "the first drill"
    end = _bound(until, end=True) if until else "the last drill"
    return f"Drills started from {start} to {end} (Europe/Paris time)"


def _bound(moment: datetime, *, end: bool) -> str:
    """A bound that falls on a Paris midnight reads as a day (the day before, included, for
    the end); any other instant reads with its time."""
    local = moment.astimezone(say.PARIS)
    if local.time() == time(0, 0):
        return say.day(moment - timedelta(days=1) if end else moment)
    return f"before {say.when(moment)}" if end else say.when(moment)


def drill_counts(review: Review) -> str:
    words = {"dry_run": "dry run", "not_met": "not met"}
    parts = [f"{n:,} {words.get(s, s)}" for s, n in review.statuses.items()]
    text = say.count(review.drills, "drill") + (f": {', '.join(parts)}" if parts else "")
    if review.standalone_experiments:
        text += f"; {say.count(review.standalone_experiments, 'experiment')} run outside drills"
    return text + "."


def login_sentence(login: LoginReadiness) -> Sentence:
    held, broken = login.highest_held, login.first_broken
    if not login.steps:
        return (Bit("Login: no login storm concluded in this period."),)
    bits: list[Bit] = (
        [Bit("Logins held up to ")] if held else [Bit("Logins held at no load tested")]
    )
    if held:
        bits += [
            Bit(say.multiple(held.multiple), "login-held-multiple"),
            Bit(" normal load (p95 "),
            Bit(say.latency(held.latest.p95_ms), "login-held-p95"),
            Bit(" there)"),
        ]
    if broken:
        bits += [
            Bit(" and first broke at "),
            Bit(say.multiple(broken.multiple), "login-first-broken"),
        ]
        bits.append(
            Bit(
                f" (p95 {say.latency(broken.latest.p95_ms)}, {say.pct(broken.latest.error_share)} failed)."
            )
        )
    else:
        bits.append(Bit("; no load tested broke."))
    return tuple(bits)


def capacity_sentence(login: LoginReadiness) -> Sentence | None:
    """The latest capacity search of the period, with the headroom it gives (None without one)."""
    found = login.headroom
    if not login.searches or found is None or found.search is None:
        return None
    search = found.search
    bits = [Bit(f"Capacity search ({say.day(search.at)}): ")]
    if search.outcome == "broke_at_min":
        bits += [
            Bit("broke at "),
            Bit(say.multiple(search.breaking_multiple), "login-breaking-multiple"),
            Bit(", the lowest load offered"),
        ]
    else:
        bits += [
            Bit("sustained "),
            Bit(say.multiple(_r(search.sustained_multiple)), "login-sustained-multiple"),
            Bit(" normal load"),
        ]
        if search.outcome == "held_to_max":
            bits.append(Bit(", the top of the range searched"))
        else:
            bits += [
                Bit(", broke at "),
                Bit(say.multiple(_r(search.breaking_multiple)), "login-breaking-multiple"),
            ]
    if search.why:
        bits.append(Bit(f" ({search.why})"))
    value = "–" if found.value is None else f"{found.value:.2f}"
    bits += [
        Bit(f"; required {say.multiple(found.required_multiple)}: headroom "),
        Bit(value, "headroom"),
        Bit("."),
    ]
    return tuple(bits)


def _r(multiple: float | None) -> float | None:
    return None if multiple is None else float(f"{multiple:.3g}")


def trial_sentence(trial: TrialReadiness) -> Sentence:
    if not trial.tests:
        return (Bit(f"{trial.name}: not tested in this period."),)
    latest = trial.latest
    assert latest is not None
    verdict = "passed" if latest.passed else "failed"
    return (
        Bit(f"{trial.name}: "),
        Bit(f"{say.ratio(trial.passed, trial.tests)}", f"passed-{slug(trial.service)}"),
        Bit(f" runs passed; the latest ({say.day(latest.at)}) {verdict}."),
    )


def channel_sentence(channel: ChannelReadiness) -> Sentence:
    name = slug(channel.name)
    if channel.wide:
        return (
            Bit(f"{channel.name}: done in "),
            Bit(say.pct(channel.delivery_share), f"delivery-share-{name}"),
            Bit(f" of {say.count(channel.drills, 'drill')} (channel-wide)."),
        )
    bits = [
        Bit(f"{channel.name}: delivered to "),
        Bit(say.pct(channel.delivery_share), f"delivery-share-{name}"),
    ]
    if channel.asks_ack:
        bits += [
            Bit(", acknowledged by "),
            Bit(say.pct(channel.ack_share), f"ack-share-{name}"),
            Bit(
                f" (median {say.duration(channel.median_ack_s)}, "
                f"p90 {say.duration(channel.p90_ack_s)})"
            ),
        ]
    bits.append(Bit(f" of {channel.sent:,} people sent to."))
    return tuple(bits)


def reach_sentence(review: Review) -> Sentence:
    if not review.people_sent:
        return (Bit("Nobody was sent a message in this period."),)
    if not review.never_reached:
        return (Bit("Everyone sent to was reached on at least one channel."),)
    times = sum(p.drills for p in review.never_reached)
    return (
        Bit(say.count(review.never_reached_people, "person", "people"), "never-reached-people"),
        Bit(
            f" reached on no channel ({say.count(times, 'time')} over "
            f"{review.people_sent:,} people sent to)."
        ),
    )


def findings_sentence(review: Review) -> Sentence:
    if not review.open_findings:
        return (Bit("No finding is open."),)
    return (
        Bit(say.count(review.open_findings, "finding"), "open-findings"),
        Bit(f" open ({say.count(len(review.findings), 'distinct finding')}), "),
        Bit(f"{review.unowned_findings:,}", "unowned-findings"),
        Bit(" without an owner."),
    )


def coverage_sentence(review: Review) -> str:
    """``3 of 5 services tested (not tested: server loss, session-store loss)``."""
    covered = review.coverage
    if covered is None:
        return ""
    names = {s.service: s.name for s in review.services}
    text = f"{len(covered.tested)} of {covered.total} services tested in this period"
    if covered.untested:
        text += f"; not tested: {', '.join(names[s] for s in covered.untested)}"
    if covered.stale:
        text += f"; stale: {', '.join(names[s] for s in covered.stale)}"
    return text + "."


def running_sentence(review: Review) -> str:
    """The drills still running, which the review does not count yet ("" when none)."""
    if not review.running:
        return ""
    listed = ", ".join(
        f"{d.plan_name} (started {say.when(d.at)}, {d.drill_id})" for d in review.running
    )
    return (
        f"Still running, not counted until {'they end' if len(review.running) > 1 else 'it ends'}: "
        f"{listed}."
    )


def requirement_sentence(review: Review) -> str:
    required = review.requirement
    if required is None:
        return ""
    normal = (
        f" ({required.normal_rate * required.required_multiple:g} logins/s at "
        f"{required.normal_rate:g}/s normal)"
        if required.normal_rate
        else ""
    )
    return (
        f"Required: {say.multiple(required.required_multiple)} normal load{normal}; "
        f"{required.source}. Review date {say.review_day(review.as_of)}."
    )


def headlines(review: Review) -> list[Sentence]:
    capacity = capacity_sentence(review.login)
    found = (
        [] if capacity is not None and not review.login.steps else [login_sentence(review.login)]
    )
    if capacity is not None:
        found.append(capacity)
    found.extend(trial_sentence(t) for t in review.trials)
    found.extend(channel_sentence(c) for c in review.channels)
    found.append(reach_sentence(review))
    found.append(findings_sentence(review))
    return found


def service_figure(review: Review, service: str) -> str:
    """One line saying what a service's score rests on."""
    if service == "login":
        login = review.login
        held, broken = login.highest_held, login.first_broken
        parts = []
        found = login.headroom
        if found is not None and found.value is not None:
            parts.append(f"headroom {found.value:.2f} ({found.source})")
        if login.searches:
            parts.append(say.count(len(login.searches), "capacity search", "capacity searches"))
        if login.steps:
            storms = [f"held up to {say.multiple(held.multiple)}" if held else "held at no load"]
            if broken:
                storms.append(f"broke at {say.multiple(broken.multiple)}")
            parts.append(f"{', '.join(storms)} ({say.count(login.storms, 'storm')})")
        return "; ".join(parts) or "no capacity search or storm concluded"
    for trial in review.trials:
        if trial.service == service:
            return f"{say.ratio(trial.passed, trial.tests)} passed" if trial.tests else "not tested"
    runs = sum(sum(c.outcomes.values()) for c in review.channels)
    worked = sum(c.outcomes["worked"] for c in review.channels)
    if not runs:
        return "no channel used"
    return f"{say.ratio(worked, runs)} channel runs worked ({say.count(len(review.channels), 'channel')})"


def capacity_table(login: LoginReadiness) -> Table:
    """The steps of the latest capacity search (refined steps marked ``r``)."""
    search = login.headroom.search if login.headroom is not None else None
    rows = tuple(
        (
            f"{i}{'r' if step.refine else ''}",
            f"{step.rate:g}/s",
            say.multiple(_r(step.multiple)),
            say.latency(step.p95_ms),
            say.pct(step.error_share),
            "held" if step.held else "broke",
        )
        for i, step in enumerate(search.steps if search else (), start=1)
    )
    return Table(
        "Steps of the latest capacity search (r: a refining step between held and broken)",
        ("step", "rate", "x normal", "p95", "failed", "verdict"),
        rows,
    )


def search_cell(search: CapacityRun) -> str:
    """A capacity search in a drill's row: ``sustained 62.5x, broke 78x``."""
    if search.outcome == "broke_at_min":
        return f"capacity: broke at {say.multiple(_r(search.breaking_multiple))} (lowest offered)"
    text = f"capacity: sustained {say.multiple(_r(search.sustained_multiple))}"
    if search.outcome == "knee":
        text += f", broke at {say.multiple(_r(search.breaking_multiple))}"
    return text


def latest_test(review: Review, score: Score) -> str:
    """When a service was last tested, and whether that is stale at the review date."""
    if score.latest is None:
        return "not tested"
    return say.day(score.latest) + (" (stale)" if score.stale else "")

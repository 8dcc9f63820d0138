"""Class "numbers, durations and dates": every numeric option and date, given NaN, infinity,
negatives, absurd sizes, text, and dates at the ends of the calendar.

Each is refused with exit 2 and a sentence naming the option (or the variable), before anything
is done: ``click.FloatRange`` lets NaN through, ``float()`` reads ``inf``, and Python's calendar
overflows on ``0001-01-01T00:00+14:00`` in UTC; entdrill's one range check catches them all.
"""

from __future__ import annotations

from .corpus import Case

KLASS = "numbers and dates"

FLOOD = ("flood", "--target", "http://127.0.0.1:9", "--scenario", "http-get")
FLOOD_RATE = (*FLOOD, "--rate", "1", "--duration", "1")
CAPACITY = ("capacity", "--target", "http://127.0.0.1:9", "--scenario", "http-get")
SEARCH = (*CAPACITY, "--from", "10", "--to", "100")

#: (command args, option, bad values, what the sentence names)
OPTIONS: list[tuple[tuple[str, ...], str, tuple[str, ...], str]] = [
    (("stop",), "--wait", ("nan", "-5", "inf", "1e9", "soon"), "--wait"),
    (("drill", "recover"), "--grace", ("nan", "-1", "601", "inf"), "--grace"),
    (("drill", "run", "--dry-run", "{plan}"), "--poll", ("nan", "0", "61", "-inf"), "--poll"),
    (("drill", "due", "{plan}"), "--window", ("0", "1441", "abc", "-3"), "--window"),
    (("drill", "list"), "--last", ("0", "-1", "abc"), "--last"),
    (("sandbox", "up"), "--timeout", ("nan", "0", "1e9"), "--timeout"),
    (("sandbox", "up"), "--replicas", ("0", "1000", "x"), "replicas"),
    (("sandbox", "up"), "--login-cost-ms", ("nan", "-1", "1e12"), "login_cost_ms"),
    (("sandbox", "up"), "--staff-silent-share", ("2", "nan", "-0.5"), "staff_silent_share"),
    (("sandbox", "up"), "--pupils-per-school", ("0", "1000000000"), "pupils_per_school"),
    (("sandbox", "up"), "--ent-port", ("0", "70000"), "ent port"),
    (("sandbox", "logs"), "--lines", ("0", "-5", "1e9"), "--lines"),
    ((*FLOOD, "--duration", "1"), "--rate",
     ("nan", "-3", "inf", "1e9"), "--rate"),
    ((*FLOOD, "--rate", "1"), "--duration", ("nan", "0", "-1", "1e12", "inf"), "--duration"),
    (FLOOD_RATE, "--timeout", ("nan", "0", "1e9", "-1"), "--timeout"),
    (FLOOD_RATE, "--max-in-flight", ("0", "-1", "100000000000"), "--max-in-flight"),
    (FLOOD_RATE, "--processes", ("-1", "100000", "99999999999"), "--processes"),
    (FLOOD_RATE, "--seed", ("99999999999999999999999",), "--seed"),
    ((*FLOOD, "--profile", "steps", "--rate", "1", "--to", "2", "--duration", "10"), "--steps",
     ("0", "1000000", "-2"), "--steps"),
    ((*FLOOD, "--profile", "spike", "--normal-rate", "1", "--duration", "10"), "--multiplier",
     ("nan", "-1", "1e9"), "--multiplier"),
    ((*FLOOD, "--profile", "spike", "--multiplier", "2", "--duration", "10"), "--normal-rate",
     ("nan", "-1", "inf"), "--normal-rate"),
    ((*FLOOD, "--profile", "ramp", "--rate", "1", "--duration", "10"), "--to",
     ("nan", "-1", "1e12"), "--to"),
    (("recover",), "--force-line", ("0", "-1", "abc"), "--force-line"),
    ((*CAPACITY, "--to", "100"), "--from", ("nan", "-1", "0", "inf", "100", "200"), "--from"),
    ((*CAPACITY, "--from", "10"), "--to", ("nan", "-5", "5", "10", "1e12"), "--to"),
    (SEARCH, "--factor", ("0", "1", "-2", "nan", "1.0001"), "--factor"),
    (SEARCH, "--steps", ("1", "-1", "1000"), "--steps"),
    (SEARCH, "--step-s", ("0", "-1", "nan", "1e9", "0.5"), "--step-s"),
    (SEARCH, "--p95-budget", ("0", "-1", "nan", "1e9"), "--p95-budget"),
    (SEARCH, "--max-errors", ("1.5", "-0.1", "nan"), "--max-errors"),
    (SEARCH, "--normal-rate", ("0", "-1", "nan"), "--normal-rate"),
    ((*SEARCH, "--normal-rate", "1"), "--required-multiple", ("0", "-1", "inf"),
     "--required-multiple"),
    (SEARCH, "--required-multiple", ("100",), "--required-multiple needs --normal-rate"),
    (SEARCH, "--refine", ("-1", "100"), "--refine"),
    (SEARCH, "--pause-s", ("-1", "nan", "1e9"), "--pause-s"),
]  # fmt: skip

#: (command args, what the sentence names)
DATES: list[tuple[tuple[str, ...], str]] = [
    (("review", "--since", "0001-01-01"), "--since"),
    (("review", "--until", "9999-12-31"), "--until"),
    (("review", "--since", "0001-01-01T00:00+14:00"), "--since"),
    (("review", "--until", "9999-12-31T23:59-14:00"), "--until"),
    (("review", "--since", "1969-12-31"), "--since"),
    (("review", "--since", "2026-02-30"), "--since"),
    (("drill", "due", "--now", "0001-01-01T00:00+14:00", "{plan}"), "--now"),
    (("drill", "due", "--now", "9999-12-31T23:59-14:00", "{plan}"), "--now"),
    (("drill", "due", "--now", "2027-13-01T07:45+01:00", "{plan}"), "--now"),
    (("drill", "due", "--now", "2027-03-31T07:45", "{plan}"), "--now"),
    (("schedule", "--zone", "C", "--from", "0001-01-01"), "--from"),
    (("schedule", "--zone", "C", "--until", "9999-12-31"), "--until"),
    (("schedule", "--zone", "C", "--from", "2026-02-30"), "--from"),
    (("schedule", "--plan", "{plan}", "--due", "--now", "0001-01-01T00:00+14:00"), "--now"),
    (("schedule", "--plan", "{plan}", "--due", "--now", "9999-12-31T23:59-14:00"), "--now"),
    (("schedule", "--plan", "{plan}", "--due", "--window", "nan"), "--window"),
    (("schedule", "--zone", "C", "--school-days-before", "1e9"), "--school-days-before"),
    (("schedule", "--zone", "C", "--at", "25:00"), "--at"),
]

ENVIRONMENT: list[tuple[tuple[str, ...], str, tuple[str, ...]]] = [
    (FLOOD_RATE, "ENTDRILL_MAX_RATE", ("nan", "-1", "lots", "inf")),
]


def cases() -> list[Case]:
    found = []
    for args, option, values, names in OPTIONS:
        for value in values:
            found.append(Case(KLASS, (*args, option, value), 2, names))
    for args, names in DATES:
        found.append(Case(KLASS, args, 2, names))
    for args, variable, values in ENVIRONMENT:
        for value in values:
            found.append(
                Case(KLASS, args, 2, variable, env={variable: value}, ident=f"{variable}={value}")
            )
    return found

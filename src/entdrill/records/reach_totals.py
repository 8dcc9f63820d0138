"""The ledger folded by the database into what the review shows of reach, in one query.

A review of 10,000 drills has some 800,000 ledger entries and 320,000 reach rows (one per drill,
person and channel). ``reach_totals`` streams none of them: it reads the entries as they are
already folded per drill, person and channel (the ``ledger_reach`` table, kept by every write:
``reach_rows``), and the database folds those rows into

- per channel and drill: how many people were sent to, delivered to, acknowledged;
- per channel, the times to acknowledge (first ``sent`` to first ``acknowledged``);
- per channel, how many acknowledgements came by each minute (rounded up) after the channel's
  activation in the drill (its first ``sent`` or ``failed``), and the same for each person's
  first acknowledgement on any channel after the drill's first activation;
- the person-drills sent to on some channel;
- the rows of the people missed (sent to, neither delivered nor acknowledged), and the people
  reached on no channel of their drill;
- the ended drills it read.

Times are compared and subtracted as whole microseconds since the epoch (``Database.epoch_us``),
so a difference is the exact number of microseconds ``timedelta`` would give and every float the
review derives from it (``us / 10**6`` seconds, ``/ 60`` minutes) is the same float. The same SQL
runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from entdrill.records.database import Database

#: A minute in microseconds: an acknowledgement ``d`` microseconds after activation is counted
#: in minute ``ceil(d / MINUTE_US)`` (0 when ``d <= 0``), so "by minute m" is "minute <= m".
MINUTE_US = 60_000_000


@dataclass(slots=True)
class ReachTotals:
    """What ``reach_totals`` returns (see the module)."""

    #: (channel, drill id, sent to, delivered, acknowledged) per channel and drill with any row.
    drills: list[tuple[str, str, int, int, int]] = field(default_factory=list)
    #: Per channel, every time to acknowledge, in microseconds (in no order).
    waits: dict[str, list[int]] = field(default_factory=dict)
    #: (channel, minute, acknowledgements): per channel, by minute after activation.
    ack_minutes: list[tuple[str, int, int]] = field(default_factory=list)
    #: (minute, people): first acknowledgements on any channel, by minute after activation.
    any_ack_minutes: list[tuple[int, int]] = field(default_factory=list)
    people_sent: int = 0
    #: (channel, drill id, person, group) of the people sent to, not reached, per channel.
    missed: list[tuple[str, str, str, str | None]] = field(default_factory=list)
    #: (drill id, person) of the people sent to and reached on no channel of the drill.
    nowhere: set[tuple[str, str]] = field(default_factory=set)
    #: The ended drills read (the window's drills not running).
    ended: set[str] = field(default_factory=set)


def reach_totals(db: Database, where: str, params: Sequence[Any]) -> ReachTotals:
    """The ended drills selected by ``where`` (over drills ``d``) with their reach folded."""
    totals = ReachTotals()
    for kind, channel, drill, person, group, a, b, c in db.stream(_sql(db, where), params):
        if kind == "drill":
            totals.drills.append((channel, drill, a, b, c))
        elif kind == "missed":
            totals.missed.append((channel, drill, person, group))
        elif kind == "nowhere":
            totals.nowhere.add((drill, person))
        elif kind == "ended":
            totals.ended.add(drill)
        elif kind == "waits":
            totals.waits[channel] = [int(us) for us in group.split(",")]
        elif kind == "minute":
            totals.ack_minutes.append((channel, a, b))
        elif kind == "any":
            totals.any_ack_minutes.append((a, b))
        else:
            totals.people_sent = a
    return totals


def _minute(us: str) -> str:
    return f"CASE WHEN {us} <= 0 THEN 0 ELSE ({us} + {MINUTE_US - 1}) / {MINUTE_US} END"


def _sql(db: Database, where: str) -> str:
    us = db.epoch_us  # only the times the arithmetic needs (a third of them)
    text, big = "CAST(NULL AS TEXT)", "CAST(NULL AS BIGINT)"
    return f"""
WITH ended AS (SELECT d.id FROM drills d WHERE {where} AND d.status <> 'running'),
r AS NOT MATERIALIZED (
    SELECT x.drill_id AS drill, x.person AS person, x.channel AS channel, x.first_at AS first,
        x.sent_at AS sent, x.reached AS reached, x.acked_at AS acked, x.staff_group AS grp
    FROM ledger_reach x WHERE x.drill_id IN (SELECT id FROM ended)
),
dc AS MATERIALIZED (
    SELECT drill, channel, COUNT(first) AS sent_to,
        SUM(CASE WHEN first IS NOT NULL AND reached = 1 THEN 1 ELSE 0 END) AS delivered,
        COUNT(CASE WHEN first IS NOT NULL THEN acked END) AS acked,
        {us("MIN(first)")} AS start
    FROM r GROUP BY drill, channel
),
a AS MATERIALIZED (
    SELECT drill, channel, person, {us("acked")} AS acked, {us("sent")} AS sent
    FROM r WHERE first IS NOT NULL AND acked IS NOT NULL
),
p AS MATERIALIZED (
    SELECT drill, person, MAX(reached) AS reached, MIN(acked) AS acked
    FROM r WHERE first IS NOT NULL GROUP BY drill, person
)
SELECT 'drill', channel, drill, {text}, {text}, sent_to, delivered, acked FROM dc
UNION ALL
SELECT 'waits', channel, {text}, {text},
    {db.joined("CASE WHEN acked < sent THEN 0 ELSE acked - sent END")}, {big}, {big}, {big}
    FROM a WHERE sent IS NOT NULL GROUP BY channel
UNION ALL
SELECT 'minute', a.channel, {text}, {text}, {text}, {_minute("a.acked - dc.start")}, COUNT(*), {big}
    FROM a JOIN dc ON dc.drill = a.drill AND dc.channel = a.channel
    GROUP BY a.channel, {_minute("a.acked - dc.start")}
UNION ALL
SELECT 'any', {text}, {text}, {text}, {text}, {_minute(f"{us('p.acked')} - df.start")},
    COUNT(*), {big}
    FROM p JOIN (SELECT drill, MIN(start) AS start FROM dc GROUP BY drill) df ON df.drill = p.drill
    WHERE p.acked IS NOT NULL
    GROUP BY {_minute(f"{us('p.acked')} - df.start")}
UNION ALL
SELECT 'people', {text}, {text}, {text}, {text}, COUNT(*), {big}, {big} FROM p
UNION ALL
SELECT 'missed', channel, drill, person, grp, {big}, {big}, {big}
    FROM r WHERE first IS NOT NULL AND reached = 0
UNION ALL
SELECT 'nowhere', {text}, drill, person, {text}, {big}, {big}, {big} FROM p WHERE reached = 0
UNION ALL
SELECT 'ended', {text}, id, {text}, {text}, {big}, {big}, {big} FROM ended
"""  # noqa: S608

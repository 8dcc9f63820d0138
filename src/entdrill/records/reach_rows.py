"""The ``ledger_reach`` table: the ledger folded per drill, person and channel, kept with it.

Each row is what ``reading.reach`` folds from a person's entries on one channel of a drill: the
first ``sent`` or ``failed`` (when the channel was first tried for them), the first ``sent``,
whether any entry says ``delivered`` or ``acknowledged``, the first ``acknowledged``, and the
person's group. Every write of ledger entries refolds, in the same transaction, the rows of the
people it touched, from the entries themselves (so a row is always the fold of what is stored,
whatever order entries arrive in); an import folds its drills once. The review reads these rows
instead of grouping the whole ledger (``reach_totals``). Migration 4 fills the table with the
same fold written out in full, since a migration's SQL never changes once released.
"""

from __future__ import annotations

from collections.abc import Sequence

from entdrill.records.database import Database

__all__ = ["refold_drills", "refold_people"]

#: Enough parameters per statement for SQLite's limit, few enough statements for a large import.
CHUNK = 500

_FOLD = """INSERT INTO ledger_reach
    (drill_id, person, channel, first_at, sent_at, reached, acked_at, staff_group)
SELECT l.drill_id, l.person, l.channel,
    MIN(CASE WHEN l.state IN ('sent', 'failed') THEN l.at END),
    MIN(CASE WHEN l.state = 'sent' THEN l.at END),
    MAX(CASE WHEN l.state IN ('delivered', 'acknowledged') THEN 1 ELSE 0 END),
    MIN(CASE WHEN l.state = 'acknowledged' THEN l.at END),
    MAX(l.staff_group)
FROM ledger_entries l
WHERE {where}
GROUP BY l.drill_id, l.person, l.channel
ON CONFLICT (drill_id, person, channel) DO UPDATE SET
    first_at = excluded.first_at, sent_at = excluded.sent_at, reached = excluded.reached,
    acked_at = excluded.acked_at, staff_group = excluded.staff_group"""


def refold_people(db: Database, drill_id: str, people: Sequence[str]) -> None:
    """Fold again the rows of ``people`` in drill ``drill_id`` (inside the write transaction)."""
    unique = sorted(set(people))
    for start in range(0, len(unique), CHUNK):
        chunk = unique[start : start + CHUNK]
        marks = ", ".join("?" for _ in chunk)
        where = f"l.drill_id = ? AND l.person IN ({marks})"
        db.execute(_FOLD.format(where=where), (drill_id, *chunk))


def refold_drills(db: Database, drill_ids: Sequence[str]) -> None:
    """Fold the rows of whole drills (an import, inside its write transaction)."""
    for start in range(0, len(drill_ids), CHUNK):
        chunk = drill_ids[start : start + CHUNK]
        marks = ", ".join("?" for _ in chunk)
        db.execute(_FOLD.format(where=f"l.drill_id IN ({marks})"), tuple(chunk))

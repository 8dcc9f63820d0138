"""The records schema as versioned migrations: small declared objects applied in order.

Each migration is written once in portable SQL with ``{json}``, ``{time}``, ``{bool}`` and
``{real}`` type names that each backend renders. Applied versions are recorded in
``schema_migrations`` with a checksum of their SQL; applying is idempotent, runs under a lock in
one transaction, and refuses a database that a newer entdrill has migrated past what this one
knows, or whose recorded migration differs from the one declared here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from entdrill.errors import RecordsError
from entdrill.records.database import Database
from entdrill.records.encoding import utc_now


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]

    @property
    def checksum(self) -> str:
        """A digest of the SQL, blind to layout, so a reformatted migration still matches."""
        text = "\n;\n".join(" ".join(statement.split()) for statement in self.statements)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


#: Applied in order. Once released, a migration is never edited (databases record its checksum
#: and would be refused): change the schema by adding the next one.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "drills and their hash-chained events",
        (
            """CREATE TABLE drills (
                id TEXT PRIMARY KEY,
                plan_name TEXT NOT NULL,
                plan_path TEXT NOT NULL,
                plan_digest TEXT NOT NULL,
                target TEXT NOT NULL,
                started_at {time} NOT NULL,
                ended_at {time},
                status TEXT NOT NULL CHECK (status IN
                    ('running', 'met', 'not_met', 'aborted', 'interrupted', 'dry_run')),
                exit_code INTEGER,
                reason TEXT,
                pid INTEGER,
                host TEXT,
                organisers {json} NOT NULL,
                summary {json} NOT NULL,
                last_seq INTEGER NOT NULL,
                head_hash TEXT NOT NULL
            )""",
            "CREATE INDEX drills_started_at ON drills (started_at, id)",
            "CREATE INDEX drills_status ON drills (status)",
            """CREATE TABLE events (
                drill_id TEXT NOT NULL REFERENCES drills (id) ON DELETE CASCADE,
                seq INTEGER NOT NULL CHECK (seq > 0),
                at {time} NOT NULL,
                phase TEXT NOT NULL,
                kind TEXT NOT NULL,
                data {json} NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL,
                PRIMARY KEY (drill_id, seq)
            )""",
        ),
    ),
    Migration(
        2,
        "experiments, channel results, communications ledger, findings",
        (
            """CREATE TABLE experiments (
                id TEXT PRIMARY KEY,
                drill_id TEXT REFERENCES drills (id) ON DELETE CASCADE,
                title TEXT NOT NULL,
                path TEXT NOT NULL,
                kind TEXT NOT NULL,
                status TEXT NOT NULL,
                deviated {bool} NOT NULL,
                started_at {time} NOT NULL,
                ended_at {time},
                measures {json} NOT NULL,
                series {json},
                journal {json}
            )""",
            "CREATE INDEX experiments_drill ON experiments (drill_id)",
            "CREATE INDEX experiments_started_at ON experiments (started_at)",
            """CREATE TABLE channel_results (
                drill_id TEXT NOT NULL REFERENCES drills (id) ON DELETE CASCADE,
                channel TEXT NOT NULL,
                outcome TEXT NOT NULL CHECK (outcome IN ('worked', 'degraded', 'failed')),
                expectation {json} NOT NULL,
                delivered_share {real},
                acknowledged_share {real},
                cause TEXT,
                details {json} NOT NULL,
                recorded_at {time} NOT NULL,
                PRIMARY KEY (drill_id, channel)
            )""",
            """CREATE TABLE ledger_entries (
                id TEXT PRIMARY KEY,
                drill_id TEXT NOT NULL REFERENCES drills (id) ON DELETE CASCADE,
                person TEXT NOT NULL,
                staff_group TEXT,
                channel TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN
                    ('sent', 'delivered', 'acknowledged', 'failed', 'refused')),
                at {time} NOT NULL,
                evidence {json} NOT NULL
            )""",
            "CREATE INDEX ledger_entries_drill ON ledger_entries (drill_id, person, channel)",
            """CREATE TABLE findings (
                id TEXT PRIMARY KEY,
                drill_id TEXT NOT NULL REFERENCES drills (id) ON DELETE CASCADE,
                finding_key TEXT,
                severity TEXT NOT NULL CHECK (severity IN
                    ('critical', 'high', 'medium', 'low', 'info')),
                title TEXT NOT NULL,
                detail TEXT NOT NULL,
                owner TEXT,
                status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
                created_at {time} NOT NULL,
                closed_at {time},
                resolution TEXT
            )""",
            "CREATE INDEX findings_drill ON findings (drill_id)",
            "CREATE INDEX findings_status ON findings (status)",
        ),
    ),
    Migration(
        3,
        "detection: per injected fault or storm, when monitoring alerted",
        (
            """CREATE TABLE detections (
                drill_id TEXT NOT NULL REFERENCES drills (id) ON DELETE CASCADE,
                experiment_id TEXT NOT NULL,
                seq INTEGER NOT NULL,
                experiment TEXT NOT NULL,
                fault_kind TEXT NOT NULL,
                component TEXT NOT NULL,
                service TEXT NOT NULL,
                injected_at {time} NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('detected', 'not_detected', 'unknown')),
                alert TEXT NOT NULL,
                detected_after_s {real},
                resolved_after_s {real},
                expected_within_s {real},
                why TEXT NOT NULL,
                PRIMARY KEY (experiment_id, seq)
            )""",
            "CREATE INDEX detections_drill ON detections (drill_id)",
        ),
    ),
    Migration(
        4,
        "reach: the ledger folded per drill, person and channel, kept up to date on each write",
        (
            """CREATE TABLE ledger_reach (
                drill_id TEXT NOT NULL REFERENCES drills (id) ON DELETE CASCADE,
                person TEXT NOT NULL,
                channel TEXT NOT NULL,
                first_at {time},
                sent_at {time},
                reached INTEGER NOT NULL,
                acked_at {time},
                staff_group TEXT,
                PRIMARY KEY (drill_id, person, channel)
            )""",
            """INSERT INTO ledger_reach
                (drill_id, person, channel, first_at, sent_at, reached, acked_at, staff_group)
            SELECT l.drill_id, l.person, l.channel,
                MIN(CASE WHEN l.state IN ('sent', 'failed') THEN l.at END),
                MIN(CASE WHEN l.state = 'sent' THEN l.at END),
                MAX(CASE WHEN l.state IN ('delivered', 'acknowledged') THEN 1 ELSE 0 END),
                MIN(CASE WHEN l.state = 'acknowledged' THEN l.at END),
                MAX(l.staff_group)
            FROM ledger_entries l
            GROUP BY l.drill_id, l.person, l.channel""",
        ),
    ),
)

LATEST = MIGRATIONS[-1].version

_CREATE_TABLE = """CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at {time} NOT NULL
)"""


def applied(db: Database) -> dict[int, tuple[str, str]]:
    """The versions recorded in ``db``: version -> (name, checksum); empty for a new database."""
    if not _has_table(db):
        return {}
    rows = db.query("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
    return {int(version): (str(name), str(checksum)) for version, name, checksum in rows}


def check_version(db: Database, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """The schema version of ``db``, refused when newer than ``migrations`` or different."""
    return _check(db, applied(db), migrations)


def migrate(db: Database, migrations: Sequence[Migration] = MIGRATIONS) -> list[int]:
    """Apply the migrations ``db`` lacks, in order, in one transaction; return their versions."""
    with db.transaction(write=True):
        db.lock_migrations()
        db.execute(_CREATE_TABLE)
        done = applied(db)
        _check(db, done, migrations)
        pending = [m for m in migrations if m.version not in done]
        for migration in pending:
            for statement in migration.statements:
                db.execute(statement)
            db.execute(
                "INSERT INTO schema_migrations (version, name, checksum, applied_at) "
                "VALUES (?, ?, ?, ?)",
                (migration.version, migration.name, migration.checksum, db.time_param(utc_now())),
            )
    return [m.version for m in pending]


def _check(db: Database, done: dict[int, tuple[str, str]], migrations: Sequence[Migration]) -> int:
    known = {m.version: m for m in migrations}
    latest = max(known, default=0)
    newest = max(done, default=0)
    if newest > latest:
        raise RecordsError(
            f"records database {db.where} is at schema version {newest}, newer than the "
            f"{latest} this entdrill knows; upgrade entdrill or use another database"
        )
    for version, (name, checksum) in done.items():
        migration = known.get(version)
        if migration is None or migration.checksum != checksum:
            raise RecordsError(
                f"records database {db.where} recorded migration {version} ({name!r}) "
                "differently from this entdrill; it was made by another build, refusing to use it"
            )
    return newest


def _has_table(db: Database) -> bool:
    if db.dialect == "sqlite":
        sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    else:
        sql = "SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'schema_migrations'"
    return db.query_one(sql) is not None

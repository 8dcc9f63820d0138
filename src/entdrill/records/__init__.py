"""Durable drill records: drills, hash-chained events, experiments, channel results, the
communications ledger and findings, in SQLite (default) or PostgreSQL.

::

    with open_records() as records:                  # ENTDRILL_DB_URL or .entdrill/records.db
        drill = records.create_drill(plan_name=..., plan_path=..., plan_digest=..., target=...)
        records.append_event(drill.id, "announce", "posted", {"channel": "#continuite"})
        records.finish_drill(drill.id, "met", 0, {"channels": 5})
        report = records.verify_chain(drill.id)

Modules: ``models`` (the dataclasses), ``store`` (``Records``), ``connect`` (URLs, opening),
``migrations`` (the schema), ``chain`` (hashing, verification), ``ledger`` (reading the ledger),
``reading``, ``writing`` and ``bulk`` (queries, single writes, batched writes), ``tables``
(columns, checks, redaction), ``encoding`` (times, JSON), ``database``, ``sqlite`` and
``postgres`` (backends), ``reach_totals`` (the review's reach, folded by the database),
``fixtures`` and ``testing`` (realistic drills and scratch databases for tests and benchmarks).
"""

from entdrill.records.connect import URL_HELP, URL_VARIABLE, missing_file, open_records, resolve_url
from entdrill.records.connect import connect as connect_database
from entdrill.records.detections import DetectionRecord
from entdrill.records.ledger import PersonReach, by_person, fold, never_reached, states_by_channel
from entdrill.records.migrations import LATEST as SCHEMA_VERSION
from entdrill.records.migrations import migrate
from entdrill.records.models import (
    CHANNEL_OUTCOMES,
    DRILL_STATUSES,
    FINAL_STATUSES,
    LEDGER_STATES,
    SEVERITIES,
    ChainProblem,
    ChainReport,
    ChannelOutcome,
    ChannelResult,
    DrillDetail,
    DrillRecord,
    DrillStatus,
    Event,
    ExperimentRecord,
    Finding,
    LedgerEntry,
    LedgerState,
    NewLedgerEntry,
    PersonChannelReach,
    ReachFact,
    ReviewData,
    Severity,
)
from entdrill.records.reach_totals import ReachTotals
from entdrill.records.store import Records
from entdrill.records.tables import new_id

__all__ = [
    "CHANNEL_OUTCOMES",
    "DRILL_STATUSES",
    "FINAL_STATUSES",
    "LEDGER_STATES",
    "SCHEMA_VERSION",
    "SEVERITIES",
    "URL_HELP",
    "URL_VARIABLE",
    "ChainProblem",
    "ChainReport",
    "ChannelOutcome",
    "ChannelResult",
    "DetectionRecord",
    "DrillDetail",
    "DrillRecord",
    "DrillStatus",
    "Event",
    "ExperimentRecord",
    "Finding",
    "LedgerEntry",
    "LedgerState",
    "NewLedgerEntry",
    "PersonChannelReach",
    "PersonReach",
    "ReachFact",
    "ReachTotals",
    "Records",
    "ReviewData",
    "Severity",
    "by_person",
    "connect_database",
    "fold",
    "migrate",
    "missing_file",
    "never_reached",
    "new_id",
    "open_records",
    "resolve_url",
    "states_by_channel",
]

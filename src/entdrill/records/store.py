"""``Records``: the one way drill records are written and read, on SQLite or PostgreSQL.

Each write is one transaction, durable when the call returns. Appending an event locks its drill
(``BEGIN IMMEDIATE`` on SQLite, ``SELECT ... FOR UPDATE`` of the drill row on PostgreSQL), reads
the drill's last sequence number and hash, and writes the next event and the new head together,
so concurrent appenders from several processes extend one unbroken chain. The store appends its
own ``drill`` phase events when a drill is created, finished or interrupted, so the verdict is
chained too. A ``Records`` object may be shared by threads (calls are serialized).
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from types import TracebackType
from typing import Any, TypeVar

from entdrill.records import bulk, detections, reading, tables, writing
from entdrill.records.chain import verify_events
from entdrill.records.database import Database
from entdrill.records.encoding import to_utc, utc_now
from entdrill.records.ledger import PersonReach, by_person
from entdrill.records.models import (
    FINAL_STATUSES,
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
from entdrill.records.reach_totals import ReachTotals, reach_totals

T = TypeVar("T")


class Records:
    """An open records store. Use ``open_records()`` to get one; close it (or use ``with``)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.RLock()

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._db.dialect

    @property
    def where(self) -> str:
        """The database's file or URL (password masked), for messages."""
        return self._db.where

    @property
    def database(self) -> Database:
        """The underlying connection seam (for the bulk import and for tests)."""
        return self._db

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Records:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[Database]:
        with self._lock, self._db.transaction(write=True):
            yield self._db

    @contextmanager
    def _read(self) -> Iterator[Database]:
        """A read transaction: one snapshot, and a lost PostgreSQL connection is reopened."""
        with self._lock, self._db.transaction(write=False):
            yield self._db

    # -- drills and events -----------------------------------------------------------------------

    def create_drill(
        self,
        *,
        plan_name: str,
        plan_path: str,
        plan_digest: str,
        target: str,
        organisers: Sequence[str] = (),
        started_at: datetime | None = None,
        pid: int | None = None,
        host: str | None = None,
        drill_id: str | None = None,
    ) -> DrillRecord:
        """Record a drill as ``running`` (pid and host default to this process) and chain its
        first event, ``drill/created``."""
        drill = tables.clean_drill(
            DrillRecord(
                id=drill_id or tables.new_id(),
                plan_name=plan_name,
                plan_path=plan_path,
                plan_digest=plan_digest,
                target=target,
                started_at=started_at or utc_now(),
                status="running",
                pid=os.getpid() if pid is None else pid,
                host=socket.gethostname() if host is None else host,
                organisers=tuple(organisers),
            )
        )
        with self._write() as db:
            return writing.create(db, drill)

    def append_event(
        self,
        drill_id: str,
        phase: str,
        kind: str,
        data: dict[str, Any] | None = None,
        *,
        at: datetime | None = None,
    ) -> Event:
        """Append the next event of a drill; it is committed when this returns."""
        phase, kind, clean = tables.clean_event_fields(phase, kind, data)
        when = to_utc(at, "event at") if at is not None else utc_now()
        with self._write() as db:
            return writing.append(db, drill_id, when, phase, kind, clean)

    def finish_drill(
        self,
        drill_id: str,
        status: DrillStatus,
        exit_code: int | None,
        summary: dict[str, Any] | None = None,
        *,
        reason: str | None = None,
        ended_at: datetime | None = None,
    ) -> DrillRecord:
        """End a running drill with its verdict (``met``, ``not_met``, ``aborted``,
        ``interrupted`` or ``dry_run``), chained as a ``drill/finished`` event."""
        tables.choice(status, FINAL_STATUSES, "status")
        return self._end(drill_id, status, exit_code, summary, reason, ended_at, "finished")

    def mark_interrupted(
        self, drill_id: str, reason: str, *, at: datetime | None = None
    ) -> DrillRecord:
        """Record that a running drill's process died: status ``interrupted`` with ``reason``."""
        return self._end(drill_id, "interrupted", None, None, reason, at, "interrupted")

    def _end(
        self,
        drill_id: str,
        status: DrillStatus,
        exit_code: int | None,
        summary: dict[str, Any] | None,
        reason: str | None,
        ended_at: datetime | None,
        kind: str,
    ) -> DrillRecord:
        when = to_utc(ended_at, "ended_at") if ended_at is not None else utc_now()
        with self._write() as db:
            return writing.end(db, drill_id, status, exit_code, summary, reason, when, kind)

    # -- what a drill produced -------------------------------------------------------------------

    def add_experiment(
        self,
        *,
        drill_id: str | None,
        title: str,
        path: str,
        kind: str,
        status: str,
        deviated: bool,
        started_at: datetime,
        ended_at: datetime | None,
        measures: dict[str, Any],
        series: dict[str, Any] | None = None,
        journal: dict[str, Any] | None = None,
        experiment_id: str | None = None,
    ) -> ExperimentRecord:
        """Record one experiment run (``drill_id`` None for a standalone ``chaos run``)."""
        experiment = tables.clean_experiment(
            ExperimentRecord(
                id=experiment_id or tables.new_id(),
                drill_id=drill_id,
                title=title,
                path=path,
                kind=kind,
                status=status,
                deviated=deviated,
                started_at=started_at,
                ended_at=ended_at,
                measures=measures,
                series=series,
                journal=journal,
            )
        )
        with self._write() as db:
            writing.add_experiment(db, experiment)
        return experiment

    def add_detections(self, records: Sequence[detections.DetectionRecord]) -> None:
        """Record what monitoring said about each fault or storm of a drill's experiments."""
        cleaned = [detections.clean(r) for r in records]
        with self._write() as db:
            for drill_id in {r.drill_id for r in cleaned}:
                reading.require_drill(db, drill_id)
            detections.add(db, cleaned)

    def detection_results(self, drill_ids: Iterable[str]) -> list[detections.DetectionRecord]:
        """The detection results of these drills (empty for drills run without monitoring)."""
        with self._read() as db:
            return detections.read(db, drill_ids)

    def add_channel_result(
        self,
        drill_id: str,
        channel: str,
        outcome: ChannelOutcome,
        *,
        expectation: dict[str, Any],
        delivered_share: float | None,
        acknowledged_share: float | None,
        cause: str | None = None,
        details: dict[str, Any] | None = None,
        recorded_at: datetime | None = None,
    ) -> ChannelResult:
        """Record a channel's outcome in a drill; a second result for the channel replaces it."""
        result = tables.clean_channel_result(
            ChannelResult(
                drill_id=drill_id,
                channel=channel,
                outcome=outcome,
                expectation=expectation,
                delivered_share=delivered_share,
                acknowledged_share=acknowledged_share,
                cause=cause,
                details=details or {},
                recorded_at=recorded_at or utc_now(),
            )
        )
        with self._write() as db:
            writing.put_channel_result(db, result)
        return result

    def add_ledger_entry(
        self,
        drill_id: str,
        person: str,
        channel: str,
        state: LedgerState,
        *,
        at: datetime | None = None,
        group: str | None = None,
        evidence: dict[str, Any] | None = None,
    ) -> LedgerEntry:
        """Record one state of the message to ``person`` on ``channel``."""
        entry = NewLedgerEntry(person, channel, state, at, group, evidence or {})
        return self.add_ledger_entries(drill_id, [entry])[0]

    def add_ledger_entries(
        self, drill_id: str, entries: Iterable[NewLedgerEntry]
    ) -> list[LedgerEntry]:
        """Record several ledger entries of one drill in one transaction."""
        now = utc_now()
        written = [
            tables.clean_ledger_entry(
                LedgerEntry(
                    id=tables.new_id(),
                    drill_id=drill_id,
                    person=e.person,
                    channel=e.channel,
                    state=e.state,
                    at=e.at or now,
                    group=e.group,
                    evidence=e.evidence,
                )
            )
            for e in entries
        ]
        with self._write() as db:
            writing.add_ledger_entries(db, drill_id, written)
        return written

    def add_finding(
        self,
        drill_id: str,
        severity: Severity,
        title: str,
        *,
        detail: str = "",
        owner: str | None = None,
        key: str | None = None,
        created_at: datetime | None = None,
    ) -> Finding:
        """Record an open finding of a drill."""
        finding = tables.clean_finding(
            Finding(
                id=tables.new_id(),
                drill_id=drill_id,
                severity=severity,
                title=title,
                detail=detail,
                owner=owner,
                status="open",
                created_at=created_at or utc_now(),
                key=key,
            )
        )
        with self._write() as db:
            writing.add_finding(db, finding)
        return finding

    def close_finding(
        self, finding_id: str, *, resolution: str | None = None, closed_at: datetime | None = None
    ) -> Finding:
        """Close an open finding, with what was done about it."""
        when = to_utc(closed_at, "closed_at") if closed_at is not None else utc_now()
        with self._write() as db:
            return writing.close_finding(db, finding_id, resolution, when)

    # -- reading ---------------------------------------------------------------------------------

    def get_drill(self, drill_id: str) -> DrillDetail:
        """Everything about one drill (events, experiments with journals, channel results,
        ledger, findings)."""
        with self._read() as db:
            return reading.drill_detail(db, drill_id)

    def events(self, drill_id: str, *, after_seq: int = 0) -> list[Event]:
        """A drill's events after sequence number ``after_seq``, in order (a running drill reads
        what other processes appended, such as ``entdrill drill confirm``)."""
        with self._read() as db:
            return reading.events_after(db, drill_id, after_seq)

    def list_drills(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        status: DrillStatus | Iterable[DrillStatus] | None = None,
    ) -> list[DrillRecord]:
        """Drills started in ``[since, until)`` (bounds optional), oldest first."""
        with self._read() as db:
            return reading.list_drills(db, since, until, status)

    def running_drills(self) -> list[DrillRecord]:
        """Drills still marked running, with the pid and host of their runner."""
        return self.list_drills(status="running")

    def verify_chain(self, drill_id: str) -> ChainReport:
        """Check a drill's events against their hash chain and the drill's recorded head."""
        with self._read() as db:
            drill = reading.require_drill(db, drill_id)
            return verify_events(drill, reading.drill_events(db, drill_id))

    def ledger_reach(self, drill_id: str) -> list[PersonChannelReach]:
        """One drill's ledger per person and channel: when each state was first reached."""
        with self._read() as db:
            reading.require_drill(db, drill_id)
            return reading.reach(db, "d.id = ?", [drill_id])

    def reach_by_person(self, drill_id: str) -> list[PersonReach]:
        """One drill's people: acknowledged (first on which channel, how long after the first
        message), only delivered to, or not reached at all."""
        return by_person(self.ledger_reach(drill_id))

    def load_review_data(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        ledger: bool = False,
        series: bool = False,
        journals: bool = False,
        reach: bool = True,
    ) -> ReviewData:
        """What the review reads for the drills started in ``[since, until)``, in a fixed
        number of queries. Raw ledger entries, per-second series and journals are large: they
        are loaded only when asked (``load_series`` fetches the series of chosen experiments).
        Without ``reach``, the reach rows are left out (``scan_reach`` streams them)."""
        with self._read() as db:
            return reading.review_data(
                db,
                since,
                until,
                ledger=ledger,
                series=series,
                journals=journals,
                with_reach=reach,
            )

    def scan_reach(
        self,
        since: datetime | None,
        until: datetime | None,
        consume: Callable[[Iterator[ReachFact]], T],
    ) -> T:
        """``consume`` the reach rows of the drills started in ``[since, until)``, compactly
        (``ReachFact``), as they stream from the database (a drill's rows together, drills in
        id order), in one read; return what it returns. Nothing holds every row at once."""
        with self._read() as db:
            where, params = reading.window(db, "d.started_at", since, until)
            return consume(reading.reach_facts(db, where, params))

    def reach_totals(
        self, since: datetime | None, until: datetime | None, drill_id: str | None = None
    ) -> ReachTotals:
        """The reach of the ended drills started in ``[since, until)`` (only ``drill_id`` when
        given), folded by the database into what the review shows (``reach_totals``)."""
        with self._read() as db:
            where, params = reading.window(db, "d.started_at", since, until)
            if drill_id is not None:
                where += " AND d.id = ?"
                params.append(drill_id)
            return reach_totals(db, where, params)

    def twin(self) -> Records | None:
        """Another connection to the same database, read-only, for a read beside this one's
        (None when there cannot be one: an in-memory SQLite database)."""
        db = self._db.reopen()
        return None if db is None else Records(db)

    def import_drills(self, details: Iterable[DrillDetail]) -> list[DrillDetail]:
        """Write whole drills at once (fixtures, copies between databases), in one transaction
        with batched inserts. Values are checked and redacted as by the single writers; events
        are chained afresh (their seq, prev_hash and hash are computed here). Returns the drills
        as stored."""
        prepared = [bulk.prepare(detail) for detail in details]
        with self._write() as db:
            bulk.write(db, prepared)
        return prepared

    def import_experiments(self, experiments: Iterable[ExperimentRecord]) -> list[ExperimentRecord]:
        """Write standalone experiments (``drill_id`` None) at once; returns them as stored."""
        prepared = [tables.clean_experiment(x) for x in experiments]
        with self._write() as db:
            bulk.write_experiments(db, prepared)
        return prepared

    def load_series(self, experiment_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The per-second series of the given experiments, by id, in batched queries."""
        with self._read() as db:
            return reading.series_of(db, experiment_ids)

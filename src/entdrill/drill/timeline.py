"""A drill's timeline: every event committed to the records as it happens, then shown.

:meth:`Timeline.record` appends the event to the drill's hash chain (``Records.append_event``
commits it before returning) and only then hands it to the display, so a line seen on the
terminal or in the ``--json-events`` stream is always in the record, even if the runner is
killed right after. :meth:`Timeline.note` shows progress (acknowledgement counts) without
recording it: the ledger entries behind it are recorded by whoever observed them.

Displays: :class:`TerminalDisplay` (one line per event, elapsed time first, for a TTY),
:class:`JsonEventsDisplay` (one JSON object per line: ``seq``, ``at``, ``phase``, ``kind``,
``data``, ``text``) and :class:`QuietDisplay`.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Protocol, TextIO

from entdrill import redact
from entdrill.records import Event, Records

PHASE_WIDTH = 10
#: Events left out of the debrief's timeline (the debrief says them in its own sections).
QUIET_KINDS = frozenset({"loaded", "planned", "channel_fact", "channel_outcome", "findings"})


class Display(Protocol):
    def event(self, event: Event, text: str) -> None: ...

    def note(self, phase: str, text: str) -> None: ...


class QuietDisplay:
    """Shows nothing (the record has everything)."""

    def event(self, event: Event, text: str) -> None:
        return None

    def note(self, phase: str, text: str) -> None:
        return None


class TerminalDisplay:
    """The live timeline on a terminal: ``+01:05  verify     staff-slack: 18/26 acknowledged``."""

    def __init__(self, stream: TextIO, *, colour: bool = True) -> None:
        self.stream = stream
        self.colour = colour
        self.started = time.monotonic()
        self._lock = threading.Lock()

    def event(self, event: Event, text: str) -> None:
        self._line(event.phase, text, strong=event.phase in ("drill", "killswitch"))

    def note(self, phase: str, text: str) -> None:
        self._line(phase, text, dim=True)

    def _line(self, phase: str, text: str, *, strong: bool = False, dim: bool = False) -> None:
        elapsed = int(time.monotonic() - self.started)
        stamp = f"+{elapsed // 60:02d}:{elapsed % 60:02d}"
        label = phase.ljust(PHASE_WIDTH)
        if self.colour:
            style = "\033[1m" if strong else "\033[2m" if dim else "\033[36m"
            label = f"{style}{label}\033[0m"
        with self._lock:
            self.stream.write(f"{stamp}  {label} {redact.redact(text)}\n")
            self.stream.flush()


class JsonEventsDisplay:
    """One JSON object per recorded event, for machines (``drill run --json-events``)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._lock = threading.Lock()

    def event(self, event: Event, text: str) -> None:
        line = {
            "seq": event.seq,
            "at": event.at.isoformat(),
            "phase": event.phase,
            "kind": event.kind,
            "data": event.data,
            "text": redact.redact(text),
        }
        with self._lock:
            self.stream.write(json.dumps(line, ensure_ascii=False) + "\n")
            self.stream.flush()

    def note(self, phase: str, text: str) -> None:
        return None


class Timeline:
    """The events of one drill: recorded first, shown second."""

    def __init__(self, records: Records, drill_id: str, display: Display | None = None) -> None:
        self.records = records
        self.drill_id = drill_id
        self.display: Display = display or QuietDisplay()
        self.count = 0
        self.started = time.monotonic()
        #: (seconds since the start, what happened): the debrief's timeline
        self.highlights: list[tuple[float, str]] = []
        self._last_note: dict[str, str] = {}

    def record(
        self, phase: str, kind: str, data: dict[str, Any] | None = None, *, text: str = ""
    ) -> Event:
        """Commit the event ``phase/kind`` with ``data`` (and ``text`` as its ``note``, for
        people reading the record), then show ``text`` (or its kind)."""
        values = dict(data or {})
        if text:
            values.setdefault("note", text)
        event = self.records.append_event(self.drill_id, phase, kind, values)
        self.count += 1
        if text and kind not in QUIET_KINDS:
            self.highlights.append((time.monotonic() - self.started, text))
        self.display.event(event, text or kind.replace("_", " "))
        return event

    def note(self, phase: str, text: str, *, key: str = "") -> None:
        """Show progress; the same text under the same ``key`` is shown once."""
        key = key or phase
        if self._last_note.get(key) == text:
            return
        self._last_note[key] = text
        self.display.note(phase, text)

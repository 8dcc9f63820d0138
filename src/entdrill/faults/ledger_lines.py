"""Reading the fault ledger's lines strictly: each is one well-formed event, or it is named.

A ledger line that cannot be read might be the only record of a fault still injected, so it is
never skipped in silence. :func:`parse_event` checks a line completely (UTF-8 text, JSON without
NaN or infinity, the fields of its kind with their types) and raises ``ValueError`` saying what
is wrong; the ledger reports such lines as :class:`LineProblem` until an operator settles one
deliberately (``entdrill recover --force-line N``), which appends a ``settled`` event naming the
line by number and by the SHA-256 of its bytes.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass
from typing import Any

from entdrill.textfile import check_line

PLANNED, INJECTED, UNDONE, SETTLED = "planned", "injected", "undone", "settled"
FAILED, UNDO_FAILED = "failed", "undo_failed"
EVENTS = (PLANNED, INJECTED, FAILED, UNDONE, UNDO_FAILED, SETTLED)
MAX_SHOWN = 160  # characters of an unreadable line shown to the operator


@dataclass(frozen=True)
class LineProblem:
    """A ledger line that is not a readable event (or an event no readable line explains)."""

    line: int
    reason: str
    text: str  # the start of the line, as far as it is text
    sha256: str

    def describe(self) -> str:
        return f"line {self.line}: {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def problem(number: int, raw: bytes, reason: str) -> LineProblem:
    shown = raw.decode("utf-8", "replace")
    shown = "".join(c if c.isprintable() else "?" for c in shown)
    if len(shown) > MAX_SHOWN:
        shown = shown[: MAX_SHOWN - 3] + "..."
    return LineProblem(number, reason, shown, digest(raw))


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_event(raw: bytes) -> dict[str, Any]:
    """The event on one ledger line, every field checked; ``ValueError`` says what is wrong."""
    text = check_line(raw)
    try:
        event = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except ValueError as error:
        raise ValueError(f"not a JSON event ({error})") from None
    if not isinstance(event, dict):
        raise ValueError("not a JSON object")
    kind = event.get("event")
    if kind not in EVENTS:
        raise ValueError(f"unknown event {_short(kind)}; expected one of {', '.join(EVENTS)}")
    _number(event, "at")
    if kind == PLANNED:
        entry = _field(event, "entry", dict)
        for name in ("id", "kind"):
            _text(entry, name, empty=False)
        for name in ("target", "action", "undo"):
            _field(entry, name, dict)
        _text(entry["undo"], "op", empty=False)
        owner = _field(entry, "owner", dict)
        for name in ("pid", "started"):
            if not isinstance(owner.get(name), int) or isinstance(owner.get(name), bool):
                raise ValueError(f"owner.{name} is {_short(owner.get(name))}, not a whole number")
        _text(owner, "host")
        if set(owner) != {"pid", "started", "host"}:
            raise ValueError(f"owner has the fields {sorted(owner)}, not pid, started and host")
        if "label" in entry:
            _text(entry, "label")
    elif kind == SETTLED:
        line = event.get("line")
        if not isinstance(line, int) or isinstance(line, bool) or line < 1:
            raise ValueError(f"line is {_short(line)}, not a line number")
        for name in ("sha256", "by"):
            _text(event, name, empty=False)
    else:
        _text(event, "id", empty=False)
        optional = {INJECTED: ("result", dict), UNDONE: ("how", str)}.get(kind, ("error", str))
        if optional[0] in event:
            _field(event, optional[0], optional[1])
    return event


def _field(data: dict[str, Any], name: str, kind: type) -> Any:
    value = data.get(name)
    if not isinstance(value, kind):
        expected = "an object" if kind is dict else "text" if kind is str else kind.__name__
        raise ValueError(f"{name} is {_short(value)}, not {expected}")
    return value


def _text(data: dict[str, Any], name: str, *, empty: bool = True) -> str:
    value: str = _field(data, name, str)
    if not empty and not value:
        raise ValueError(f"{name} is empty")
    return value


def _number(data: dict[str, Any], name: str) -> float:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} is {_short(value)}, not a time in seconds")
    return float(value)


def _short(value: Any) -> str:
    text = "missing" if value is None else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."

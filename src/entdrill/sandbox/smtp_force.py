"""Forced SMTP replies: the next N commands of a stage answer a chosen code.

Queued by the SMTP admin API so that tests and drills can watch a sender meet a transient
(``421``, ``450``, ``451``) or permanent (``550``, ``554``) failure at ``MAIL``, ``RCPT`` or
``DATA``. A force with a ``recipient`` applies only to that recipient's ``RCPT``, or to a
``DATA`` whose envelope includes it.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, replace
from typing import Any

from entdrill.errors import InvalidArgument
from entdrill.mailstore import normalize_address

STAGES = ("MAIL", "RCPT", "DATA")
REPLIES = {
    421: "421 4.3.2 Service not available, closing transmission channel",
    450: "450 4.2.1 Mailbox temporarily unavailable, try again later",
    451: "451 4.3.0 Local error in processing, try again later",
    550: "550 5.7.1 Rejected by policy",
    554: "554 5.7.0 Transaction failed",
}


@dataclass(frozen=True)
class SmtpForce:
    stage: str
    code: int
    count: int = 1
    recipient: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def applies(self, stage: str, recipients: list[str]) -> bool:
        if stage != self.stage:
            return False
        return not self.recipient or self.recipient in {r.lower() for r in recipients}


def parse_smtp_force(data: Any) -> SmtpForce:
    """An :class:`SmtpForce` from the admin API's JSON; ValueError names what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object with stage, code and count")
    unknown = sorted(set(data) - {"stage", "code", "count", "recipient"})
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(unknown)}")
    stage = str(data.get("stage", "")).upper()
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {', '.join(STAGES)}, got {data.get('stage')!r}")
    code = data.get("code")
    if code not in REPLIES:
        raise ValueError(f"code must be one of {', '.join(map(str, REPLIES))}, got {code!r}")
    count = data.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be a whole number of at least 1, got {count!r}")
    recipient = data.get("recipient") or ""
    if recipient:
        if stage == "MAIL":
            raise ValueError("recipient applies to the RCPT and DATA stages, not MAIL")
        try:
            recipient = normalize_address(str(recipient))
        except InvalidArgument as error:
            raise ValueError(str(error)) from None
    return SmtpForce(stage=stage, code=code, count=count, recipient=recipient)


class ForcedReplies:
    """Queued forced replies, consumed in order of arrival; thread-safe."""

    def __init__(self) -> None:
        self._queue: list[SmtpForce] = []
        self._lock = threading.Lock()

    def add(self, force: SmtpForce) -> None:
        with self._lock:
            self._queue.append(force)

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [force.to_dict() for force in self._queue]

    def take(self, stage: str, recipients: list[str]) -> str | None:
        """The reply forced on this command, if any (and one use of it spent)."""
        with self._lock:
            for index, force in enumerate(self._queue):
                if force.applies(stage, recipients):
                    if force.count <= 1:
                        del self._queue[index]
                    else:
                        self._queue[index] = replace(force, count=force.count - 1)
                    return REPLIES[force.code]
        return None

"""The ENT's shared state, typed: login executions, TGTs, service tickets, portal sessions, faults.

Everything lives in the :class:`~entdrill.sandbox.ent.store.EntStore` the replicas share, as JSON
strings, so a login may start on one replica, post to a second and be validated on a third.

Identifiers: an execution is a random URL-safe token; a TGT is ``TGT-<token>-<replica>``; a
service ticket ``ST-<token>-<replica>`` (the suffix tells which replica issued it); a portal
session id is a random token.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from dataclasses import asdict, dataclass

from entdrill.sandbox.ent.store import EXECUTION, FAULTS, SESSION, TGT, TICKET, EntStore
from entdrill.sandbox.faults import FaultSettings

log = logging.getLogger(__name__)

#: How long a login form stays usable (Apereo's webflow keeps a flow for hours; minutes suffice).
EXECUTION_TTL_S = 600.0
#: How long a replica trusts its copy of the fault settings before reading the store again.
FAULT_CACHE_S = 0.2


@dataclass(frozen=True)
class Ticket:
    """A service ticket: who it is for, for which service, and whether it came from a new login."""

    user: str
    service: str
    new_login: bool
    issued_at: float


@dataclass(frozen=True)
class PortalSession:
    """A portal session, made from a validated ticket: the user and the attributes CAS released."""

    user: str
    name: str
    role: str
    school: str
    email: str


class SessionState:
    """Typed access to the CAS and portal entries of an :class:`EntStore`."""

    def __init__(self, store: EntStore, replica: str, *, ticket_ttl_s: float, session_ttl_s: float):
        self.store = store
        self.replica = replica
        self.ticket_ttl_s = ticket_ttl_s
        self.session_ttl_s = session_ttl_s

    # Login executions (the hidden single-use form field).
    def new_execution(self) -> str:
        execution = secrets.token_urlsafe(32)
        self.store.put(EXECUTION, execution, "1", EXECUTION_TTL_S)
        return execution

    def use_execution(self, execution: str) -> bool:
        """True once for a live execution; False for unknown, used or expired ones."""
        return bool(execution) and self.store.take(EXECUTION, execution) is not None

    # Ticket-granting tickets (the TGC cookie's value).
    def new_tgt(self, user: str) -> str:
        tgt = f"TGT-{secrets.token_urlsafe(24)}-{self.replica}"
        self.store.put(TGT, tgt, user, self.session_ttl_s)
        return tgt

    def user_of_tgt(self, tgt: str) -> str | None:
        return self.store.get(TGT, tgt) if tgt else None

    def destroy_tgt(self, tgt: str) -> bool:
        return bool(tgt) and self.store.delete(TGT, tgt)

    # Service tickets: single use, short-lived.
    def new_ticket(self, user: str, service: str, *, new_login: bool) -> str:
        ticket = f"ST-{secrets.token_urlsafe(24)}-{self.replica}"
        record = Ticket(user=user, service=service, new_login=new_login, issued_at=time.time())
        self.store.put(TICKET, ticket, json.dumps(asdict(record)), self.ticket_ttl_s)
        return ticket

    def take_ticket(self, ticket: str) -> Ticket | None:
        """The ticket, consumed; None when unknown, already used or expired."""
        raw = self.store.take(TICKET, ticket) if ticket else None
        return None if raw is None else Ticket(**json.loads(raw))

    # Portal sessions (the ENTSESSION cookie's value).
    def new_session(self, session: PortalSession) -> str:
        session_id = secrets.token_urlsafe(32)
        self.store.put(SESSION, session_id, json.dumps(asdict(session)), self.session_ttl_s)
        return session_id

    def session(self, session_id: str) -> PortalSession | None:
        raw = self.store.get(SESSION, session_id) if session_id else None
        return None if raw is None else PortalSession(**json.loads(raw))

    def destroy_session(self, session_id: str) -> bool:
        return bool(session_id) and self.store.delete(SESSION, session_id)

    def counts(self) -> dict[str, int]:
        """Live entries by kind: what a session-store loss would destroy."""
        return {kind: self.store.count(kind) for kind in (TGT, TICKET, SESSION)}

    def lose_sessions(self) -> int:
        """Log everyone out: every TGT, outstanding service ticket and portal session is gone."""
        lost = self.store.lose_sessions()
        log.warning("%s: session store flushed, %d entries lost", self.replica, lost)
        return lost


class SharedFaultStore:
    """A :class:`~entdrill.sandbox.faults.FaultStore` every replica sees, cached for 200 ms.

    A fault set through one replica applies on all of them within :data:`FAULT_CACHE_S`. When the
    store cannot be read, the last settings known stay in force.
    """

    KEY = "current"

    def __init__(self, store: EntStore, cache_s: float = FAULT_CACHE_S) -> None:
        self.store = store
        self.cache_s = cache_s
        self._settings = FaultSettings()
        self._read_at = float("-inf")
        self._failing = False

    def get(self) -> FaultSettings:
        now = time.monotonic()
        if now - self._read_at >= self.cache_s:
            self._read_at = now
            try:
                raw = self.store.get(FAULTS, self.KEY)
                self._settings = (
                    FaultSettings() if raw is None else FaultSettings.from_dict(json.loads(raw))
                )
                if self._failing:
                    log.info("shared fault settings readable again")
                self._failing = False
            except Exception as error:  # a broken store must not break fault handling
                if not self._failing:
                    log.warning(
                        "cannot read the shared fault settings, keeping the last: %s", error
                    )
                self._failing = True
        return self._settings

    def set(self, settings: FaultSettings) -> None:
        self.store.put(FAULTS, self.KEY, json.dumps(settings.to_dict()), None)
        self._settings = settings
        self._read_at = time.monotonic()

"""The status page channel: post the incident, check that the public page shows it, resolve it.

``send`` posts the incident (``POST /api/incidents`` with the status token): its title is the
labelled component and status ("[EXERCICE / DRILL] Classes virtuelles : panne majeure"), its
body the message. Then it reads the public page (``GET /``, no token, as a parent would) and
looks for the title. Channel-wide facts (``person_id`` ""): ``sent`` once posted, ``delivered``
once shown (``poll`` looks again while it is not), ``failed`` when the post is refused or the
page cannot be reached. ``recover`` resolves the incident.
"""

from __future__ import annotations

import html
import logging
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Any

from entdrill import redact
from entdrill.channels import http_json
from entdrill.channels.base import (
    Channel,
    LedgerEvent,
    LedgerState,
    Message,
    Recipient,
    labelled,
)
from entdrill.channels.http_json import HttpFailure

log = logging.getLogger(__name__)

#: A component status, as people read it on the page (French, as the page is).
STATUS_WORDS = {
    "degraded": "performances dégradées",
    "partial_outage": "panne partielle",
    "major_outage": "panne majeure",
    "maintenance": "maintenance",
}
#: The incident's own status for each component status.
INCIDENT_STATUS = {
    "degraded": "investigating",
    "partial_outage": "identified",
    "major_outage": "identified",
    "maintenance": "monitoring",
}


class StatusPageChannel(Channel):
    kind = "statuspage"
    reaches_people = False

    def __init__(
        self,
        name: str,
        audience: Sequence[Recipient],
        settings: Mapping[str, Any] | None = None,
        *,
        page_url: str,
        token: str,
        component: str = "",
        status: str = "major_outage",
        timeout_s: float = 10.0,
    ) -> None:
        super().__init__(name, audience, settings)
        redact.register(token)
        self.page_url = page_url.rstrip("/")
        self.token = token
        self.component = component or "ENT"
        self.status = status
        self.timeout_s = timeout_s
        self.incident_id = ""
        self.title = ""
        self.shown = False

    def _send(self, message: Message, recipients: Sequence[Recipient]) -> list[LedgerEvent]:
        if self.incident_id:
            return []
        words = STATUS_WORDS.get(self.status, self.status)
        self.title = labelled(f"{self.component} : {words}")[:200]
        body = {
            "title": self.title,
            "body": message.text,
            "status": INCIDENT_STATUS.get(self.status, "investigating"),
            "components": [self.component],
        }
        try:
            reply = http_json.call(
                "POST",
                self.page_url + "/api/incidents",
                token=self.token,
                body=body,
                timeout_s=self.timeout_s,
                what="the status page",
            )
        except HttpFailure as failure:
            return [self.event("", LedgerState.FAILED, cause=failure.cause)]
        self.incident_id = str(reply.body.get("id", "")) if isinstance(reply.body, dict) else ""
        posted = self.event(
            "", LedgerState.SENT, incident=self.incident_id, title=self.title, page=self._host()
        )
        return [posted, *self.poll()]

    def poll(self) -> list[LedgerEvent]:
        """``delivered`` once the public page shows the incident's title."""
        if not self.incident_id or self.shown:
            return []
        try:
            page = http_json.get_text(
                self.page_url + "/", timeout_s=self.timeout_s, what="the status page"
            )
        except HttpFailure as failure:
            log.warning("reading the status page: %s", failure.cause)
            return []
        if html.escape(self.title) not in page and self.title not in page:
            return []
        self.shown = True
        return [self.event("", LedgerState.DELIVERED, incident=self.incident_id, shown_on="/")]

    def recover(self) -> dict[str, Any]:
        """Resolve the incident; what was done."""
        if not self.incident_id:
            return {}
        try:
            http_json.call(
                "PATCH",
                f"{self.page_url}/api/incidents/{urllib.parse.quote(self.incident_id, safe='')}",
                token=self.token,
                body={"status": "resolved", "body": "Fin de l'exercice."},
                timeout_s=self.timeout_s,
                what="the status page",
            )
        except HttpFailure as failure:
            return {"incident": self.incident_id, "resolved": False, "error": failure.cause}
        return {"incident": self.incident_id, "resolved": True}

    def _host(self) -> str:
        return str(redact.redact(urllib.parse.urlsplit(self.page_url).netloc))

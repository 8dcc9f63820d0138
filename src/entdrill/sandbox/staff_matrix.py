"""The simulated staff on Matrix: each person's own client on the sandbox's Synapse.

Once the ``matrix`` component has set the school up (``accounts.json``), every person who
answers drills keeps a long-polling ``/sync`` of their own, as a phone or desktop client would:

- an invitation (a direct room the drill bot opened) is accepted;
- a message from someone else is an :class:`Arrival` (channel ``matrix``), queued until the
  simulator's next poll takes it;
- an answer is an ``m.reaction`` (``✅``) on the message or a reply in its thread (``m.thread``
  with an ``m.in_reply_to`` fallback), sent with the person's own token and a transaction id
  made from the message's id, so a retried answer is never doubled.

People who never answer (``staff_silent_share``) do not even open their client. A sandbox
without Synapse (``matrix: false``, or it could not start) leaves this side idle.
"""

from __future__ import annotations

import asyncio
import logging
import urllib.parse
from collections.abc import Iterable
from typing import Any

import aiohttp

from entdrill.population import Person
from entdrill.sandbox.component import ComponentContext
from entdrill.sandbox.matrix_accounts import Account, read_accounts
from entdrill.sandbox.staff_channels import PermanentFailure, TransientFailure
from entdrill.sandbox.staff_profile import MATRIX_REACTION, Arrival, StaffProfile

log = logging.getLogger(__name__)

SYNC_TIMEOUT_MS = 20_000
CLIENT = "/_matrix/client/v3"
FILTER = (
    '{"presence":{"not_types":["*"]},"account_data":{"not_types":["*"]},'
    '"room":{"timeline":{"limit":20,"types":["m.room.message"]},"state":{"types":[]},'
    '"ephemeral":{"not_types":["*"]},"account_data":{"not_types":["*"]}}}'
)
MAX_RETRY_AFTER_S = 30.0


def quoted(value: str) -> str:
    return urllib.parse.quote(value, safe="")


class MatrixSide:
    """Every answering person's Matrix client, and the arrivals they have not handed over yet."""

    def __init__(
        self,
        ctx: ComponentContext,
        session: aiohttp.ClientSession,
        people: Iterable[Person],
        profiles: dict[str, StaffProfile],
    ) -> None:
        self.ctx = ctx
        self.session = session
        self.people = [
            p for p in people if p.matrix_id and profiles[p.username].answers_on("matrix")
        ]
        self.accounts: dict[str, Account] = {}
        self.queue: list[Arrival] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.url = ctx.config.matrix_url

    async def arrivals(self) -> list[Arrival]:
        """What reached people since the last call (starts their clients once Synapse is set up)."""
        if not self.ctx.config.matrix:
            return []
        if not self.tasks:
            accounts = read_accounts(self.ctx.directory)
            if accounts is None:
                raise TransientFailure("Synapse has not set the school's accounts up yet")
            self.accounts = accounts.people
            for person in self.people:
                if person.username in self.accounts:
                    self.tasks.append(asyncio.create_task(self.follow(person)))
        taken, self.queue = self.queue, []
        return taken

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def follow(self, person: Person) -> None:
        """One person's client: long-poll ``/sync``, accept invitations, queue messages."""
        account = self.accounts[person.username]
        since, failures = "", 0
        while True:
            query = {"timeout": str(SYNC_TIMEOUT_MS if since else 0), "filter": FILTER}
            if since:
                query["since"] = since
            try:
                answer = await self.call(
                    account, "GET", "/sync", query=query, timeout_s=SYNC_TIMEOUT_MS / 1000 + 10
                )
                rooms = answer.get("rooms") or {}
                for room_id in rooms.get("invite") or {}:
                    await self.call(account, "POST", f"/join/{quoted(room_id)}", body={})
                for room_id, room in (rooms.get("join") or {}).items():
                    for event in (room.get("timeline") or {}).get("events") or []:
                        self.receive(person, account, room_id, event)
                since, failures = str(answer["next_batch"]), 0
            except (TransientFailure, PermanentFailure, KeyError) as failure:
                failures += 1
                log.info("%s's Matrix client: %s", person.username, failure)
                await asyncio.sleep(min(10.0, 0.5 * 2**failures))

    def receive(self, person: Person, account: Account, room_id: str, event: Any) -> None:
        if not isinstance(event, dict) or event.get("type") != "m.room.message":
            return
        sender = str(event.get("sender", ""))
        content = event.get("content")
        if not isinstance(content, dict) or not isinstance(content.get("body"), str):
            return
        if sender == account.user_id:
            return
        self.queue.append(
            Arrival(
                channel="matrix",
                ref=f"matrix:{event.get('event_id')}",
                username=person.username,
                author=sender,
                text=str(content["body"]),
                sent_at=int(event.get("origin_server_ts") or 0) / 1000.0,
                context={"room_id": room_id, "event_id": str(event.get("event_id"))},
            )
        )

    async def answer(self, person: Person, arrival: Arrival, how: str, text: str) -> None:
        """React to ``arrival`` or reply in its thread, as ``person``."""
        account = self.accounts[person.username]
        room, event = arrival.context["room_id"], arrival.context["event_id"]
        if how == "reaction":
            kind = "m.reaction"
            content: dict[str, Any] = {
                "m.relates_to": {
                    "rel_type": "m.annotation",
                    "event_id": event,
                    "key": MATRIX_REACTION,
                }
            }
        else:
            kind = "m.room.message"
            content = {
                "msgtype": "m.text",
                "body": text,
                "m.relates_to": {
                    "rel_type": "m.thread",
                    "event_id": event,
                    "is_falling_back": True,
                    "m.in_reply_to": {"event_id": event},
                },
            }
        txn = quoted(f"ack-{how}-{event}")
        await self.call(account, "PUT", f"/rooms/{quoted(room)}/send/{kind}/{txn}", body=content)

    async def call(
        self,
        account: Account,
        method: str,
        path: str,
        *,
        body: Any = None,
        query: dict[str, str] | None = None,
        timeout_s: float = 5.0,
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {account.access_token}"}
        try:
            async with self.session.request(
                method,
                self.url + CLIENT + path,
                json=body,
                params=query,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=timeout_s),
            ) as response:
                answer = await response.json(content_type=None)
                status = response.status
        except (TimeoutError, aiohttp.ClientError, OSError, ValueError) as error:
            raise TransientFailure(f"Synapse unreachable: {error!r}") from error
        if status < 300 and isinstance(answer, dict):
            return answer
        detail = answer if isinstance(answer, dict) else {}
        if status == 429:
            wait = float(detail.get("retry_after_ms") or 1000) / 1000.0
            await asyncio.sleep(min(MAX_RETRY_AFTER_S, wait))
            raise TransientFailure("Synapse answered 429 (M_LIMIT_EXCEEDED)")
        kind = TransientFailure if status >= 500 else PermanentFailure
        raise kind(f"Synapse answered {status}: {detail.get('errcode', '')}")

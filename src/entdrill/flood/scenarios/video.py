"""``video-join``: a pupil joining a virtual class on a BigBlueButton-compatible bridge.

``create`` the class (BBB answers SUCCESS for a meeting that exists already), then ``join`` it
with ``redirect=false`` so the bridge answers XML with the client URL; every call is signed with
the bridge's shared secret (SHA-1 of call + query + secret). A FAILED answer is ``bbb_failed``.
"""

from __future__ import annotations

import re

from entdrill.bbb_checksum import build_url
from entdrill.flood.scenarios.base import Journey, Request, Scenario, ScenarioContext

_RETURNCODE = re.compile(rb"<returncode>\s*(\w+)\s*</returncode>")


def _succeeded(body: bytes) -> bool | None:
    found = _RETURNCODE.search(body)
    return None if found is None else found.group(1) == b"SUCCESS"


def video_join(ctx: ScenarioContext, draw: int) -> Journey:
    meeting = f"entdrill-storm-{draw % ctx.classes}"
    create = build_url(
        ctx.bridge_url, "create", {"meetingID": meeting, "name": meeting}, ctx.bridge_secret
    )
    reply = yield Request("create", create, want_body=True)
    created = _succeeded(reply.body)
    if reply.status >= 400 or created is None:
        return "http_4xx" if reply.status >= 400 else "unexpected"
    if not created:
        return "bbb_failed"
    params = {
        "meetingID": meeting,
        "fullName": f"Eleve {draw % 100000}",
        "role": "VIEWER",
        "redirect": "false",
    }
    reply = yield Request(
        "join", build_url(ctx.bridge_url, "join", params, ctx.bridge_secret), want_body=True
    )
    joined = _succeeded(reply.body)
    if reply.status >= 400 or joined is None:
        return "http_4xx" if reply.status >= 400 else "unexpected"
    return None if joined else "bbb_failed"


SCENARIO = Scenario("video-join", video_join, steps=("create", "join"), needs_bridge=True)

"""A BigBlueButton API client: signed calls and parsed answers.

Calls are signed by :mod:`entdrill.bbb_checksum` (shared with the sandbox's bridge).
Answers are XML with a ``returncode`` of SUCCESS or FAILED and, on failure, a ``messageKey``.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from entdrill.bbb_checksum import build_url


@dataclass(frozen=True)
class Answer:
    """One parsed API answer."""

    status: int
    returncode: str
    message_key: str = ""
    message: str = ""
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.returncode == "SUCCESS"


def parse_answer(status: int, body: bytes) -> Answer:
    try:
        root = ET.fromstring(body)  # noqa: S314 - bounded answers from a test target
    except ET.ParseError:
        return Answer(
            status=status, returncode="INVALID", message=body[:200].decode(errors="replace")
        )
    fields = {child.tag: (child.text or "") for child in root}
    return Answer(
        status=status,
        returncode=fields.get("returncode", ""),
        message_key=fields.get("messageKey", ""),
        message=fields.get("message", ""),
        fields=fields,
    )


def call(
    base_url: str,
    name: str,
    params: dict[str, str],
    secret: str,
    *,
    algorithm: str = "sha1",
    timeout_s: float = 5.0,
) -> Answer:
    """Make one API call and parse its XML answer (an HTTP error status is an answer too)."""
    url = build_url(base_url, name, params, secret, algorithm)
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:  # noqa: S310
            return parse_answer(response.status, response.read())
    except urllib.error.HTTPError as error:
        return parse_answer(error.code, error.read())


@dataclass(frozen=True)
class JoinResult:
    ok: bool
    seconds: float
    bridge: str
    meeting_id: str
    error: str = ""
    join_url: str = ""


def create_and_join(
    base_url: str,
    secret: str,
    *,
    meeting_id: str,
    full_name: str = "entdrill probe",
    timeout_s: float = 5.0,
) -> JoinResult:
    """Create (or reuse) a meeting, join it, and open the client page the join leads to."""
    started = time.monotonic()

    def result(ok: bool, error: str = "", join_url: str = "") -> JoinResult:
        return JoinResult(ok, time.monotonic() - started, base_url, meeting_id, error, join_url)

    try:
        created = call(
            base_url,
            "create",
            {"meetingID": meeting_id, "name": meeting_id},
            secret,
            timeout_s=timeout_s,
        )
        if not created.ok:
            return result(False, f"create failed: {created.message_key or created.returncode}")
        params = {
            "meetingID": meeting_id,
            "fullName": full_name,
            "role": "VIEWER",
            "redirect": "false",
        }
        joined = call(base_url, "join", params, secret, timeout_s=timeout_s)
        if not joined.ok:
            return result(False, f"join failed: {joined.message_key or joined.returncode}")
        join_url = joined.fields.get("url", "")
        base_host = urllib.parse.urlsplit(base_url).hostname
        if join_url and urllib.parse.urlsplit(join_url).hostname != base_host:
            return result(False, f"join URL leads to another host: {join_url}")
        if join_url:
            with urllib.request.urlopen(join_url, timeout=timeout_s) as page:  # noqa: S310
                page.read()
        return result(True, join_url=join_url)
    except (OSError, urllib.error.URLError) as error:
        return result(False, f"bridge unreachable: {error}")

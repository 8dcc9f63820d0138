"""Is the portal answering? One GET, no redirect followed, timed."""

from __future__ import annotations

import http.client
import time
import urllib.parse
from typing import Any


def check(url: str, *, timeout_s: float = 5.0) -> dict[str, Any]:
    """GET ``url``: ``ok`` when it answers below 500 (a redirect to CAS is an answer)."""
    parts = urllib.parse.urlsplit(url)
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    started = time.monotonic()
    conn = cls(parts.hostname or "", parts.port, timeout=timeout_s)
    try:
        path = parts.path or "/"
        conn.request("GET", path + (f"?{parts.query}" if parts.query else ""))
        response = conn.getresponse()
        response.read()
        status = response.status
    except OSError as error:
        return {
            "ok": False,
            "status": 0,
            "seconds": time.monotonic() - started,
            "error": f"{url} did not answer: {error}",
            "url": url,
        }
    finally:
        conn.close()
    ok = status < 500 and status != 429
    problem = "" if ok else f"HTTP {status} at {url}"
    seconds = time.monotonic() - started
    return {"ok": ok, "status": status, "seconds": seconds, "error": problem, "url": url}

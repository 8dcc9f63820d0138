"""HTTP for the Matrix channel: one JSON call to a homeserver, its failures as sentences.

:func:`call` makes one request with a timeout (the token in the ``Authorization`` header, never
in a URL or a message) and returns the JSON object answered. Anything else raises
:class:`MatrixFailure`, whose ``cause`` is what the ledger records: the errcode and the
homeserver's own words, the wait a 429 ``M_LIMIT_EXCEEDED`` asks for (``retry_after_ms``, or a
``Retry-After`` header, whichever is longer), whether the token was refused, and whether the
request may have been carried out (5xx, lost connection: ``ambiguous``). An answer that is not
JSON says so: the address is not a Matrix homeserver.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from entdrill import redact
from entdrill.errors import ChannelError

AUTH_ERRORS = frozenset({"M_UNKNOWN_TOKEN", "M_MISSING_TOKEN", "M_USER_DEACTIVATED"})
NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    urllib.error.URLError,
    http.client.HTTPException,
    OSError,
    TimeoutError,
)


class MatrixFailure(ChannelError):
    """A Matrix call failed; ``cause`` is the sentence for the ledger."""

    def __init__(
        self,
        cause: str,
        *,
        errcode: str = "",
        status: int = 0,
        retry_after_s: float = 0.0,
        ambiguous: bool = False,
    ) -> None:
        super().__init__(cause)
        self.cause = cause
        self.errcode = errcode
        self.status = status
        self.retry_after_s = retry_after_s
        self.ambiguous = ambiguous  # the call may have been carried out (5xx, lost connection)

    @property
    def auth(self) -> bool:
        """The token was refused: nothing is worth retrying with it."""
        return self.errcode in AUTH_ERRORS or self.status == 401


class ReadLater(MatrixFailure):
    """A read was rate-limited: nothing more should be read before ``retry_after_s``."""


def call(
    method: str,
    url: str,
    *,
    token: str = "",
    body: Any = None,
    query: Mapping[str, str] | None = None,
    timeout_s: float = 10.0,
    what: str = "",
) -> dict[str, Any]:
    """One call; the JSON object answered, or :class:`MatrixFailure`."""
    if query:
        url += "?" + urllib.parse.urlencode(query)
    if not url.lower().startswith(("http://", "https://")):
        raise MatrixFailure(f"the Matrix homeserver has no http(s) URL: {url[:80]!r}")
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - checked
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    what = what or f"{method} {urllib.parse.unquote(urllib.parse.urlsplit(url).path)}"
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
            raw = response.read()
    except urllib.error.HTTPError as error:
        raise _failure(what, error) from None
    except NETWORK_ERRORS as error:
        reason = redact.redact(str(getattr(error, "reason", error)) or type(error).__name__)
        raise MatrixFailure(
            f"the Matrix homeserver is unreachable ({what}): {reason}", ambiguous=True
        ) from None
    return _json_object(raw, what)


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        start = raw[:60].decode("utf-8", "replace").strip()
        raise MatrixFailure(
            f"the answer to {what} is not JSON (it starts {start!r}): not a Matrix homeserver?"
        ) from None
    if not isinstance(answer, dict):
        raise MatrixFailure(f"the answer to {what} is JSON but not an object")
    return answer


def _failure(what: str, error: urllib.error.HTTPError) -> MatrixFailure:
    status = error.code
    try:
        detail = json.loads(error.read().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        detail = {}
    if not isinstance(detail, dict):
        detail = {}
    errcode = str(detail.get("errcode") or "")
    message = redact.redact(str(detail.get("error") or ""))[:200]
    said = f"{errcode}: {message}" if errcode and message else errcode or message or "no detail"
    if status == 429 or errcode == "M_LIMIT_EXCEEDED":
        wait_ms = detail.get("retry_after_ms")
        waits = [float(wait_ms) / 1000.0] if isinstance(wait_ms, int | float) else []
        header = error.headers.get("Retry-After") if error.headers else None
        if header:
            with contextlib.suppress(ValueError):
                waits.append(float(header))
        return MatrixFailure(
            f"the Matrix homeserver rate-limited {what} (M_LIMIT_EXCEEDED)",
            errcode=errcode or "M_LIMIT_EXCEEDED",
            status=429,
            retry_after_s=max(0.05, max(waits) if waits else 1.0),
        )
    if errcode in AUTH_ERRORS or status == 401:
        return MatrixFailure(
            f"the Matrix homeserver refused the token ({said})", errcode=errcode, status=status
        )
    return MatrixFailure(
        f"the Matrix homeserver answered HTTP {status} to {what} ({said})",
        errcode=errcode,
        status=status,
        ambiguous=status >= 500,
    )

"""BigBlueButton API checksums: how a call is signed and how a bridge checks it.

A BigBlueButton API call is ``GET {base}/{call}?{query}&checksum={hex}`` where ``hex`` is the
SHA-1 (or SHA-256, SHA-384, SHA-512) of ``call + query + shared_secret`` and ``query`` is the
query string exactly as sent, without the checksum parameter. The bridge tells the algorithm by
the length of the hex digest, as BigBlueButton 2.5+ does.

Pure functions, shared by the sandbox bridge and by clients (the flood engine's video join, the
drill's video channel)::

    url = build_url("http://127.0.0.1:8900/bigbluebutton/api", "join",
                    {"meetingID": "6eB", "fullName": "Léa", "role": "VIEWER"}, secret)
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from urllib.parse import urlencode

ALGORITHMS = ("sha1", "sha256", "sha384", "sha512")
# hex digest length -> algorithm
_BY_LENGTH = {40: "sha1", 64: "sha256", 96: "sha384", 128: "sha512"}


def checksum(call: str, query: str, secret: str, algorithm: str = "sha1") -> str:
    """The hex checksum of ``call + query + secret`` with ``algorithm`` (sha1, sha256, ...).

    ``query`` is the encoded query string without the checksum parameter, e.g.
    ``name=Test+Meeting&meetingID=abc123``. ValueError names an unknown algorithm.
    """
    if algorithm not in ALGORITHMS:
        raise ValueError(
            f"unknown checksum algorithm {algorithm!r}; expected one of {', '.join(ALGORITHMS)}"
        )
    digest = hashlib.new(algorithm)
    digest.update((call + query + secret).encode("utf-8"))
    return digest.hexdigest()


def encode_query(params: Mapping[str, object] | Iterable[tuple[str, object]]) -> str:
    """The query string BigBlueButton clients send: form encoding, spaces as ``+``, UTF-8."""
    items = params.items() if isinstance(params, Mapping) else params
    return urlencode([(key, _text(value)) for key, value in items])


def build_url(
    base_url: str,
    call: str,
    params: Mapping[str, object] | Iterable[tuple[str, object]],
    secret: str,
    algorithm: str = "sha1",
) -> str:
    """The signed URL of an API ``call``: ``{base_url}/{call}?{query}&checksum={hex}``.

    ``base_url`` is the API endpoint (``http://host:port/bigbluebutton/api``, with or without a
    trailing slash). Booleans are sent as ``true``/``false``, as the API expects.
    """
    query = encode_query(params)
    signature = checksum(call, query, secret, algorithm)
    signed = f"{query}&checksum={signature}" if query else f"checksum={signature}"
    return f"{base_url.rstrip('/')}/{call}?{signed}"


def split_checksum(raw_query: str) -> tuple[str, str]:
    """``(query without the checksum parameter, checksum)`` of a raw query string as received.

    The other parameters keep their order and encoding, which is what the checksum covers.
    The checksum is ``""`` when absent.
    """
    kept: list[str] = []
    found = ""
    for part in raw_query.split("&") if raw_query else []:
        if part.startswith("checksum="):
            found = part[len("checksum=") :]
        else:
            kept.append(part)
    return "&".join(kept), found


def algorithm_of(given: str) -> str | None:
    """The algorithm a hex checksum was made with, told by its length (None when none fits)."""
    return _BY_LENGTH.get(len(given))


def verify(call: str, raw_query: str, secret: str) -> bool:
    """Whether ``raw_query`` (as received, checksum included) is correctly signed for ``call``."""
    query, given = split_checksum(raw_query)
    algorithm = algorithm_of(given)
    if algorithm is None:
        return False
    expected = checksum(call, query, secret, algorithm)
    return hmac.compare_digest(expected.encode(), given.lower().encode())


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)

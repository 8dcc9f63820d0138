"""How values are checked, redacted and encoded on their way into the records, and decoded back.

Every text and JSON value written goes through ``entdrill.redact.redact`` here, so a secret
registered by whoever read it never lands in a record. Values that one backend would store and
the other refuse (a NUL character in text, NaN in JSON, a naive time) are refused on both, with a
sentence naming the field, so SQLite and PostgreSQL behave the same.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

from entdrill.errors import RecordsError
from entdrill.redact import redact

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_utc(value: datetime, field: str) -> datetime:
    """``value`` in UTC; a naive time is refused (its zone would be a guess)."""
    if not isinstance(value, datetime):
        raise RecordsError(f"{field} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise RecordsError(f"{field} must be timezone-aware, got the naive time {value}")
    return value.astimezone(UTC)


def format_time(value: datetime) -> str:
    """The fixed-width UTC text form (sorts like the times it stands for)."""
    return value.astimezone(UTC).strftime(TIME_FORMAT)


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def clean_text(value: object, field: str, *, optional: bool = False) -> str | None:
    """``value`` redacted, refused when it is not text or cannot be stored."""
    if value is None:
        if optional:
            return None
        raise RecordsError(f"{field} is required")
    if not isinstance(value, str):
        raise RecordsError(f"{field} must be text, got {type(value).__name__}")
    if "\x00" in value:
        raise RecordsError(f"{field} contains a NUL character, which cannot be stored")
    _check_encodable(value, field)
    result: str = redact(value)
    return result


def required_text(value: object, field: str) -> str:
    """Like ``clean_text`` for a field that must be present and non-empty."""
    text = clean_text(value, field)
    assert text is not None
    if not text.strip():
        raise RecordsError(f"{field} must not be empty")
    return text


def clean_json(value: object, field: str, *, optional: bool = False) -> Any:
    """A redacted copy of ``value`` (tuples become lists), refused unless it is strict JSON."""
    if value is None and optional:
        return None
    redacted = redact(value)
    _check_json(redacted, field)
    return redacted


def clean_object(value: object, field: str) -> dict[str, Any]:
    """``clean_json`` for a JSON object; None stands for an empty object."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RecordsError(f"{field} must be a JSON object (dict), got {type(value).__name__}")
    result: dict[str, Any] = clean_json(value, field)
    return result


def dump_json(value: Any) -> str:
    """The stored text of a JSON value (keys in their given order)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def canonical_json(value: Any) -> bytes:
    """The canonical bytes of a JSON value: sorted keys, no spaces, UTF-8 (what is hashed)."""
    text = json.dumps(
        value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
    )
    return text.encode("utf-8")


def load_json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _check_encodable(text: str, field: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise RecordsError(
            f"{field} is not valid Unicode text ({error.reason} at {error.start})"
        ) from None


def _check_json(value: Any, path: str) -> None:
    if value is None or isinstance(value, bool | int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RecordsError(f"{path} is {value}, which JSON cannot hold; record null instead")
        return
    if isinstance(value, str):
        _check_encodable(value, path)
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check_json(item, f"{path}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise RecordsError(f"{path} has the key {key!r}; JSON object keys must be text")
            _check_encodable(key, f"{path} key")
            _check_json(item, f"{path}.{key}")
        return
    raise RecordsError(f"{path} is a {type(value).__name__}, which is not a JSON value")

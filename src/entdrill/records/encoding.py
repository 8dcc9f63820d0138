"""How values are checked, redacted and encoded on their way into the records, and decoded back.

Every text and JSON value written goes through ``entdrill.redact.redact`` here, so a secret
registered by whoever read it never lands in a record. Values that one backend would store and
the other refuse (a NUL character in text, NaN in JSON, a naive time) are refused on both, with a
sentence naming the field, so SQLite and PostgreSQL behave the same.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from entdrill.errors import RecordsError
from entdrill.redact import redact

_DUMP = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
_CANONICAL = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
).encode
_ESCAPE = re.compile(r'\\(?:u[0-9a-fA-F]{4}|["\\/bfnrt])')


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_utc(value: datetime, field: str) -> datetime:
    """``value`` in UTC; a naive time is refused (its zone would be a guess)."""
    if not isinstance(value, datetime):
        raise RecordsError(f"{field} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is UTC:
        return value
    if value.tzinfo is None or value.utcoffset() is None:
        raise RecordsError(f"{field} must be timezone-aware, got the naive time {value}")
    return value.astimezone(UTC)


def format_time(value: datetime) -> str:
    """The fixed-width UTC text form, to the microsecond (sorts like the times it stands for)."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(timespec="microseconds")


def check_text(value: object, field: str, *, optional: bool = False, empty: bool = True) -> None:
    """Refuse what is not text, or text a backend cannot store (NUL, lone surrogates)."""
    if value is None:
        if optional:
            return
        raise RecordsError(f"{field} is required")
    if not isinstance(value, str):
        raise RecordsError(f"{field} must be text, got {type(value).__name__}")
    if not empty and not value.strip():
        raise RecordsError(f"{field} must not be empty")
    if "\x00" in value:
        raise RecordsError(f"{field} contains a NUL character, which cannot be stored")
    _check_encodable(value, field)


def check_object(value: object, field: str) -> dict[str, Any]:
    """``value`` as a JSON object (None stands for an empty one), refused unless strict JSON."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RecordsError(f"{field} must be a JSON object (dict), got {type(value).__name__}")
    json_text(value, field)
    return value


def json_text(value: object, field: str) -> str:
    """The stored text of a JSON value; refused (naming where) unless it is strict JSON."""
    if value == {}:
        return "{}"
    try:
        text: str = _DUMP(value)
        text.encode("utf-8")
    except (TypeError, ValueError, RecursionError):
        _check_json(value, field)
        raise RecordsError(f"{field} is not a JSON value") from None
    return text


def check_json_strict(value: object, field: str) -> None:
    """Walk ``value`` refusing anything but strict JSON (e.g. non-text keys), naming where."""
    _check_json(value, field)


def has_secrets(texts: Iterable[str | None], objects: Iterable[object]) -> bool:
    """Whether a registered secret occurs in any of ``texts`` or any string inside ``objects``.

    One ``redact`` call over everything joined, with the JSON escapes undone so a secret that
    JSON would escape (a quote, a backslash) is still found; the caller then redacts field by
    field. A match across two values can only cause a needless redaction, never a miss.
    """
    parts = [text for text in texts if text]
    for value in objects:
        if value:
            text = _DUMP(value)
            parts.append(_ESCAPE.sub(_unescape, text) if "\\" in text else text)
    blob = "\x00".join(parts)
    return bool(redact(blob) != blob)


def dump_json(value: Any) -> str:
    """The stored text of a JSON value (keys in their given order)."""
    return "{}" if value == {} else _DUMP(value)


def canonical_json(value: Any) -> bytes:
    """The canonical bytes of a JSON value: sorted keys, no spaces, UTF-8 (what is hashed)."""
    return _CANONICAL(value).encode("utf-8")


def load_json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _unescape(match: re.Match[str]) -> str:
    result: str = json.loads(f'"{match.group(0)}"')
    return result


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

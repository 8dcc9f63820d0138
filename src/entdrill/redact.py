"""Keep secrets out of everything entdrill writes: logs, journals, records, reports.

Secret values (tokens, passwords, shared secrets) are registered as they are read; ``redact``
replaces every occurrence, also inside longer strings such as URLs and nested JSON, with
``***``. The password of any URL written with credentials (``http://user:pw@host``) is masked
too, however short and whether or not it was registered. ``RedactingFilter`` does the same for
log records.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

MASK = "***"
MIN_SECRET_LENGTH = 6  # shorter values would mask ordinary words

# scheme://user:password@ -- the password ends at the first "@" before any "/", space or quote.
_URL_CREDENTIALS = re.compile(
    r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*://[^/@:\s'\"]*):(?P<password>[^/@\s'\"]+)@"
)


def mask_url_credentials(text: str) -> str:
    """``text`` with the password of every ``scheme://user:password@`` URL in it masked."""
    if "@" not in text:
        return text
    return _URL_CREDENTIALS.sub(lambda m: f"{m.group('head')}:{MASK}@", text)


class Redactor:
    """A set of secret values and the means to mask them."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def register(self, *values: str | None) -> None:
        """Remember ``values`` as secrets (empty and very short values are ignored)."""
        with self._lock:
            for value in values:
                if value and len(value) >= MIN_SECRET_LENGTH:
                    self._secrets.add(value)

    def forget_all(self) -> None:
        with self._lock:
            self._secrets.clear()

    def redact_text(self, text: str) -> str:
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return mask_url_credentials(text)

    def redact(self, value: Any) -> Any:
        """A copy of ``value`` (str, dict, list, tuple, scalars) with every secret masked."""
        if isinstance(value, str):
            return self.redact_text(value)
        if isinstance(value, dict):
            return {self.redact(k): self.redact(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.redact(v) for v in value]
        return value


#: The process-wide redactor every writer goes through.
DEFAULT = Redactor()


def register(*values: str | None) -> None:
    DEFAULT.register(*values)


def redact(value: Any) -> Any:
    return DEFAULT.redact(value)


class RedactingFilter(logging.Filter):
    """A logging filter that masks registered secrets in messages and arguments."""

    def __init__(self, redactor: Redactor = DEFAULT) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redactor.redact_text(record.getMessage())
        record.args = None
        return True

"""The review's period from the command line (pure): ``--since`` and ``--until`` as dates or
date-times, read in Europe/Paris time.

A date ``YYYY-MM-DD`` is a whole day: ``--since`` starts at its midnight and ``--until``
**includes** it (the period ends at the next midnight). A date and time ``YYYY-MM-DDTHH:MM``
(optionally with seconds and an offset) is an instant: ``--until`` excludes it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from entdrill.errors import InvalidArgument
from entdrill.ranges import check_date, check_instant

PARIS = ZoneInfo("Europe/Paris")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_bound(value: str, option: str, *, end: bool) -> datetime:
    """One bound as a UTC instant; ``end`` makes a bare date include its whole day."""
    text = value.strip()
    try:
        if _DATE.fullmatch(text):
            day = check_date(date.fromisoformat(text), option)
            if end:
                day += timedelta(days=1)
            return datetime(day.year, day.month, day.day, tzinfo=PARIS).astimezone(UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or ("T" not in text.upper() and " " not in text):
        raise InvalidArgument(
            f"{option}: expected a date YYYY-MM-DD or a date and time YYYY-MM-DDTHH:MM "
            f"(Europe/Paris unless an offset is given), got {value!r}"
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=PARIS)
    return check_instant(moment, option).astimezone(UTC)


def parse_period(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    """``[since, until)`` in UTC (either open); refuses an empty or inverted period."""
    start = parse_bound(since, "--since", end=False) if since else None
    stop = parse_bound(until, "--until", end=True) if until else None
    if start is not None and stop is not None and stop <= start:
        raise InvalidArgument(
            f"--until ({until}) must come after --since ({since}); a date given to --until is "
            "included in the period"
        )
    return start, stop


def parse_as_of(value: str | None, now: datetime) -> datetime:
    """The review date as the instant ages are counted to: the end of that Europe/Paris day
    (``now`` without ``--as-of``). Only a date ``YYYY-MM-DD`` is accepted."""
    if value is None:
        return now
    text = value.strip()
    try:
        day = date.fromisoformat(text) if _DATE.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None:
        raise InvalidArgument(
            f"--as-of: expected a date YYYY-MM-DD (the review date), got {value!r}"
        )
    return parse_bound(text, "--as-of", end=True)

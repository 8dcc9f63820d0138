"""The population a flood logs in as: ``--users CSV`` with ``username,password,role,...``."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from entdrill import textfile
from entdrill.errors import InvalidArgument
from entdrill.population import Person

REQUIRED = ("username", "password", "role")


def read(path: Path, option: str = "--users") -> list[Person]:
    """Every person of the file; a missing file, header or value, or a username given twice,
    is an error naming the line."""
    text = textfile.read_text(path, what=option, kind="population")
    people: list[Person] = []
    seen: dict[str, int] = {}
    with io.StringIO(text, newline="") as handle:
        reader = csv.DictReader(handle)
        try:
            header = reader.fieldnames or []
        except (csv.Error, UnicodeDecodeError) as error:
            raise InvalidArgument(f"{option} {path}: not a CSV file ({error})") from error
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise InvalidArgument(
                f"{option} {path}: the header lacks {', '.join(missing)}; expected the columns "
                "username,password,role (then optional ones such as school,email)"
            )
        try:
            for row in reader:
                line = reader.line_num
                values = {c: (row.get(c) or "").strip() for c in REQUIRED}
                empty = [c for c in REQUIRED if not values[c]]
                if empty or None in row:
                    what = f"no {', '.join(empty)}" if empty else "more fields than the header"
                    raise InvalidArgument(f"{option} {path}:{line}: {what}")
                first = seen.setdefault(values["username"], line)
                if first != line:
                    raise InvalidArgument(
                        f"{option} {path}:{line}: the username {values['username']!r} is already "
                        f"on line {first}; list each person once"
                    )
                people.append(
                    Person(
                        username=values["username"],
                        password=values["password"],
                        role=values["role"],
                        school=(row.get("school") or "").strip(),
                        email=(row.get("email") or "").strip(),
                        name=(row.get("name") or "").strip(),
                    )
                )
        except (csv.Error, UnicodeDecodeError) as error:
            raise InvalidArgument(f"{option} {path}: not a CSV file ({error})") from error
    if not people:
        raise InvalidArgument(f"{option} {path}: the file lists nobody")
    return people


def by_role(people: list[Person]) -> dict[str, list[Person]]:
    out: dict[str, list[Person]] = {}
    for person in people:
        out.setdefault(person.role, []).append(person)
    return out

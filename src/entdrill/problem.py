"""One problem found in a drill plan, located by file, line and field path."""

from __future__ import annotations

from dataclasses import dataclass

#: A field's place in the plan document: keys and list indexes from the root.
FieldPath = tuple[str | int, ...]

ROOT_FIELD = "plan"


def format_path(path: FieldPath) -> str:
    """``("channels", 1, "expect", "within")`` -> ``channels[1].expect.within``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or ROOT_FIELD


def is_within(path: FieldPath, ancestor: FieldPath) -> bool:
    """True when ``path`` is ``ancestor`` or lies under it."""
    return path[: len(ancestor)] == ancestor


@dataclass(frozen=True)
class Problem:
    """``file:line: field: sentence``, the way every plan problem is shown."""

    file: str
    line: int
    path: FieldPath
    message: str

    @property
    def field(self) -> str:
        return format_path(self.path)

    def sort_key(self) -> tuple[int, str, str]:
        return (self.line, self.field, self.message)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


def sorted_unique(problems: list[Problem]) -> list[Problem]:
    """Problems sorted by line then field, each shown once."""
    seen: set[tuple[int, str, str]] = set()
    result: list[Problem] = []
    for problem in sorted(problems, key=Problem.sort_key):
        key = problem.sort_key()
        if key not in seen:
            seen.add(key)
            result.append(problem)
    return result


def describe(value: object) -> str:
    """How a value reads in a sentence: ``the number 750``, ``the boolean false``, ``"text"``."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def quote(text: str, limit: int = 60) -> str:
    """``"text"``, shortened past ``limit`` characters."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return '"' + text.replace('"', '\\"') + '"'

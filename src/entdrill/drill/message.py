"""Message templates of a plan, and the drill label every message carries.

A template may use these placeholders, filled by the runner at send time::

    {drill}        the plan's name                    {label}        EXERCICE / DRILL
    {name}         the recipient's name               {room_link}    the backup video room's join link
    {status_page}  the status page's address          {within}       the channel's deadline ("10m")

``{room_link}`` needs a ``video`` channel in the plan, ``{status_page}`` a ``statuspage`` channel.
The label is added in front of every message whatever the template says: a plan cannot remove it.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

DRILL_LABEL = "EXERCICE / DRILL"

PLACEHOLDERS: dict[str, str] = {
    "drill": "the plan's name",
    "label": "the drill label",
    "name": "the recipient's name",
    "room_link": "the backup video room's join link",
    "status_page": "the status page's address",
    "within": "the channel's deadline",
}

#: Placeholders that need a channel of this type in the plan.
NEEDS_CHANNEL: dict[str, str] = {"room_link": "video", "status_page": "statuspage"}


def placeholders(template: str) -> list[str]:
    """The placeholder names ``template`` uses, in order.

    ``ValueError`` with a sentence when a brace is unbalanced or a placeholder is not a plain name.
    """
    names: list[str] = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as error:
        raise ValueError(
            f"has an unmatched {{ or }} ({error}): write {{{{ or }}}} for a literal brace"
        ) from error
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            raise ValueError(
                f"the placeholder {{{field}{'!' + conversion if conversion else ''}"
                f"{':' + spec if spec else ''}}} is not a plain name such as {{drill}}"
            )
        names.append(field)
    return names


def render(template: str, values: Mapping[str, str]) -> str:
    """``template`` filled with ``values``, always starting with the drill label.

    A missing value renders as an empty string, so a send never fails on a template the
    plan's validation accepted.
    """
    filled = _Blank({"label": DRILL_LABEL, **values})
    text = template.format_map(filled).strip()
    return f"[{DRILL_LABEL}] {text}"


class _Blank(dict[str, str]):
    """A mapping where an absent placeholder reads as empty text."""

    def __missing__(self, key: str) -> str:
        return ""

"""The review's Jinja2 templates, read from the package (they ship as package data)."""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib.resources import files
from typing import Any

import jinja2


class PackageTemplates(jinja2.BaseLoader):
    """``templates/NAME`` of ``entdrill.review``, passed through ``shape`` (as written by
    default)."""

    def __init__(self, shape: Callable[[str], str] = lambda source: source) -> None:
        self.shape = shape

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Any]:
        path = files("entdrill.review").joinpath("templates", template)
        if not path.is_file():
            raise jinja2.TemplateNotFound(template)
        return self.shape(path.read_text(encoding="utf-8")), None, lambda: True


def joined_lines(source: str) -> str:
    """Each newline and the indentation after it dropped: a template reads as nested HTML, the
    page comes out on as few lines as before."""
    return re.sub(r"\n[ \t]*", "", source)

"""Secrets written into a plan: refused with a sentence, and never echoed back.

A plan names the environment variables its secrets come from (``target.secrets_from_env``); it
never holds a token, a password or an address with a password in it. This runs before the
schema, so that a secret is reported as a secret rather than quoted in a schema error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from entdrill.problem import FieldPath, Problem
from entdrill.yaml_safe import YamlDocument

ENV_ADVICE = (
    "secrets never go in a plan: put it in an environment variable and name that variable "
    "under target.secrets_from_env (the value was not shown)"
)
_SECRET_SHAPES = (
    (re.compile(r"xox[abposr]-[A-Za-z0-9-]{8,}"), "a Slack token"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a private key"),
    (re.compile(r"gh[pousr]_[A-Za-z0-9]{20,}"), "a GitHub token"),
    (re.compile(r"AKIA[0-9A-Z]{16}"), "an AWS access key"),
    (re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@"), "an address with a password"),
)
_SECRET_KEY = re.compile(r"(?i)(^|_)(token|password|passwd|secret|api_?key)$")
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
SECRETS_FROM_ENV: FieldPath = ("target", "secrets_from_env")


def walk(value: Any, path: FieldPath = ()) -> Iterator[tuple[FieldPath, Any]]:
    """Every (path, value) in a JSON value, parents before children."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, (*path, index))


def secret_problems(doc: YamlDocument, file: str) -> list[Problem]:
    """Secrets written in the plan: token shapes anywhere, secret-named keys, non-names in env."""
    problems: list[Problem] = []
    for path, value in walk(doc.data):
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            continue
        text = str(value)
        found = next((what for shape, what in _SECRET_SHAPES if shape.search(text)), None)
        under_env = len(path) == 3 and path[:2] == SECRETS_FROM_ENV
        secret_key = bool(path) and isinstance(path[-1], str) and bool(_SECRET_KEY.search(path[-1]))
        if found:
            sentence = f"this looks like {found}; {ENV_ADVICE}"
        elif under_env:
            if _ENV_NAME.match(text):
                continue
            sentence = (
                "must be the name of an environment variable (such as SLACK_BOT_TOKEN) that "
                f"holds the secret, not the secret itself; {ENV_ADVICE}"
            )
        elif secret_key and text:
            sentence = f"holds a secret written in the plan; {ENV_ADVICE}"
        else:
            continue
        problems.append(Problem(file, doc.line_of(path), path, sentence))
    return problems

"""The types activities take and return, spelled so that ``chaos discover`` can name them.

chaoslib names an annotation by identity (``dict`` is "mapping", ``list`` is "list") or by the
text of ``typing``'s aliases (``typing.Dict[...]`` is "mapping", ``typing.List[...]`` is "list");
a builtin generic such as ``dict[str, Any]`` would be reported as "object". Strict mypy wants
type arguments, so the generic types of ``actions/`` are these aliases, spelled with ``typing``.
Optional arguments keep chaoslib's convention, a plain type with ``= None`` (mypy's
``implicit_optional`` for ``actions.*``, set in pyproject.toml): ``X | None`` would also read
as "object".
"""

from typing import Any, Dict, List  # noqa: UP035 (see above)

from chaoslib.types import Configuration, Secrets

__all__ = ["Configuration", "JsonList", "JsonObject", "Secrets"]

JsonObject = Dict[str, Any]  # noqa: UP006 (chaos discover reads typing.Dict as a mapping)
"""What an activity returns to the journal, or a probe's value handed to a tolerance."""

JsonList = List[Any]  # noqa: UP006 (chaos discover reads typing.List as a list)
"""A list an activity returns to the journal."""

"""Lazy public faces (PEP 562): a package lists its exported names and where each lives, and
loads a name's module only when the name is first used, so importing the package is cheap.

::

    _EXPORTS = {"run_drill": ("entdrill.drill.runner", "run_drill")}
    __getattr__ = lazy.loader(__name__, _EXPORTS, globals())
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any


def loader(
    package: str, exports: Mapping[str, tuple[str, str]], namespace: MutableMapping[str, Any]
) -> Callable[[str], object]:
    """The package's module-level ``__getattr__``: an exported name is read from its module
    on first use and kept in the package's ``namespace``; any other name is an AttributeError."""

    def __getattr__(name: str) -> object:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, attribute = exports[name]
        value = getattr(importlib.import_module(module), attribute)
        namespace[name] = value
        return value

    return __getattr__

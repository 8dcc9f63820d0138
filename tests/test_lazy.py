"""A lazy public face loads an exported name's module on first use, keeps the value, and names
what a package does not export."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import pytest

from entdrill import lazy


def test_an_exported_name_is_read_from_its_module_on_first_use_and_kept() -> None:
    namespace: dict[str, Any] = {}
    getattr_ = lazy.loader(
        "pkg", {"dumps": ("json", "dumps"), "Path": ("pathlib", "Path")}, namespace
    )
    import json
    import pathlib

    assert getattr_("dumps") is json.dumps
    assert namespace == {"dumps": json.dumps}  # kept: the next use never reaches __getattr__
    assert getattr_("Path") is pathlib.Path


def test_a_name_not_exported_is_an_attribute_error_naming_the_package() -> None:
    getattr_ = lazy.loader("entdrill.pkg", {"dumps": ("json", "dumps")}, {})
    with pytest.raises(
        AttributeError, match=re.escape("module 'entdrill.pkg' has no attribute 'loads'")
    ):
        getattr_("loads")


def test_importing_the_drill_package_loads_none_of_its_modules_until_a_name_is_used() -> None:
    code = (
        "import sys, entdrill.drill as d\n"
        "before = 'entdrill.drill.runner' in sys.modules\n"
        "d.run_drill\n"
        "print(before, 'entdrill.drill.runner' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True"]

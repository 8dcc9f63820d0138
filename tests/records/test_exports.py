"""The public surface of ``entdrill.records`` is what ``__all__`` says, and it is complete."""

from __future__ import annotations

import dataclasses

import entdrill.records
from entdrill.records import models


def test_every_exported_name_exists() -> None:
    for name in entdrill.records.__all__:
        assert hasattr(entdrill.records, name), name


def test_every_record_type_is_exported() -> None:
    record_types = {
        name
        for name, value in vars(models).items()
        if isinstance(value, type) and dataclasses.is_dataclass(value)
    }
    assert record_types <= set(entdrill.records.__all__)

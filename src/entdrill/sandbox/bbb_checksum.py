"""Moved to :mod:`entdrill.bbb_checksum` (signing is not the sandbox's); this path still works."""

from entdrill.bbb_checksum import (
    ALGORITHMS,
    algorithm_of,
    build_url,
    checksum,
    encode_query,
    split_checksum,
    verify,
)

__all__ = [
    "ALGORITHMS",
    "algorithm_of",
    "build_url",
    "checksum",
    "encode_query",
    "split_checksum",
    "verify",
]

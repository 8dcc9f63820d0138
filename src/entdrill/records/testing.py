"""Helpers for tests of the records and of what reads them (shipped, like ``entdrill.testing``).

``scratch_postgres()`` gives a PostgreSQL URL whose tables land in a fresh schema, dropped
afterwards, so tests sharing one server never see each other's records::

    with scratch_postgres() as url, open_records(url) as records:
        make_drills(records, 200, seed=1)

The server is ``ENTDRILL_TEST_POSTGRES_URL``, by default ``postgresql://postgres@127.0.0.1:5432/test``
(what CI runs).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from entdrill.errors import RecordsError

DEFAULT_TEST_URL = "postgresql://postgres@127.0.0.1:5432/test"
TEST_URL_VARIABLE = "ENTDRILL_TEST_POSTGRES_URL"


def postgres_test_url() -> str:
    return os.environ.get(TEST_URL_VARIABLE, "").strip() or DEFAULT_TEST_URL


def postgres_unavailable(url: str | None = None) -> str | None:
    """Why the test PostgreSQL server cannot be used, or None when it can."""
    import psycopg

    try:
        with psycopg.connect(url or postgres_test_url(), connect_timeout=5):
            return None
    except psycopg.Error as error:
        return f"PostgreSQL not reachable at {url or postgres_test_url()}: {error}".strip()


def with_search_path(url: str, schema: str) -> str:
    """``url`` with ``schema`` as the connection's search path (other options kept)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    options = [value for name, value in query if name == "options"]
    query = [(name, value) for name, value in query if name != "options"]
    query.append(("options", " ".join([*options, f"-csearch_path={schema}"])))
    return urlunsplit(parts._replace(query=urlencode(query)))


@contextmanager
def scratch_postgres(
    base_url: str | None = None, *, prefix: str = "entdrill_test"
) -> Iterator[str]:
    """A URL into a new, empty schema of the test server; the schema is dropped on exit."""
    import psycopg
    from psycopg import sql

    url = base_url or postgres_test_url()
    schema = f"{prefix}_{secrets.token_hex(6)}"
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as connection:
            connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    except psycopg.Error as error:
        raise RecordsError(f"cannot create a scratch schema on {url}: {error}") from error
    try:
        yield with_search_path(url, schema)
    finally:
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as connection:
            connection.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
            )

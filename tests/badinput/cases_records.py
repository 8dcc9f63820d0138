"""Class "database URLs": every command that opens the records, given a URL or file that does
not place an entdrill records database.

Refused with exit 2 and a sentence naming the option (``--url``, ``--db``) or the variable
(``ENTDRILL_DB_URL``): text that is not a URL, a PostgreSQL URL that does not say which server
and which database (libpq would connect to a default one), other schemes, a SQLite URL without a
file, a missing, empty, corrupt or non-database file, a password-bearing URL to a closed port
(the password never shown). Read-only commands create no file, directory or table.
"""

from __future__ import annotations

from .corpus import DIRECTORY, Case, Content, Copy

KLASS = "database URLs"

#: (command args before the URL option, the option, whether the command only reads)
COMMANDS: list[tuple[tuple[str, ...], str, bool]] = [
    (("drill", "list"), "--url", True),
    (("drill", "show", "0190"), "--url", True),
    (("records", "verify", "0190"), "--url", True),
    (("review",), "--db", True),
    (("drill", "recover"), "--url", False),
    (("drill", "confirm", "0190", "switch-classes", "--by", "lea.mercier"), "--url", False),
    (("records", "migrate"), "--url", False),
    (("drill", "run", "--dry-run", "{plan}"), "--url", False),
]

#: (label, URL, files, what the sentence names, which commands: "all" | "read" | "existing")
URLS: list[tuple[str, str, dict[str, Content], str, str]] = [
    ("postgresql:// alone", "postgresql://", {}, "does not name the server nor the database", "all"),
    ("no database", "postgresql://postgres@127.0.0.1:5432", {}, "does not name the database", "all"),
    ("no server", "postgresql:///test", {}, "does not name the server", "all"),
    ("unclosed IPv6", "postgresql://[::1", {}, "is not a URL", "all"),
    ("port out of range", "postgresql://h:99999/db", {}, "is not a URL", "all"),
    ("port not a number", "postgresql://h:port/db", {}, "is not a URL", "all"),
    ("mysql", "mysql://user@127.0.0.1/db", {}, "is neither a postgresql:// nor a sqlite: URL", "all"),
    ("a path, no scheme", "records.db", {}, "is neither a postgresql:// nor a sqlite: URL", "all"),
    ("sqlite without a file", "sqlite://", {}, "names no file", "all"),
    ("sqlite with a query", "sqlite:///r.db?mode=ro", {}, "carries a query", "all"),
    ("control character", "sqlite:///r\x01.db", {}, "holds control characters", "all"),
    ("closed port, password", "postgresql://u:hunter2secret@127.0.0.1:1/db", {},
     "cannot connect to the records database", "all"),
    ("corrupt file", "sqlite:///{work}/bad.db", {"bad.db": b"\x89PNG" + bytes(range(256)) * 20},
     "cannot be read as a records database", "all"),
    ("text file", "sqlite:///{work}/notes.db", {"notes.db": "meeting notes\n" * 200},
     "cannot be read as a records database", "all"),
    ("empty file", "sqlite:///{work}/empty.db", {"empty.db": b""}, "is an empty file", "notcreate"),
    ("a directory", "sqlite:///{work}/somedir", {"somedir": DIRECTORY}, "somedir", "all"),
    ("missing file", "sqlite:///{work}/missing/dir/records.db", {}, "no records database at",
     "read"),
    ("another SQLite database", "sqlite:///{work}/other.db", {"other.db": Copy("foreign")},
     "holds no entdrill records", "notcreate"),
]  # fmt: skip


def _applies(scope: str, read_only: bool, args: tuple[str, ...]) -> bool:
    creating = args[:2] in (("records", "migrate"), ("drill", "run"))
    if scope == "read":
        return read_only
    if scope == "notcreate":
        return not creating
    return True


def cases() -> list[Case]:
    found = []
    for args, option, read_only in COMMANDS:
        for label, url, files, names, scope in URLS:
            if not _applies(scope, read_only, args):
                continue
            found.append(
                Case(
                    KLASS,
                    (*args, option, url),
                    2,
                    names,
                    files=files,
                    absent="hunter2secret",
                    ident=f"{' '.join(args[:2])} {label}",
                )
            )
        found.append(
            Case(
                KLASS,
                args,
                2,
                "ENTDRILL_DB_URL",
                env={"ENTDRILL_DB_URL": "postgresql://[::1"},
                ident=f"{' '.join(args[:2])} ENTDRILL_DB_URL unclosed IPv6",
            )
        )
        if read_only:
            found.append(
                Case(
                    KLASS,
                    (*args, option, "{pg}"),
                    2,
                    "holds no entdrill records",
                    postgres=True,
                    ident=f"{' '.join(args[:2])} an empty PostgreSQL schema",
                )
            )
    return found

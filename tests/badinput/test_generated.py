"""Generated bad inputs (hypothesis): for each class, inputs drawn from the whole space of what
is wrong, not only the cases someone thought of. Each example runs as a corpus case (same
checks, counted in the same classes); the examples are derandomized, so the count is stable."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from . import cases_files, cases_ledger, cases_numbers
from .corpus import Case

EXAMPLES = settings(
    max_examples=15,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
Run = Callable[[Case], object]

# Characters no text file holds (C0 but tab and line ends, DEL, C1 but NEL).
FORBIDDEN = st.sampled_from(
    [chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), 127, *range(0x80, 0x85), 0x86, 0x9F]]
)
TEXT = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), max_size=200)


@EXAMPLES
@given(
    before=TEXT,
    after=TEXT,
    bad=FORBIDDEN,
    reader=st.sampled_from([r for r in cases_files.READERS if r[0] != "flood merge"]),
)
def test_a_control_character_anywhere_is_named_by_line_and_column(
    corpus: Run, before: str, after: str, bad: str, reader: tuple[str, tuple[str, ...], object]
) -> None:
    text = f"{before}\n{before}{bad}{after}\n"
    line = text[: len(before) + 1 + len(before)].count("\n") + 1
    column = len(before) + 1
    label, args, _ = reader
    corpus(
        Case(
            cases_files.KLASS,
            tuple(a.replace("{f}", "in.txt") for a in args),
            2,
            f"in.txt: line {line}, column {column}",
            files={"in.txt": text.encode("utf-8")},
            ident=f"{label}: generated control character",
        )
    )


@EXAMPLES
@given(prefix=st.binary(max_size=100), suffix=st.binary(max_size=100))
def test_bytes_that_are_not_utf8_are_refused_by_every_reader(
    corpus: Run, prefix: bytes, suffix: bytes
) -> None:
    data = prefix + b"\xff" + suffix  # 0xff never appears in UTF-8
    for label, args, _ in cases_files.READERS[:4]:
        corpus(
            Case(
                cases_files.KLASS,
                tuple(a.replace("{f}", "in.bin") for a in args),
                2,
                "in.bin",
                files={"in.bin": data},
                ident=f"{label}: generated binary",
            )
        )


OUT_OF_RANGE = {
    ("stop",): ("--wait", 0.0, 3600.0),
    ("drill", "recover"): ("--grace", 0.0, 600.0),
    ("sandbox", "up"): ("--timeout", 1.0, 3600.0),
    cases_numbers.FLOOD_RATE: ("--timeout", 0.0, 3600.0),
    (*cases_numbers.FLOOD, "--rate", "1"): ("--duration", 0.0, 86400.0),
}


@EXAMPLES
@given(
    command=st.sampled_from(sorted(OUT_OF_RANGE)),
    value=st.one_of(
        st.just(math.nan),
        st.sampled_from([math.inf, -math.inf]),
        st.floats(max_value=-1e-9, allow_nan=False, allow_infinity=False),
        st.floats(min_value=86400.5, allow_nan=False, allow_infinity=False),
    ),
)
def test_a_number_out_of_its_range_is_refused_naming_the_option(
    corpus: Run, command: tuple[str, ...], value: float
) -> None:
    option, low, high = OUT_OF_RANGE[command]
    assert not low <= value <= high  # every value drawn lies outside every range above
    corpus(Case(cases_numbers.KLASS, (*command, option, repr(value)), 2, option))


@EXAMPLES
@given(
    day=st.one_of(
        st.dates(max_value=dt.date(1969, 12, 31)),
        st.dates(min_value=dt.date(3000, 1, 1)),
    ),
    where=st.sampled_from(
        [("review", "--since"), ("review", "--until"), ("schedule", "--zone", "C", "--from")]
    ),
)
def test_a_date_outside_the_calendar_is_refused_naming_the_option(
    corpus: Run, day: dt.date, where: tuple[str, ...]
) -> None:
    corpus(Case(cases_numbers.KLASS, (*where, str(day)), 2, where[-1]))


@EXAMPLES
@given(
    url=st.text(max_size=60).filter(
        lambda u: u.strip() and not u.strip().lower().startswith(("sqlite:", "postgres"))
    ),
    command=st.sampled_from([("drill", "list"), ("records", "verify", "x"), ("drill", "recover")]),
)
def test_any_url_that_names_no_database_is_refused_naming_the_option(
    corpus: Run, url: str, command: tuple[str, ...]
) -> None:
    if "\x00" in url:  # not a command-line argument at all
        return
    corpus(Case("database URLs", (*command, f"--url={url}"), 2, "--url"))


@EXAMPLES
@given(
    entry=st.text(
        st.characters(codec="ascii", categories=("L", "N", "P", "S")), min_size=1, max_size=30
    ).filter(lambda e: any(c in e for c in "!\"#$%&'()+;<=>?@[\\]^`{|}~") and "," not in e)
)
def test_any_allow_list_entry_with_punctuation_is_refused_naming_it(
    corpus: Run, entry: str
) -> None:
    corpus(
        Case(
            "guard rails",
            (
                "flood",
                "--target",
                "http://127.0.0.1:9",
                "--scenario",
                "http-get",
                "--rate",
                "1",
                "--duration",
                "1",
            ),
            2,
            "ENTDRILL_ALLOWED_TARGETS",
            env={"ENTDRILL_ALLOWED_TARGETS": entry},
            ident="generated allow-list entry",
        )
    )


@EXAMPLES
@given(line=st.binary(min_size=1, max_size=300).filter(lambda b: b.strip() and b"\n" not in b))
def test_any_unreadable_ledger_line_is_named_and_never_nothing_to_recover(
    corpus: Run, line: bytes
) -> None:
    ledger = cases_ledger.GOOD.encode() + b"\n" + cases_ledger.UNDONE.encode() + b"\n"
    corpus(
        Case(
            cases_ledger.KLASS,
            ("recover",),
            1,
            "(3)",
            files={cases_ledger.LEDGER: ledger + line + b"\n"},
            absent="othing to recover",
            ident="generated ledger line",
        )
    )

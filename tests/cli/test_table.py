"""The CLI's plain-text tables: column widths, alignment, padding and trailing spaces."""

from entdrill.cli.table import table


def test_columns_are_as_wide_as_their_widest_cell_titles_included() -> None:
    lines = table([("ID", "PLAN", "EXIT"), ("d-20261206-1", "pre_holiday", "0"), ("d-2", "x", "1")])
    assert lines == [
        "ID            PLAN         EXIT",
        "d-20261206-1  pre_holiday  0",
        "d-2           x            1",
    ]


def test_the_last_column_is_not_padded_and_no_line_ends_with_spaces() -> None:
    lines = table([("NAME", "NOTE"), ("a", ""), ("b", "a long note")], indent="  ")
    assert lines == ["  NAME  NOTE", "  a", "  b     a long note"]
    assert not any(line.endswith(" ") for line in lines)


def test_a_minimum_width_holds_until_a_cell_is_wider() -> None:
    assert table([("a", "b", "c")], widths=(4, 3)) == ["a     b    c"]
    assert table([("abcdef", "b", "c")], widths=(4,)) == ["abcdef  b  c"]


def test_right_aligned_columns_pad_on_the_left_even_when_last() -> None:
    rows = [("component", "pid", "port"), ("ent-1", 4242, 8081), ("bridge", "-", 80)]
    assert table(rows, widths=(10,), right=(1, 2), indent="  ", gap=" ") == [
        "  component   pid port",
        "  ent-1      4242 8081",
        "  bridge        -   80",
    ]


def test_cells_are_shown_with_str_and_short_rows_are_allowed() -> None:
    assert table([(1, 2.5, None), ("x",)]) == ["1  2.5  None", "x"]


def test_no_rows_is_no_lines() -> None:
    assert table([]) == []

"""Plain-text tables for the terminal: the one way the CLI lines up columns.

A table is its rows, the first of them usually the titles. Each column is as wide as its widest
cell (or ``widths[i]``, when that is wider), cells are left-aligned unless their column is in
``right``, columns are separated by ``gap``, the last column is not padded (unless right-aligned),
and no line ends with spaces::

    >>> print("\\n".join(table([("ID", "STATUS"), ("d-1", "done")], indent="  ")))
      ID   STATUS
      d-1  done
"""

from collections.abc import Collection, Sequence

__all__ = ["table"]


def table(
    rows: Sequence[Sequence[object]],
    *,
    widths: Sequence[int] = (),
    right: Collection[int] = (),
    indent: str = "",
    gap: str = "  ",
) -> list[str]:
    """The lines of ``rows`` in aligned columns (cells shown with ``str``)."""
    cells = [[str(cell) for cell in row] for row in rows]
    columns = max((len(row) for row in cells), default=0)
    width = [
        max([widths[i] if i < len(widths) else 0, *(len(row[i]) for row in cells if i < len(row))])
        for i in range(columns)
    ]
    lines = []
    for row in cells:
        shown = [
            cell if i == len(row) - 1 and i not in right else _pad(cell, width[i], i in right)
            for i, cell in enumerate(row)
        ]
        lines.append((indent + gap.join(shown)).rstrip())
    return lines


def _pad(cell: str, width: int, right: bool) -> str:
    return cell.rjust(width) if right else cell.ljust(width)

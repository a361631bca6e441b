"""Table-like rows for side-by-side columns: the extra space after each row so that rows with
the same key (a segment's start time) begin at the same height in every column.

Pure arithmetic; the editor applies the result as layout-only spacing (never as text).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def row_extras(columns: Sequence[Mapping[float, float]]) -> list[dict[float, float]]:
    """Per column, row key → extra space to leave after that row.

    ``columns`` gives, per column, each row's key (segment start time) → the height of that
    row's text. Keys are walked in ascending order; before each key (and after the last), every
    column above the lowest column's bottom pads its previous row down to it. A column without
    that key adds no height for it; a column with no row yet cannot be padded (starts at 0).
    """
    bottoms = [0.0] * len(columns)
    last: list[float | None] = [None] * len(columns)
    extras: list[dict[float, float]] = [{} for _ in columns]
    keys = sorted({key for column in columns for key in column})
    for key in [*keys, None]:  # None: pad the last rows too, so the table ends level
        target = max(bottoms, default=0.0)
        for c, column in enumerate(columns):
            previous = last[c]
            if bottoms[c] < target and previous is not None:
                extras[c][previous] = extras[c].get(previous, 0.0) + target - bottoms[c]
                bottoms[c] = target
            if key is not None and key in column:
                bottoms[c] += column[key]
                last[c] = key
    return extras

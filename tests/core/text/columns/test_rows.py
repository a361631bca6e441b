"""Row alignment arithmetic for side-by-side columns."""

from __future__ import annotations

from app.core.text.columns.rows import row_extras


def _tops(column: dict[float, float], extras: dict[float, float]) -> dict[float, float]:
    tops, y = {}, 0.0
    for key in sorted(column):
        tops[key] = y
        y += column[key] + extras.get(key, 0.0)
    return tops


def test_the_shorter_row_is_padded_to_the_taller() -> None:
    transcript = {0.0: 14.0, 2.0: 14.0, 4.0: 14.0}
    translation = {0.0: 42.0, 2.0: 14.0, 4.0: 28.0}
    extras = row_extras([transcript, translation])
    assert extras == [{0.0: 28.0, 4.0: 14.0}, {}]
    assert (
        _tops(transcript, extras[0])
        == _tops(translation, extras[1])
        == {
            0.0: 0.0,
            2.0: 42.0,
            4.0: 56.0,
        }
    )


def test_each_column_can_be_the_taller_one() -> None:
    a = {0.0: 10.0, 1.0: 30.0}
    b = {0.0: 20.0, 1.0: 5.0}
    assert row_extras([a, b]) == [{0.0: 10.0}, {1.0: 25.0}]


def test_a_row_missing_in_one_column_still_aligns_the_next_rows() -> None:
    a = {0.0: 10.0, 1.0: 10.0, 2.0: 10.0}
    b = {0.0: 10.0, 2.0: 10.0}
    extras = row_extras([a, b])
    assert extras == [{}, {0.0: 10.0}]
    assert _tops(a, extras[0])[2.0] == _tops(b, extras[1])[2.0] == 20.0


def test_single_or_no_column_needs_nothing() -> None:
    assert row_extras([{0.0: 10.0, 1.0: 50.0}]) == [{}]
    assert row_extras([]) == []
    assert row_extras([{}, {}]) == [{}, {}]

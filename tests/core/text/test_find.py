from __future__ import annotations

from app.core.text.find import find_all, match_label


def test_find_all_case_insensitive_non_overlapping() -> None:
    assert find_all("Aa aa AAA", "aa") == [0, 3, 6]
    assert find_all("abc", "") == []
    assert find_all("Straße strasse", "STRASSE") == [7]


def test_match_label() -> None:
    assert match_label([], None) == "Not found"
    assert match_label([0, 3], 3) == "2 of 2"
    assert match_label([0, 3], 1) == "2 matches"
    assert match_label([4], None) == "1 match"

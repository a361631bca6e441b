from __future__ import annotations

from app.core.mnemonics import mnemonic_of, with_mnemonic


def test_with_mnemonic_picks_a_free_letter() -> None:
    assert with_mnemonic("Keywords", ["Zoom &In"]) == "&Keywords"
    assert with_mnemonic("Recordings", ["&Reset Zoom"]) == "R&ecordings"
    assert with_mnemonic("Search History", ["&Search", "&History"]) == "S&earch History"
    assert with_mnemonic("Zoom &In", []) == "Zoom &In"
    assert with_mnemonic("ab", ["&a", "&b"]) == "ab"
    assert mnemonic_of("Save &As…") == "a" and mnemonic_of("A && B") is None


def test_unique_mnemonics_keeps_earlier_entries() -> None:
    from app.core.mnemonics import unique_mnemonics

    assert unique_mnemonics(["&History", "Search &History…", "Queue"]) == [
        "&History",
        "&Search History…",
        "&Queue",
    ]

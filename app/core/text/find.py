"""Find and replace in a transcript's plain text (case-insensitive, like the find bar)."""

from __future__ import annotations


def find_all(text: str, needle: str) -> list[int]:
    """Start positions of every non-overlapping, case-insensitive match of ``needle``."""
    if not needle:
        return []
    hay, pin = text.casefold(), needle.casefold()
    if len(hay) != len(text) or len(pin) != len(needle):  # casefold changed lengths (ß → ss)
        hay, pin = text.lower(), needle.lower()
    out: list[int] = []
    start = hay.find(pin)
    while start >= 0:
        out.append(start)
        start = hay.find(pin, start + len(pin))
    return out


def match_label(matches: list[int], selection_start: int | None) -> str:
    """``"2 of 5"`` when the selection is a match, ``"5 matches"`` otherwise, ``"Not found"``."""
    if not matches:
        return "Not found"
    if selection_start is not None and selection_start in matches:
        return f"{matches.index(selection_start) + 1} of {len(matches)}"
    return f"{len(matches)} match{'es' if len(matches) != 1 else ''}"

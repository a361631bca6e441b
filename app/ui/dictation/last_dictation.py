"""The last dictated utterances, to undo ("Undo Last Dictation", "scratch that"), copy or
paste again.

Each finished utterance is one entry: the text of its first task (what "Copy last dictation"
gives) and, per pane, the segment id its text was inserted with. ``undo()`` removes the newest
entry's text from every pane where it is still exactly as inserted, even after the user typed
elsewhere; an edited utterance is left alone (and stays the newest). Panes are held weakly
through their ``remove_segment(seg_id) -> bool``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

MAX_ENTRIES = 50


class SegmentPane(Protocol):
    def remove_segment(self, seg_id: int) -> bool: ...
    def trim_segment_end(self, seg_id: int, chars: str) -> bool: ...


@dataclass
class Utterance:
    text: str
    placed: list[tuple[SegmentPane, int]] = field(default_factory=list)


class LastDictation:
    def __init__(self) -> None:
        self._entries: list[Utterance] = []

    def add(self, text: str, placed: list[tuple[SegmentPane, int]]) -> None:
        self._entries.append(Utterance(text, placed))
        del self._entries[:-MAX_ENTRIES]

    @property
    def text(self) -> str:
        """The newest utterance's text ("" when none)."""
        return self._entries[-1].text if self._entries else ""

    def can_undo(self) -> bool:
        return bool(self._entries and self._entries[-1].placed)

    def trim_mark(self, chars: str) -> bool:
        """Drop the final mark of the newest utterance in its first pane (the transcript)
        if it is still unchanged; ``True`` if it went."""
        if not self._entries or not self._entries[-1].placed:
            return False
        entry = self._entries[-1]
        pane, seg_id = entry.placed[0]
        if not pane.trim_segment_end(seg_id, chars):
            return False
        entry.text = entry.text[:-1] if entry.text.endswith(tuple(chars)) else entry.text
        return True

    def undo(self) -> bool:
        """Remove the newest utterance where it is unchanged; ``True`` if any text went."""
        if not self._entries:
            return False
        entry = self._entries[-1]
        removed = [(pane, sid) for pane, sid in entry.placed if pane.remove_segment(sid)]
        if not removed:
            return False
        self._entries.pop()
        return True

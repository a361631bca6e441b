"""Partial regions of a transcript pane: the live-dictation API.

``begin_partial`` opens an anchored region, ``update_partial`` replaces only that region's text
(shown in the palette's placeholder colour), ``commit`` turns it into final text with
provenance, ``discard`` removes it. Model output never overwrites user text: if the user edited
inside a partial region, ``commit`` leaves their edit (now plain text) and inserts the final
text right after it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QPalette, QTextCharFormat, QTextCursor

from app.core.transcript import Segment
from app.ui.editor.transcript.segments import PROP_PARTIAL, PROP_SEGMENT, SegmentText

_handles = itertools.count(1)


@dataclass
class OpenPartial:
    source_id: str
    anchor: QTextCursor  # sits at the end of the region (or where an empty one will appear)
    expected: str = ""


class PartialRegions(SegmentText):
    """The partial-region commands of a transcript pane (a base of ``TranscriptPane``)."""

    _partials: dict[int, OpenPartial]

    if TYPE_CHECKING:  # provided by TranscriptPane (a QWidget); declared for the type checker

        def palette(self) -> QPalette: ...

        def _on_cursor_moved(self) -> None: ...

    def _partial_format(self, handle: int) -> QTextCharFormat:
        fmt = QTextCharFormat()
        fmt.setProperty(PROP_PARTIAL, handle)
        fmt.setForeground(self.palette().brush(QPalette.ColorRole.PlaceholderText))
        fmt.setFontItalic(True)
        return fmt

    def begin_partial(self, source_id: str = "", at_end: bool = False, lead: str = "") -> int:
        """Open a partial region at the cursor or the end; returns its handle.

        ``lead`` (e.g. a newline between file chunks) is inserted as plain text before the
        region: a paragraph break inside a partial region would split it, and every update
        would then leave the previous partial behind.
        """
        handle = next(_handles)
        anchor = QTextCursor(self.document)
        anchor.setPosition(self._insert_position(at_end))
        if lead:
            anchor.insertText(lead, QTextCharFormat())
        self._partials[handle] = OpenPartial(source_id, anchor)
        return handle

    def _region(self, handle: int) -> tuple[int, int, str] | None:
        start, end, parts = -1, -1, []
        for pos, text, fmt in self._fragments():
            if fmt.hasProperty(PROP_PARTIAL) and int(fmt.property(PROP_PARTIAL)) == handle:
                start = pos if start < 0 else start
                end = pos + len(text)
                parts.append(text)
        return None if start < 0 else (start, end, "".join(parts))

    def _intact(self, part: OpenPartial, region: tuple[int, int, str] | None) -> bool:
        if region is None:
            return part.expected == ""
        start, end, text = region
        return text == part.expected and end - start == len(text)

    def partial_text(self, handle: int) -> str | None:
        region = self._region(handle)
        return None if region is None else region[2]

    def update_partial(self, handle: int, text: str) -> None:
        """Show ``text`` greyed in the region; a region the user edited is left alone."""
        part = self._partials.get(handle)
        if part is None:
            return
        region = self._region(handle)
        if not self._intact(part, region):
            self._release(handle, region)
            part.anchor.setPosition(region[1] if region else part.anchor.position())
            part.expected = ""
            region = None
        cursor = part.anchor
        if region is not None:
            cursor.setPosition(region[0])
            cursor.setPosition(region[1], QTextCursor.MoveMode.KeepAnchor)
        if text or region is not None:
            cursor.insertText(text, self._partial_format(handle))
        part.expected = text
        self._on_cursor_moved()

    def commit(self, handle: int, segment: Segment) -> int:
        """Replace the partial with final ``segment.text`` (or insert it after a user edit);
        returns the segment id of the inserted text."""
        part = self._partials.pop(handle, None)
        if part is None:
            return self.insert_segment(segment)
        region = self._region(handle)
        cursor = part.anchor
        cursor.beginEditBlock()
        if self._intact(part, region) and region is not None:
            cursor.setPosition(region[0])
            cursor.setPosition(region[1], QTextCursor.MoveMode.KeepAnchor)
        else:
            self._release(handle, region)
            cursor.setPosition(region[1] if region else min(cursor.position(), self._end()))
        fmt = self._segment_format(segment)
        start = cursor.selectionStart()
        cursor.insertText(segment.text, fmt)
        cursor.endEditBlock()
        self._on_cursor_moved()
        seg_id = int(fmt.property(PROP_SEGMENT))
        self._track(seg_id, start, cursor.position())
        return seg_id

    def discard(self, handle: int) -> None:
        """Remove an untouched partial; text the user edited in it stays as plain text."""
        part = self._partials.pop(handle, None)
        if part is None:
            return
        region = self._region(handle)
        if region is None:
            return
        if self._intact(part, region):
            cursor = QTextCursor(self.document)
            cursor.setPosition(region[0])
            cursor.setPosition(region[1], QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
        else:
            self._release(handle, region)

    def _end(self) -> int:
        return int(self.document.characterCount()) - 1

    def _release(self, handle: int, region: tuple[int, int, str] | None) -> None:
        """Turn what is left of an edited partial into plain user text."""
        if region is None:
            return
        for pos, text, fmt in list(self._fragments()):
            if fmt.hasProperty(PROP_PARTIAL) and int(fmt.property(PROP_PARTIAL)) == handle:
                cursor = QTextCursor(self.document)
                cursor.setPosition(pos)
                cursor.setPosition(pos + len(text), QTextCursor.MoveMode.KeepAnchor)
                cursor.setCharFormat(QTextCharFormat())

    def open_partials(self) -> list[int]:
        return list(self._partials)

"""Segments on the characters of a transcript pane's document: provenance (a segment id in a
``QTextCharFormat`` property) survives edits, undo and redo around it; ``to_output()`` snapshots
it into the pure ``app.core.text.document`` model for export and autosave.

``SegmentText`` is a base of ``TranscriptPane`` (which owns the editor and the state declared
here); it holds the segment commands: append, insert, remove, trim, save and load.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import cast

from PySide6.QtGui import QTextBlock, QTextCharFormat, QTextCursor, QTextDocument, QTextFormat

from app.core.text.document import OutputText, Run
from app.core.transcript import Segment, TaskSpec, Timing, TranscriptResult
from app.ui.editor.speaker_colours import SpeakerColours
from app.ui.editor.transcript.widget import TranscriptEditor

PROP_SEGMENT = int(QTextFormat.Property.UserProperty) + 1
PROP_PARTIAL = int(QTextFormat.Property.UserProperty) + 2
TRACKED = 50  # recent commits that remove_segment can find


class SegmentText:
    """The segment commands of a transcript pane (state set up by ``TranscriptPane``)."""

    editor: TranscriptEditor
    label: str
    spec: TaskSpec
    insertion_mode: str
    speaker_colours: SpeakerColours
    model: str
    timing: Timing
    duration: float
    _segments: dict[int, Segment]
    _next_id: int
    _placed: dict[int, QTextCursor]  # recent commits, for remove_segment

    @property
    def document(self) -> QTextDocument:
        return self.editor.document()

    def _insert_position(self, at_end: bool = False) -> int:
        if at_end or self.insertion_mode == "end":
            return int(self.document.characterCount()) - 1
        return int(self.editor.textCursor().selectionEnd())

    def _segment_format(self, segment: Segment) -> QTextCharFormat:
        seg_id = self._next_id
        self._next_id += 1
        self._segments[seg_id] = segment
        fmt = QTextCharFormat()
        fmt.setProperty(PROP_SEGMENT, seg_id)
        if segment.speaker:  # meetings: each speaker's text in its own colour
            fmt.setForeground(self.speaker_colours.colour(segment.speaker))
        return fmt

    def _fragments(self) -> Iterator[tuple[int, str, QTextCharFormat]]:
        block = self.document.firstBlock()
        while block.isValid():
            if block != self.document.firstBlock():
                yield block.position() - 1, "\n", QTextCharFormat()
            for item in block_fragments(block):
                frag = item.fragment()
                if frag.isValid():
                    yield frag.position(), frag.text(), frag.charFormat()
            block = block.next()

    # --- segments (file results, restore) -------------------------------------------------

    def append_segments(self, segments: Sequence[Segment], separator: str = "\n") -> None:
        """Append results at the end, one paragraph per segment, as one undo step."""
        cursor = QTextCursor(self.document)
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.beginEditBlock()
        for seg in segments:
            if not seg.text.strip():
                continue
            if cursor.position() > 0:
                cursor.insertText(separator, QTextCharFormat())
            cursor.insertText(seg.text.strip(), self._segment_format(seg))
        cursor.endEditBlock()

    def insert_segment(self, segment: Segment, at_end: bool = False) -> int:
        """Insert one final segment at the cursor or the end (``insertion_mode`` or ``at_end``);
        returns its segment id."""
        cursor = QTextCursor(self.document)
        cursor.setPosition(self._insert_position(at_end))
        fmt = self._segment_format(segment)
        start = cursor.selectionStart()
        cursor.insertText(segment.text, fmt)
        seg_id = int(fmt.property(PROP_SEGMENT))
        self._track(seg_id, start, cursor.position())
        return seg_id

    def remove_segment(self, seg_id: int) -> bool:
        """Remove a committed segment's text (one undo step) if it is still there exactly as
        inserted. Text typed right next to it stays; an edit inside it means the segment was
        changed: ``False``, and nothing changes. Only the last ``TRACKED`` commits are known."""
        segment = self._segments.get(seg_id)
        tracked = self._placed.get(seg_id)
        if segment is None or tracked is None or not segment.text:
            return False
        start = min(tracked.anchor(), tracked.position())
        region = tracked.selectedText().replace("\u2029", "\n")
        found = region.find(segment.text)
        if found < 0 or region.find(segment.text, found + 1) >= 0:
            return False
        cursor = QTextCursor(self.document)
        cursor.setPosition(start + found)
        cursor.setPosition(start + found + len(segment.text), QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        del self._placed[seg_id]
        return True

    def trim_segment_end(self, seg_id: int, chars: str) -> bool:
        """Remove the last character of a committed segment if it is one of ``chars`` and the
        segment is still exactly as inserted ("question mark" replacing the model's period);
        the segment keeps its provenance with the shorter text."""
        segment = self._segments.get(seg_id)
        tracked = self._placed.get(seg_id)
        if segment is None or tracked is None or not segment.text.endswith(tuple(chars)):
            return False
        start = min(tracked.anchor(), tracked.position())
        region = tracked.selectedText().replace("\u2029", "\n")
        found = region.find(segment.text)
        if found < 0 or region.find(segment.text, found + 1) >= 0:
            return False
        at = start + found + len(segment.text) - 1
        cursor = QTextCursor(self.document)
        cursor.setPosition(at)
        cursor.setPosition(at + 1, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        self._segments[seg_id] = replace(segment, text=segment.text[:-1])
        return True

    def _track(self, seg_id: int, start: int, end: int) -> None:
        tracked = QTextCursor(self.document)
        tracked.setPosition(start)
        tracked.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        self._placed[seg_id] = tracked
        for old in list(self._placed)[:-TRACKED]:
            del self._placed[old]

    def to_output(self) -> OutputText:
        runs: list[Run] = []
        for _, text, fmt in self._fragments():
            if fmt.hasProperty(PROP_PARTIAL):
                continue
            sid = fmt.property(PROP_SEGMENT) if fmt.hasProperty(PROP_SEGMENT) else None
            runs.append(Run(text, None if sid is None else int(sid)))
        used = {r.segment_id for r in runs if r.segment_id is not None}
        segs = {k: v for k, v in self._segments.items() if k in used}
        return OutputText(self.label, self.spec, runs, segs, self.model, self.timing, self.duration)

    def record_result(self, result: TranscriptResult) -> None:
        """Remember the model, the engine's timing and the audio's duration behind the text
        (a file's whole result, or one more dictated utterance: timings add up)."""
        self.model = result.model or self.model
        self.timing = self.timing + result.timing
        self.duration = max(self.duration, result.duration)

    def load_output(self, output: OutputText) -> None:
        """Replace the content with a saved output (provenance included)."""
        self.label, self.spec = output.label, output.spec
        self.model, self.timing, self.duration = output.model, output.timing, output.duration
        self._segments = dict(output.segments)
        self._next_id = max(self._segments, default=0) + 1
        self.editor.clear()
        cursor = QTextCursor(self.document)
        for run in output.runs:
            fmt = QTextCharFormat()
            if run.segment_id is not None:
                fmt.setProperty(PROP_SEGMENT, run.segment_id)
            cursor.insertText(run.text, fmt)
        self.document.clearUndoRedoStacks()
        self.document.setModified(False)


def block_fragments(block: QTextBlock) -> Iterable[QTextBlock.iterator]:
    """The block's fragments (PySide6's stubs type ``iter(QTextBlock)`` as ``object``)."""
    return cast("Iterable[QTextBlock.iterator]", block)

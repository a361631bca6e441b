"""The editable transcript: a plain-text editor whose characters remember their segment.

The pane lays out the editor, the find bar and the timestamp gutter, and holds what belongs to
the whole text: fonts and zoom, speakers (colours, labels, renames, Detect Speakers' turns) and
time alignment (the gutter, scroll sync, playback highlight). Segments on the characters are
in ``transcript.segments`` and the live-dictation partial regions in ``transcript.partials``,
its bases (the text widget is ``transcript.widget``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtCore import QEvent, Signal, Slot
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.core.text.document import segment_index_at
from app.core.text.speakers import (
    longest_speaker,
    new_name,
    rename_speaker,
    speakers_in,
    turn_starts,
    turns_within,
)
from app.core.transcript import Segment, TaskSpec, Timing
from app.ui.editor.find_bar import FindBar
from app.ui.editor.speaker_colours import SpeakerColours
from app.ui.editor.timestamp_gutter import TimestampGutter, highlight_time
from app.ui.editor.transcript.partials import OpenPartial, PartialRegions
from app.ui.editor.transcript.segments import PROP_PARTIAL, PROP_SEGMENT, block_fragments
from app.ui.editor.transcript.widget import DROP_TARGET_STYLE, TranscriptEditor

__all__ = ["DROP_TARGET_STYLE", "PROP_PARTIAL", "TranscriptEditor", "TranscriptPane"]

log = logging.getLogger(__name__)


class TranscriptPane(PartialRegions, QWidget):
    """One output (transcript or a translation): editor + find bar + provenance + partials."""

    textEdited = Signal()
    filesDropped = Signal(list)
    keywordRequested = Signal(str)
    timeClicked = Signal(float)  # a time in the timestamp gutter: play the source from there

    def __init__(
        self, label: str = "Transcript", spec: TaskSpec | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.label = label
        self.spec = spec or TaskSpec()
        self.insertion_mode = "cursor"
        self._segments: dict[int, Segment] = {}
        self.speaker_colours = SpeakerColours()
        self._next_id = 1
        self._partials: dict[int, OpenPartial] = {}
        self._placed: dict[int, QTextCursor] = {}  # recent commits, for remove_segment
        #: What produced the text (carried into JSON export and autosave).
        self.model, self.timing, self.duration = "", Timing(), 0.0
        self.editor = TranscriptEditor(self)
        self.editor.setAccessibleName(f"{label} text")
        self.editor.setPlaceholderText("Press Record to dictate, or drop audio files here.")
        self.editor.setTabChangesFocus(True)
        self.editor.document().setDocumentMargin(10)
        self.editor.document().clearUndoRedoStacks()  # the margin is not an edit
        self.find_bar = FindBar(self.editor, self)
        self.find_bar.hide()
        self.gutter = TimestampGutter(self.editor, self.block_starts, self.speaker_labels)
        self.gutter.timeClicked.connect(self.timeClicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.find_bar)
        self._base_point_size = self.editor.font().pointSizeF()
        self.editor.cursorPositionChanged.connect(self._on_cursor_moved)
        self.editor.document().contentsChanged.connect(self.textEdited)
        self.editor.filesDropped.connect(self.filesDropped)
        self.editor.keywordRequested.connect(self.keywordRequested)

    # --- editing helpers ------------------------------------------------------------------

    def set_text_font(self, family: str, size: int) -> None:
        font = self.editor.font()
        if family:
            font.setFamily(family)
        font.setPointSize(size)
        self.editor.setFont(font)
        self._base_point_size = float(size)

    @Slot()
    def zoom_in(self) -> None:
        self.editor.zoomIn(1)

    @Slot()
    def zoom_out(self) -> None:
        self.editor.zoomOut(1)

    @Slot()
    def zoom_reset(self) -> None:
        font = self.editor.font()
        font.setPointSizeF(self._base_point_size)
        self.editor.setFont(font)

    @Slot()
    def show_find(self) -> None:
        self.find_bar.open()

    @Slot()
    def _on_cursor_moved(self) -> None:
        # Typing next to grey partial text must not inherit its partial format.
        if self.editor.textCursor().charFormat().hasProperty(PROP_PARTIAL):
            self.editor.setCurrentCharFormat(QTextCharFormat())

    def speakers(self) -> list[str]:
        """Speakers of this pane's segments, in order of first appearance."""
        return speakers_in(self._segments.values())

    def apply_speakers(self, speakers: dict[tuple[float, float], str]) -> int:
        """Segments whose (start, end) is in ``speakers`` get that speaker and its colour;
        the text is untouched. Returns how many were labelled."""
        done = 0
        for seg_id, seg in list(self._segments.items()):
            who = speakers.get((round(seg.start, 3), round(seg.end, 3)))
            if who:
                self._segments[seg_id] = replace(seg, speaker=who)
                done += 1
        cursor = QTextCursor(self.document)
        for pos, text, fmt in list(self._fragments()):
            sid = int(fmt.property(PROP_SEGMENT)) if fmt.hasProperty(PROP_SEGMENT) else 0
            labelled = self._segments.get(sid)
            if labelled is not None and labelled.speaker:
                cursor.setPosition(pos)
                cursor.setPosition(pos + len(text), QTextCursor.MoveMode.KeepAnchor)
                colour = QTextCharFormat()
                colour.setForeground(self.speaker_colours.colour(labelled.speaker))
                cursor.mergeCharFormat(colour)
        self.gutter.refresh()
        self.textEdited.emit()
        return done

    def apply_speaker_turns(self, labelled: Sequence[Segment]) -> None:
        """Detect Speakers' answer for this pane. A segment with the same times in
        ``labelled`` gets its speaker (``apply_speakers``). A segment that was split per
        speaker turn is replaced by the turns' text, a paragraph each, when its text is still
        the model's; an edited one keeps the edit and takes its longest turn's speaker. One
        undo step."""
        names = {_time_key(s): s.speaker for s in labelled}
        spans: dict[int, list[tuple[int, str]]] = {}
        for pos, text, fmt in self._fragments():
            if fmt.hasProperty(PROP_SEGMENT) and not fmt.hasProperty(PROP_PARTIAL):
                spans.setdefault(int(fmt.property(PROP_SEGMENT)), []).append((pos, text))
        cursor = QTextCursor(self.document)
        cursor.beginEditBlock()
        for seg_id, frags in sorted(spans.items(), key=lambda kv: -kv[1][0][0]):  # end first
            seg = self._segments.get(seg_id)
            turns = [] if seg is None else turns_within(seg, labelled)
            if seg is None or _time_key(seg) in names or not turns:
                continue
            if "".join(t for _, t in frags).strip() != seg.text.strip():
                names[_time_key(seg)] = longest_speaker(turns)  # edited: keep the edit
                continue
            cursor.setPosition(frags[0][0])
            cursor.setPosition(frags[-1][0] + len(frags[-1][1]), QTextCursor.MoveMode.KeepAnchor)
            for index, turn in enumerate(turns):
                if index:
                    cursor.insertText("\n", QTextCharFormat())
                cursor.insertText(turn.text, self._segment_format(replace(turn, source=seg.source)))
        self.apply_speakers(names)  # inside the block: the colours are part of the step
        cursor.endEditBlock()

    def rename_speaker(self, old: str, new: str) -> None:
        """``old`` is ``new`` everywhere in the pane (and so in its exports); text, user edits
        and colour stay."""
        name = new_name(old, new)
        if name is None:
            return
        renamed = rename_speaker(self._segments.values(), old, name)
        self._segments = dict(zip(self._segments, renamed, strict=True))
        self.speaker_colours.rename(old, name)
        self.gutter.refresh()
        self.textEdited.emit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            for handle in self._partials:
                region = self._region(handle)
                if region is not None:
                    cursor = QTextCursor(self.document)
                    cursor.setPosition(region[0])
                    cursor.setPosition(region[1], QTextCursor.MoveMode.KeepAnchor)
                    cursor.mergeCharFormat(self._partial_format(handle))

    # --- time alignment (scroll sync between outputs) -------------------------------------

    def _block_times(self) -> list[tuple[float, int]]:
        """(start time of the first segment in the block, its first visual line) per block."""
        out: list[tuple[float, int]] = []
        block = self.document.firstBlock()
        while block.isValid():
            for item in block_fragments(block):
                fmt = item.fragment().charFormat()
                if fmt.hasProperty(PROP_SEGMENT):
                    seg = self._segments.get(int(fmt.property(PROP_SEGMENT)))
                    if seg is not None:
                        out.append((seg.start, block.firstLineNumber()))
                        break
            block = block.next()
        return out

    def block_starts(self) -> dict[int, float]:
        """Block number → start time of the segment that begins it (the timestamp gutter)."""
        starts: dict[int, float] = {}
        block = self.document.firstBlock()
        while block.isValid():
            for item in block_fragments(block):
                fmt = item.fragment().charFormat()
                seg = self._segments.get(int(fmt.property(PROP_SEGMENT) or 0))
                if fmt.hasProperty(PROP_SEGMENT) and seg is not None:
                    starts[block.blockNumber()] = seg.start
                    break
            block = block.next()
        return starts

    def speaker_labels(self) -> dict[int, tuple[str, QColor]]:
        """Block number → (speaker, colour) where a speaker's turn begins (the gutter)."""
        firsts: list[tuple[int, str]] = []
        block = self.document.firstBlock()
        while block.isValid():
            for item in block_fragments(block):
                fmt = item.fragment().charFormat()
                seg = self._segments.get(int(fmt.property(PROP_SEGMENT) or 0))
                if fmt.hasProperty(PROP_SEGMENT) and seg is not None:
                    firsts.append((block.blockNumber(), seg.speaker))
                    break
            block = block.next()
        turns = turn_starts(firsts)
        return {n: (who, self.speaker_colours.colour(who)) for n, who in turns.items()}

    def show_timestamps(self, on: bool) -> None:
        self.gutter.set_shown(on)

    def highlight_time(self, t: float | None) -> int | None:
        """Highlight the segment playing at ``t`` (None clears); returns its block number."""
        return highlight_time(self.editor, self.block_starts(), t)

    def time_at_top(self) -> float | None:
        top = self.editor.first_visible_block().firstLineNumber()
        times = self._block_times()
        before = [t for t, line in times if line <= top]
        return before[-1] if before else (times[0][0] if times else None)

    def scroll_to_time(self, t: float) -> None:
        times = self._block_times()
        if not times:
            return
        index = segment_index_at([start for start, _ in times], t)
        self.editor.verticalScrollBar().setValue(times[index][1])


def _time_key(segment: Segment) -> tuple[float, float]:
    return round(segment.start, 3), round(segment.end, 3)

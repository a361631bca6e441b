"""The editable transcript: a plain-text editor whose characters remember their segment.

Size: over 300 lines: provenance on characters, partial regions and their commits all
edit one QTextDocument under one undo stack; the find bar, timestamp gutter and player live
beside it.

Provenance lives on the characters (a segment id in a ``QTextCharFormat`` property), so it
survives edits, undo and redo around it; ``to_output()`` snapshots it into the pure
``app.core.text.document`` model for export and autosave.

Streaming text uses *partials*: ``begin_partial`` opens an anchored region, ``update_partial``
replaces only that region's text (shown in the palette's placeholder colour), ``commit`` turns
it into final text with provenance, ``discard`` removes it. Model output never overwrites user
text: if the user edited inside a partial region, ``commit`` leaves their edit (now plain text)
and inserts the final text right after it.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import cast

from PySide6.QtCore import QEvent, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QPalette,
    QTextBlock,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import (
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.core.text.document import OutputText, Run, segment_index_at
from app.core.text.speakers import longest_speaker, turn_starts, turns_within
from app.core.transcript import Segment, TaskSpec, Timing, TranscriptResult
from app.ui.editor.find_bar import FindBar
from app.ui.editor.row_layout import install as install_row_layout
from app.ui.editor.speaker_colours import SpeakerColours
from app.ui.editor.timestamp_gutter import TimestampGutter, highlight_time

log = logging.getLogger(__name__)

#: A pane under a drag of files: a highlighted dashed frame.
DROP_TARGET_STYLE = "QPlainTextEdit { border: 2px dashed palette(highlight); }"
PROP_SEGMENT = int(QTextFormat.Property.UserProperty) + 1
PROP_PARTIAL = int(QTextFormat.Property.UserProperty) + 2
_handles = itertools.count(1)
TRACKED = 50  # recent commits that remove_segment can find


class TranscriptEditor(QPlainTextEdit):
    """The text widget; file URLs dropped on it are passed up instead of pasted as text."""

    filesDropped = Signal(list)
    keywordRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: Layout-only row spacing (side by side); no spacing until a TranslationView asks.
        self.row_layout = install_row_layout(self)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.createStandardContextMenu(event.pos())
        cursor = self.textCursor()
        if not cursor.hasSelection():
            cursor = self.cursorForPosition(event.pos())
            cursor.select(QTextCursor.SelectionType.WordUnderCursor)
        word = " ".join(cursor.selectedText().split())
        if word and len(word) <= 80:
            menu.addSeparator()
            action = menu.addAction(f"Add “{word}” to Keywords")
            action.triggered.connect(lambda _checked=False: self.keywordRequested.emit(word))
        menu.exec(event.globalPos())
        menu.deleteLater()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
            self.setStyleSheet(DROP_TARGET_STYLE)  # files will be transcribed, not pasted
        else:
            super().dragEnterEvent(event)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.setStyleSheet("")
        super().dragLeaveEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self.setStyleSheet("")
        if event.mimeData().hasUrls():
            paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
            event.acceptProposedAction()
            self.filesDropped.emit(paths)
        else:
            super().dropEvent(event)

    def first_visible_block(self) -> QTextBlock:
        return self.firstVisibleBlock()


@dataclass
class _Partial:
    source_id: str
    anchor: QTextCursor  # sits at the end of the region (or where an empty one will appear)
    expected: str = ""


class TranscriptPane(QWidget):
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
        self._partials: dict[int, _Partial] = {}
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

    @property
    def document(self) -> QTextDocument:
        return self.editor.document()

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

    def speakers(self) -> list[str]:
        """Speakers of this pane's segments, in order of first appearance."""
        return list(dict.fromkeys(s.speaker for s in self._segments.values() if s.speaker))

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
        new = " ".join(new.split())
        if not new or new == old:
            return
        for seg_id, seg in self._segments.items():
            if seg.speaker == old:
                self._segments[seg_id] = replace(seg, speaker=new)
        self.speaker_colours.rename(old, new)
        self.gutter.refresh()
        self.textEdited.emit()

    def _partial_format(self, handle: int) -> QTextCharFormat:
        fmt = QTextCharFormat()
        fmt.setProperty(PROP_PARTIAL, handle)
        fmt.setForeground(self.palette().brush(QPalette.ColorRole.PlaceholderText))
        fmt.setFontItalic(True)
        return fmt

    def _fragments(self) -> Iterator[tuple[int, str, QTextCharFormat]]:
        block = self.document.firstBlock()
        while block.isValid():
            if block != self.document.firstBlock():
                yield block.position() - 1, "\n", QTextCharFormat()
            for item in _iterate(block):
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

    # --- partials (the live-dictation API) ------------------------------------------------

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
        self._partials[handle] = _Partial(source_id, anchor)
        return handle

    def _region(self, handle: int) -> tuple[int, int, str] | None:
        start, end, parts = -1, -1, []
        for pos, text, fmt in self._fragments():
            if fmt.hasProperty(PROP_PARTIAL) and int(fmt.property(PROP_PARTIAL)) == handle:
                start = pos if start < 0 else start
                end = pos + len(text)
                parts.append(text)
        return None if start < 0 else (start, end, "".join(parts))

    def _intact(self, part: _Partial, region: tuple[int, int, str] | None) -> bool:
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
            for item in _iterate(block):
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
            for item in _iterate(block):
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
            for item in _iterate(block):
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


def _iterate(block: QTextBlock) -> Iterable[QTextBlock.iterator]:
    """The block's fragments (PySide6's stubs type ``iter(QTextBlock)`` as ``object``)."""
    return cast("Iterable[QTextBlock.iterator]", block)


def _time_key(segment: Segment) -> tuple[float, float]:
    return round(segment.start, 3), round(segment.end, 3)

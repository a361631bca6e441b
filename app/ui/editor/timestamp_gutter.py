"""A timestamp gutter left of a transcript editor: each paragraph that starts a segment shows
its start time; clicking a time asks to play the source from there. Each paragraph that starts
a speaker's turn shows the speaker's name in its colour (drawn, never part of the text), left
of the time; the gutter shows while times are on or the text has speakers. Also the highlight
of the segment playing now."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import NamedTuple

from PySide6.QtCore import QEvent, QObject, QRect, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QTextCursor, QTextFormat
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from app.core.text.timecode import clock

#: block number -> start time (seconds) of the segment that starts the block
BlockStarts = Callable[[], dict[int, float]]
#: block number -> (speaker, colour) of the blocks that start a speaker's turn
SpeakerLabels = Callable[[], dict[int, tuple[str, QColor]]]
NAME_CHARS = 12  # longer speaker names are elided
HIGHLIGHT = QColor(255, 236, 153)


class GutterRow(NamedTuple):
    """What the gutter paints beside one paragraph ("" / None where there is none)."""

    block: int
    top: int
    time: str
    name: str  # the speaker starting a turn here, elided to fit
    colour: QColor | None


class TimestampGutter(QWidget):
    timeClicked = Signal(float)

    def __init__(
        self, editor: QPlainTextEdit, starts: BlockStarts, labels: SpeakerLabels | None = None
    ) -> None:
        super().__init__(editor)
        self.editor, self._starts = editor, starts
        self._labels: SpeakerLabels = labels or dict
        self._times = False
        self.setAccessibleName("Timestamps")
        self.setToolTip("Click a time to play from there")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        editor.updateRequest.connect(self._on_update_request)
        editor.installEventFilter(self)
        editor.document().contentsChanged.connect(self._place)
        self.hide()

    def _name_width(self, labels: dict[int, tuple[str, QColor]]) -> int:
        if not labels:
            return 0
        widest = max(self.fontMetrics().horizontalAdvance(n) for n, _ in labels.values())
        return min(widest, self.fontMetrics().averageCharWidth() * NAME_CHARS) + 8

    def gutter_width(self, labels: dict[int, tuple[str, QColor]] | None = None) -> int:
        times = self.fontMetrics().horizontalAdvance("0:00:00") + 12 if self._times else 6
        return times + self._name_width(self._labels() if labels is None else labels)

    def set_shown(self, on: bool) -> None:
        """Times on or off (speaker names show whenever the text has speakers)."""
        self._times = on
        self.setCursor(Qt.CursorShape.PointingHandCursor if on else Qt.CursorShape.ArrowCursor)
        self.setToolTip("Click a time to play from there" if on else "")
        self._place()

    def refresh(self) -> None:
        """Again after the speakers changed (a name's width, a colour)."""
        self._place()
        self.update()

    def _place(self) -> None:
        """Reserve the gutter's width left of the text (again after a font change: the gutter
        uses the editor's font) and cover exactly that strip."""
        labels = self._labels()  # once per edit: a walk over the paragraphs
        shown = self._times or bool(labels)
        self.setVisible(shown)
        width = self.gutter_width(labels) if shown else 0
        if self.editor.viewportMargins().left() != width:
            self.editor.setViewportMargins(width, 0, 0, 0)
        r = self.editor.contentsRect()
        self.setGeometry(QRect(r.left(), r.top(), width, r.height()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.editor and event.type() in (QEvent.Type.Resize, QEvent.Type.FontChange):
            self._place()
        return False

    def _on_update_request(self, rect: QRect, dy: int) -> None:
        if dy:
            self.scroll(0, dy)
        else:
            self.update(0, rect.y(), self.width(), rect.height())

    def _visible(self) -> list[tuple[int, int, int]]:
        """(block number, top, height) of the visible blocks."""
        e = self.editor
        block = e.firstVisibleBlock()
        top = round(e.blockBoundingGeometry(block).translated(e.contentOffset()).top())
        out: list[tuple[int, int, int]] = []
        while block.isValid() and top <= self.height():
            height = round(e.blockBoundingRect(block).height())
            if block.isVisible():
                out.append((block.blockNumber(), top, height))
            block, top = block.next(), top + height
        return out

    def rows(self) -> list[GutterRow]:
        """What the gutter paints, per visible paragraph with a time or a turn."""
        starts = self._starts() if self._times else {}
        labels = self._labels()
        width = self._name_width(labels) - 6  # a little slack: advances are rounded
        out: list[GutterRow] = []
        for number, top, _height in self._visible():
            if number in starts or number in labels:
                name, colour = labels.get(number, ("", None))
                name = self.fontMetrics().elidedText(name, Qt.TextElideMode.ElideRight, width)
                time = clock(starts[number]) if number in starts else ""
                out.append(GutterRow(number, top, time, name, colour))
        return out

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(event.rect(), self.palette().alternateBase())
        line = self.fontMetrics().height()
        for _number, top, time, name, colour in self.rows():
            if name and colour is not None:
                painter.setPen(colour)
                left = QRect(4, top, self.width(), line)
                painter.drawText(left, Qt.AlignmentFlag.AlignLeft, name)
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(
                QRect(0, top, self.width() - 6, line), Qt.AlignmentFlag.AlignRight, time
            )
        painter.end()

    def time_at(self, y: int) -> float | None:
        if not self._times:
            return None
        starts = self._starts()
        for number, top, height in self._visible():
            if top <= y < top + height:
                return starts.get(number)
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        t = self.time_at(round(event.position().y()))
        if t is not None:
            self.timeClicked.emit(t)


def highlight_time(editor: QPlainTextEdit, starts: dict[int, float], t: float | None) -> int | None:
    """Highlight the paragraph of the segment playing at ``t`` (None clears); its block."""
    if t is None or not starts:
        editor.setExtraSelections([])
        return None
    ordered = sorted(starts.items(), key=lambda item: item[1])
    index = max(bisect.bisect_right([s for _, s in ordered], t) - 1, 0)
    number = ordered[index][0]
    selection = QTextEdit.ExtraSelection()
    selection.format.setBackground(HIGHLIGHT)
    selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
    cursor = QTextCursor(editor.document().findBlockByNumber(number))
    selection.cursor = cursor
    editor.setExtraSelections([selection])
    return number

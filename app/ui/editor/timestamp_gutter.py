"""A timestamp gutter left of a transcript editor: each paragraph that starts a segment shows
its start time; clicking a time asks to play the source from there. Also the highlight of the
segment playing now."""

from __future__ import annotations

import bisect
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QRect, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QTextCursor, QTextFormat
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from app.core.text.timecode import clock

#: block number -> start time (seconds) of the segment that starts the block
BlockStarts = Callable[[], dict[int, float]]
HIGHLIGHT = QColor(255, 236, 153)


class TimestampGutter(QWidget):
    timeClicked = Signal(float)

    def __init__(self, editor: QPlainTextEdit, starts: BlockStarts) -> None:
        super().__init__(editor)
        self.editor, self._starts = editor, starts
        self.setAccessibleName("Timestamps")
        self.setToolTip("Click a time to play from there")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        editor.updateRequest.connect(self._on_update_request)
        editor.installEventFilter(self)
        self.hide()

    def gutter_width(self) -> int:
        return self.fontMetrics().horizontalAdvance("0:00:00") + 12

    def set_shown(self, on: bool) -> None:
        self.setVisible(on)
        self._place()

    def _place(self) -> None:
        """Reserve the gutter's width left of the text (again after a font change: the gutter
        uses the editor's font) and cover exactly that strip."""
        shown = not self.isHidden()
        width = self.gutter_width() if shown else 0
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

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(event.rect(), self.palette().alternateBase())
        painter.setPen(self.palette().placeholderText().color())
        starts = self._starts()
        line = self.fontMetrics().height()
        for number, top, _height in self._visible():
            if number in starts:
                painter.drawText(
                    QRect(0, top, self.width() - 6, line),
                    Qt.AlignmentFlag.AlignRight,
                    clock(starts[number]),
                )
        painter.end()

    def time_at(self, y: int) -> float | None:
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

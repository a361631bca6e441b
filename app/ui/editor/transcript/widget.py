"""The text widget of a transcript pane: file URLs dropped on it are passed up (to be
transcribed) instead of pasted as text, and its context menu offers "Add … to Keywords"."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QTextBlock,
    QTextCursor,
)
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from app.ui.editor.row_layout import install as install_row_layout

#: A pane under a drag of files: a highlighted dashed frame.
DROP_TARGET_STYLE = "QPlainTextEdit { border: 2px dashed palette(highlight); }"


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

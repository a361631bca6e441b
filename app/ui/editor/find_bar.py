"""The find and replace bar under a transcript editor (Ctrl+F): incremental, wraps around,
counts the matches ("2 of 5"); Replace and Replace All keep the text's provenance (the
replacement takes the format, so the segment, of the text it replaces)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QKeyEvent, QTextCursor, QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QToolButton, QWidget

from app.core.text.find import find_all, match_label


class FindBar(QWidget):
    """Ctrl+F bar under the editor: Enter finds next, Shift+Enter previous, Escape closes."""

    def __init__(self, editor: QPlainTextEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._editor = editor
        self.field = QLineEdit(self)
        self.field.setPlaceholderText("Find")
        self.field.setAccessibleName("Find text")
        self.field.setClearButtonEnabled(True)
        self.status = QLabel(self)
        self.status.setAccessibleName("Matches")
        self.replacement = QLineEdit(self)
        self.replacement.setPlaceholderText("Replace with")
        self.replacement.setAccessibleName("Replace with")
        buttons = []
        for text, name, slot in (
            ("&Previous", "Find previous", self.find_previous),
            ("&Next", "Find next", self.find_next),
            ("Re&place", "Replace this match", self.replace_one),
            ("Replace A&ll", "Replace all matches", self.replace_all),
            ("Close", "Close find bar", self.close_bar),
        ):
            button = QToolButton(self)
            button.setText(text)
            button.setAccessibleName(name)
            button.clicked.connect(slot)
            buttons.append(button)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.field, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.replacement, 1)
        for button in buttons:
            layout.addWidget(button)
        self.field.returnPressed.connect(self.find_next)
        self.field.textChanged.connect(self._incremental)

    def open(self) -> None:
        self.show()
        selected = self._editor.textCursor().selectedText()
        if selected and "\u2029" not in selected:
            self.field.setText(selected)
        self.field.setFocus()
        self.field.selectAll()

    @Slot()
    def close_bar(self) -> None:
        self.hide()
        self._editor.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close_bar()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            self.find_previous()
        else:
            super().keyPressEvent(event)

    @Slot(str)
    def _incremental(self, _text: str) -> None:
        cursor = self._editor.textCursor()
        cursor.setPosition(cursor.selectionStart())
        self._editor.setTextCursor(cursor)
        self.find_next()

    @Slot()
    def find_next(self) -> bool:
        return self._find(backward=False)

    @Slot()
    def find_previous(self) -> bool:
        return self._find(backward=True)

    def _find(self, backward: bool) -> bool:
        needle = self.field.text()
        if not needle:
            self.status.clear()
            return False
        flags = QTextDocument.FindFlag.FindBackward if backward else QTextDocument.FindFlag(0)
        found = self._editor.find(needle, flags)
        if not found:  # wrap around
            cursor = self._editor.textCursor()
            cursor.movePosition(
                QTextCursor.MoveOperation.End if backward else QTextCursor.MoveOperation.Start
            )
            self._editor.setTextCursor(cursor)
            found = self._editor.find(needle, flags)
        self._show_count()
        return found

    def _matches(self) -> list[int]:
        return find_all(self._editor.toPlainText(), self.field.text())

    def _show_count(self) -> None:
        cursor = self._editor.textCursor()
        start = cursor.selectionStart() if cursor.hasSelection() else None
        self.status.setText(match_label(self._matches(), start) if self.field.text() else "")

    @Slot()
    def replace_one(self) -> bool:
        """Replace the selected match (if the selection is one), then find the next."""
        cursor = self._editor.textCursor()
        needle = self.field.text()
        if needle and cursor.hasSelection() and cursor.selectionStart() in self._matches():
            cursor.insertText(self.replacement.text())
        return self.find_next()

    @Slot()
    def replace_all(self) -> int:
        """Replace every match as one undo step; returns how many."""
        matches, size = self._matches(), len(self.field.text())
        cursor = QTextCursor(self._editor.document())
        cursor.beginEditBlock()
        for start in reversed(matches):
            cursor.setPosition(start)
            cursor.setPosition(start + size, QTextCursor.MoveMode.KeepAnchor)
            cursor.insertText(self.replacement.text())
        cursor.endEditBlock()
        self.status.setText(f"Replaced {len(matches)}" if matches else "Not found")
        return len(matches)

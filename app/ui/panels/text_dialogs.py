"""Small text questions whose titles are never cut off: one line (``ask_line``) and several
lines (``MultilineDialog``: Tab leaves the text box, Ctrl+Return submits)."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

#: Room the window frame takes beside the title (buttons, margins) on common platforms.
TITLE_ROOM = 160


def title_width(widget: QWidget, title: str) -> int:
    """A width at which ``title`` fits in the dialog's title bar."""
    return max(360, widget.fontMetrics().horizontalAdvance(title) + TITLE_ROOM)


class MultilineDialog(QDialog):
    def __init__(self, parent: QWidget | None, title: str, label: str, text: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.label = QLabel(label, self)
        self.label.setWordWrap(True)
        self.edit = QPlainTextEdit(self)
        self.edit.setPlainText(text)
        self.edit.setAccessibleName(title)
        self.edit.setTabChangesFocus(True)  # Tab reaches the buttons; it never types a tab
        self.label.setBuddy(self.edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent=self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.edit, 1)
        layout.addWidget(buttons)
        self.setMinimumWidth(title_width(self, title))
        self.edit.setFocus()

    def text(self) -> str:
        return self.edit.toPlainText()


def ask_multiline(parent: QWidget, title: str, label: str, text: str = "") -> str | None:
    dialog = MultilineDialog(parent, title, label, text)
    return dialog.text() if dialog.exec() else None


def ask_line(parent: QWidget, title: str, label: str, initial: str) -> str | None:
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
    dialog.setTextValue(initial)
    dialog.setMinimumWidth(title_width(dialog, title))
    return dialog.textValue() if dialog.exec() else None

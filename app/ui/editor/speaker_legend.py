"""The speaker legend above a document with speakers: a colour swatch and the name of each
speaker present; clicking a name edits it in place (Enter renames, Escape cancels) and emits
``renamed(old, new)``. The document renames through the same path as Meeting → Rename
Speaker…; what a typed name becomes is ``app.core.text.speakers.new_name``."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QColor, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from app.core.text.speakers import MAX_NAME, new_name

SWATCH_PX = 12


class NameEdit(QLineEdit):
    """The in-place editor of a speaker's name; Escape gives up."""

    cancelled = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            return
        super().keyPressEvent(event)


class LegendEntry(QWidget):
    """One speaker: swatch, name button, and the editor that replaces the button."""

    renamed = Signal(str, str)  # old, new

    def __init__(self, name: str, colour: QColor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.swatch = QLabel(self)
        self.swatch.setFixedSize(SWATCH_PX, SWATCH_PX)
        self.swatch.setAutoFillBackground(True)
        palette = self.swatch.palette()
        palette.setColor(QPalette.ColorRole.Window, colour)
        self.swatch.setPalette(palette)
        self.button = QToolButton(self)
        self.button.setText(name)
        self.button.setAutoRaise(True)
        self.button.setToolTip(f"Rename {name} everywhere in this document")
        self.button.setAccessibleName(f"Speaker {name}")
        palette = self.button.palette()
        palette.setColor(QPalette.ColorRole.ButtonText, colour)
        self.button.setPalette(palette)
        self.edit = NameEdit(self)
        self.edit.setMaxLength(MAX_NAME)
        self.edit.setAccessibleName(f"New name for {name}")
        self.edit.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.swatch)
        layout.addWidget(self.button)
        layout.addWidget(self.edit)
        self.button.clicked.connect(self.start_edit)
        self.edit.returnPressed.connect(self._commit)
        self.edit.cancelled.connect(self._stop_edit)

    @property
    def colour(self) -> QColor:
        return self.swatch.palette().color(QPalette.ColorRole.Window)

    @Slot()
    def start_edit(self) -> None:
        self.edit.setText(self.name)
        self.edit.selectAll()
        self.button.hide()
        self.edit.show()
        self.edit.setFocus()

    @property
    def editing(self) -> bool:
        return not self.edit.isHidden()

    @Slot()
    def _commit(self) -> None:
        name = new_name(self.name, self.edit.text())
        self._stop_edit()
        if name is not None:
            self.renamed.emit(self.name, name)

    @Slot()
    def _stop_edit(self) -> None:
        self.edit.hide()
        self.button.show()


class SpeakerLegend(QWidget):
    """Shown while the document has speakers; ``set_speakers`` keeps it in step."""

    renamed = Signal(str, str)  # old, new

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Speakers")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)  # one row
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(10, 2, 10, 2)
        self._layout.setSpacing(12)
        self._layout.addStretch(1)
        self.entries: list[LegendEntry] = []
        self._shown: list[tuple[str, str]] = []
        self.hide()

    def set_speakers(self, speakers: Sequence[tuple[str, QColor]]) -> None:
        """(name, colour) of each speaker present, in order; nothing rebuilt when unchanged
        (so a name being edited stays open while the text changes)."""
        key = [(name, colour.name()) for name, colour in speakers]
        if key == self._shown:
            return
        self._shown = key
        for entry in self.entries:
            self._layout.removeWidget(entry)
            entry.deleteLater()
        self.entries = []
        for name, colour in speakers:
            entry = LegendEntry(name, colour, self)
            entry.renamed.connect(self.renamed)
            self._layout.insertWidget(len(self.entries), entry)
            self.entries.append(entry)
        self.setVisible(bool(self.entries))

    def entry(self, name: str) -> LegendEntry | None:
        return next((e for e in self.entries if e.name == name), None)

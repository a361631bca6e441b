"""Outputs of one source side by side (transcript | translation | …), scrolled together by time.

Each column is a full ``TranscriptPane`` (editable, exportable on its own). With two or more
columns, the paragraphs of one segment start at the same height in every column, like table
rows (layout-only spacing, ``row_layout``: text, undo and modified flag untouched). Scrolling
one column finds the segment at its top and scrolls the others to the segment playing at that
time.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from app.core.transcript import TaskSpec
from app.ui.editor.row_layout import align_rows
from app.ui.editor.transcript_pane import TranscriptPane


class TranslationView(QWidget):
    """A horizontal splitter of labelled panes with time-based scroll sync."""

    textEdited = Signal()
    filesDropped = Signal(list)
    keywordRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.panes: list[TranscriptPane] = []
        self._headers: list[QLabel] = []
        self._syncing = False
        self._align_timer = QTimer(self)  # coalesces relayouts of all columns into one pass
        self._align_timer.setSingleShot(True)
        self._align_timer.setInterval(0)
        self._align_timer.timeout.connect(self.align_rows)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

    def add_pane(self, label: str, spec: TaskSpec) -> TranscriptPane:
        column = QWidget(self.splitter)
        column_layout = QVBoxLayout(column)
        column_layout.setContentsMargins(0, 0, 0, 0)
        column_layout.setSpacing(2)
        header = QLabel(label, column)
        header.setAccessibleName(f"{label} heading")
        header.setContentsMargins(6, 4, 6, 2)
        font = header.font()
        font.setBold(True)
        header.setFont(font)
        pane = TranscriptPane(label, spec, column)
        header.setBuddy(pane.editor)
        column_layout.addWidget(header)
        column_layout.addWidget(pane, 1)
        self.splitter.addWidget(column)
        self.panes.append(pane)
        self._headers.append(header)
        pane.textEdited.connect(self.textEdited)
        pane.filesDropped.connect(self.filesDropped)
        pane.keywordRequested.connect(self.keywordRequested)
        pane.editor.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        # Any relayout (an edit, a new width, a font change) re-measures the rows.
        pane.editor.row_layout.documentSizeChanged.connect(self._align_timer.start)
        self._update_headers()
        self.splitter.setSizes([1000] * len(self.panes))
        return pane

    def _update_headers(self) -> None:
        for header in self._headers:
            header.setVisible(len(self.panes) > 1)

    @Slot()
    def align_rows(self) -> None:
        """Pad the columns so rows of one segment begin at the same height (side by side only)."""
        align_rows([(p.editor.row_layout, p.block_starts()) for p in self.panes])

    @property
    def is_side_by_side(self) -> bool:
        return len(self.panes) > 1

    @Slot(int)
    def _on_scrolled(self, _value: int) -> None:
        if self._syncing:
            return
        bar = self.sender()
        source = next((p for p in self.panes if p.editor.verticalScrollBar() is bar), None)
        if source is None:
            return
        self.sync_from(source)

    def sync_from(self, source: TranscriptPane) -> None:
        """Scroll every other pane to the segment at the top of ``source``."""
        t = source.time_at_top()
        if t is None:
            return
        self._syncing = True
        try:
            for pane in self.panes:
                if pane is not source:
                    pane.scroll_to_time(t)
        finally:
            self._syncing = False
        self._align_timer = QTimer(self)  # coalesces relayouts of all columns into one pass
        self._align_timer.setSingleShot(True)
        self._align_timer.setInterval(0)
        self._align_timer.timeout.connect(self.align_rows)

    def focused_pane(self) -> TranscriptPane | None:
        for pane in self.panes:
            if pane.isAncestorOf(self.focusWidget() or self) or pane.editor.hasFocus():
                return pane
        return self.panes[0] if self.panes else None

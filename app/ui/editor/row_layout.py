"""Layout-only spacing that lines side-by-side columns up by segment, like table rows.

``RowLayout`` is the editor's ``QPlainTextDocumentLayout`` with extra height after chosen
blocks. The space lives only in the layout (``blockBoundingRect``): the document's text, block
formats, undo stack and modified flag are never touched. ``align_rows`` measures each column's
rows (a row = the blocks from one segment's first block up to the next segment's) and pads
each column's rows to the tallest (``app.core.text.columns.rows``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QRectF
from PySide6.QtGui import QTextBlock, QTextDocument
from PySide6.QtWidgets import QPlainTextDocumentLayout, QPlainTextEdit

from app.core.text.columns.rows import row_extras


class RowLayout(QPlainTextDocumentLayout):
    """A plain-text layout whose blocks can have extra space below them (layout only)."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._extra: dict[int, float] = {}  # block number → extra height below it

    def natural_height(self, block: QTextBlock) -> float:
        return super().blockBoundingRect(block).height()

    def blockBoundingRect(self, block: QTextBlock) -> QRectF:
        rect = super().blockBoundingRect(block)
        extra = self._extra.get(block.blockNumber(), 0.0)
        return rect.adjusted(0, 0, 0, extra) if extra and rect.isValid() else rect

    @property
    def extra(self) -> dict[int, float]:
        return dict(self._extra)

    def set_extra(self, extra: Mapping[int, float]) -> bool:
        """Use ``extra`` (block number → space below it); returns whether anything changed."""
        wanted = {n: h for n, h in extra.items() if h > 0}
        if wanted == self._extra:
            return False
        self._extra = wanted
        self.documentSizeChanged.emit(self.documentSize())
        self.update.emit()  # repaint the whole view (the default rect covers everything)
        return True


def install(editor: QPlainTextEdit) -> RowLayout:
    """Give a new, still empty ``editor`` a fresh document laid out by a ``RowLayout``."""
    document = QTextDocument(editor)
    document.setDefaultFont(editor.font())
    layout = RowLayout(document)
    document.setDocumentLayout(layout)
    editor.setDocument(document)
    return layout


def rows_of(
    layout: RowLayout, starts: Mapping[int, float]
) -> tuple[dict[float, float], dict[float, int]]:
    """(row key → row height, row key → its last block number) for one column.

    ``starts`` maps block number → start time of the segment beginning that block; blocks
    without one (typed text, blank lines) belong to the row above. Blocks before the first
    segment belong to no row.
    """
    heights: dict[float, float] = {}
    last: dict[float, int] = {}
    key: float | None = None
    block = layout.document().firstBlock()
    while block.isValid():
        number = block.blockNumber()
        if number in starts and starts[number] not in heights:
            key = starts[number]
            heights[key] = 0.0
        if key is not None:
            heights[key] += layout.natural_height(block)
            last[key] = number
        block = block.next()
    return heights, last


def align_rows(columns: Sequence[tuple[RowLayout, Mapping[int, float]]]) -> bool:
    """Pad each column's rows so rows of the same segment begin at the same height; one column
    (or none) gets no padding. Returns whether any column's spacing changed."""
    if len(columns) < 2:
        return any([layout.set_extra({}) for layout, _ in columns])
    measured = [rows_of(layout, starts) for layout, starts in columns]
    extras = row_extras([heights for heights, _ in measured])
    changed = False
    for (layout, _), (_, last), extra in zip(columns, measured, extras, strict=True):
        by_block = {last[key]: space for key, space in extra.items()}
        changed = layout.set_extra(by_block) or changed
    return changed

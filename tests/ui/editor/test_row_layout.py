"""Side-by-side rows: one segment's paragraphs begin at the same height in every column, by
layout-only spacing (text, undo stack and modified flag untouched)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QPlainTextEdit

from app.core.transcript import Segment, Task, TaskSpec
from app.ui.editor.row_layout import RowLayout, install
from app.ui.editor.transcript_pane import TranscriptPane
from app.ui.editor.translation_view import TranslationView

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

FR = TaskSpec(Task.TRANSLATE, "en", "fr")
N = 6


def _tops(pane: TranscriptPane) -> dict[float, float]:
    """Segment start → top of the block that begins it, from the editor's layout."""
    document = pane.editor.document()
    return {
        start: pane.editor.blockBoundingGeometry(document.findBlockByNumber(number)).top()
        for number, start in pane.block_starts().items()
    }


def _undo_state(pane: TranscriptPane) -> tuple[bool, bool, bool, int, int, str]:
    d = pane.editor.document()
    steps = d.availableUndoSteps()
    return (
        d.isUndoAvailable(),
        d.isRedoAvailable(),
        d.isModified(),
        steps,
        d.revision(),
        d.toPlainText(),
    )


def _view(qtbot) -> TranslationView:
    view = TranslationView()
    qtbot.addWidget(view)
    short = view.add_pane("Transcript", TaskSpec())
    long = view.add_pane("Translation (French)", FR)
    short.append_segments([Segment(2.0 * i, 2.0 * i + 2, f"Short {i}.") for i in range(N)])
    long.append_segments(
        [Segment(2.0 * i, 2.0 * i + 2, f"Long {i} " + "mot " * (i % 3 * 30)) for i in range(N)]
    )
    view.resize(700, 400)
    view.show()
    qtbot.waitExposed(view)
    return view


def _aligned(view: TranslationView) -> bool:
    short, long = (_tops(p) for p in view.panes)
    return len(short) == N and short == long


def test_rows_of_one_segment_start_at_the_same_height(qtbot) -> None:
    view = _view(qtbot)
    short, long = view.panes
    before = [_undo_state(p) for p in view.panes]
    qtbot.waitUntil(lambda: _aligned(view))
    tops = _tops(long)
    assert tops[4.0] - tops[2.0] >= 2 * short.editor.fontMetrics().height()  # a wrapped row
    assert short.editor.row_layout.extra  # the short column was padded
    # Layout only: same text, same undo/redo availability, not modified, no new revision.
    assert [_undo_state(p) for p in view.panes] == before


def test_rows_follow_a_narrower_window_and_an_edit(qtbot) -> None:
    view = _view(qtbot)
    qtbot.waitUntil(lambda: _aligned(view))
    first = _tops(view.panes[0])
    view.resize(420, 400)
    qtbot.waitUntil(lambda: _aligned(view) and _tops(view.panes[0]) != first)
    cursor = view.panes[0].editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    cursor.insertText(" and more words " * 40)  # the short column's last row grows
    steps = view.panes[0].editor.document().availableUndoSteps()  # before any realignment
    qtbot.waitUntil(lambda: _aligned(view) and view.panes[1].editor.row_layout.extra != {})
    # The realignment added no undo step.
    assert view.panes[0].editor.document().availableUndoSteps() == steps


def test_a_single_pane_gets_no_spacing(qtbot) -> None:
    view = TranslationView()
    qtbot.addWidget(view)
    pane = view.add_pane("Transcript", TaskSpec())
    pane.append_segments([Segment(float(i), i + 1.0, "word " * 80) for i in range(3)])
    view.align_rows()
    assert pane.editor.row_layout.extra == {}


def test_set_extra_moves_the_next_block_only_in_the_layout(qtbot) -> None:
    editor = QPlainTextEdit()
    qtbot.addWidget(editor)
    layout = install(editor)
    assert isinstance(editor.document().documentLayout(), RowLayout)
    editor.setPlainText("a\nb\nc")
    document = editor.document()
    document.clearUndoRedoStacks()
    document.setModified(False)
    second = document.findBlockByNumber(1)
    top = editor.blockBoundingGeometry(second).top()
    assert layout.set_extra({0: 40.0}) and not layout.set_extra({0: 40.0})
    assert editor.blockBoundingGeometry(second).top() == top + 40.0
    assert layout.natural_height(document.firstBlock()) == top
    assert not document.isUndoAvailable() and not document.isModified()
    assert layout.set_extra({}) and editor.blockBoundingGeometry(second).top() == top

"""Paste many: Tab leaves the text box, Ctrl+Return submits; titles fit."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.ui.panels.text_dialogs import MultilineDialog, title_width

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def test_tab_leaves_the_box_and_ctrl_return_submits(qtbot) -> None:
    dialog = MultilineDialog(None, "Paste keywords", "One per line:")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.edit.hasFocus)
    qtbot.keyClicks(dialog.edit, "Granite")
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Tab)
    assert dialog.text() == "Granite" and not dialog.edit.hasFocus()
    dialog.edit.setFocus()
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == MultilineDialog.DialogCode.Accepted


def test_the_title_fits(qtbot) -> None:
    title = "New keyword list for Granite Dictate"
    dialog = MultilineDialog(None, title, "Name:")
    qtbot.addWidget(dialog)
    assert dialog.minimumWidth() >= dialog.fontMetrics().horizontalAdvance(title)
    assert title_width(dialog, "x") == 360

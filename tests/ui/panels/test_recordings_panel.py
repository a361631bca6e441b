"""The Recordings panel when empty, and its rows without a horizontal scrollbar."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from app.ui.panels.recordings_panel import EMPTY_TEXT, RecordingsPanel
from tests.ui.dictation.test_dictation_controller import FakePlayer, _recording


def test_empty_state_text_and_wrapped_rows(qtbot, tmp_path: Path) -> None:
    panel = RecordingsPanel(tmp_path, player=FakePlayer())
    qtbot.addWidget(panel)
    assert not panel.empty.isHidden() and panel.empty.text() == EMPTY_TEXT
    assert (
        panel.list.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        and panel.list.wordWrap()
    )
    _recording(tmp_path, 1.0)
    panel.refresh()
    assert panel.empty.isHidden() and len(panel.recordings()) == 1

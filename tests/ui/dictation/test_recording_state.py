"""Recording is unmistakable: red button with elapsed time, Listening… strip, no placeholder."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QToolButton

from app.ui.dictation.recording_state import RECORDING_STYLE, ListeningStrip, RecordingState
from app.ui.editor.transcript_pane import TranscriptPane

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def test_button_strip_and_placeholder_follow_recording(qtbot) -> None:
    now = [100.0]
    action = QAction("&Record")
    button = QToolButton()
    button.setDefaultAction(action)
    strip = ListeningStrip()
    panes = [TranscriptPane(), TranscriptPane()]
    for w in (button, strip, *panes):
        qtbot.addWidget(w)
    panes[1].editor.setPlaceholderText("talk.wav: No speech found.")
    state = RecordingState(action, button, strip, lambda: panes, clock_s=lambda: now[0])
    placeholder = panes[0].editor.placeholderText()
    assert placeholder.startswith("Press Record")

    state.set_recording(True)
    assert button.styleSheet() == RECORDING_STYLE and button.text() == "Stop  0:00"
    assert not strip.isHidden() and strip.label.text() == "Listening…"
    assert [p.editor.placeholderText() for p in panes] == ["", ""]
    now[0] += 72.4
    state.tick()
    assert button.text() == "Stop  1:12" and strip.elapsed.text() == "1:12"
    assert action.text() == "&Record"  # the menu entry keeps its name

    state.set_recording(False)
    assert button.styleSheet() == "" and button.text() == "Record"
    assert strip.isHidden()
    assert [p.editor.placeholderText() for p in panes] == [
        placeholder,
        "talk.wav: No speech found.",
    ]

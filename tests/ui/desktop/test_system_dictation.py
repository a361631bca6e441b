"""System-wide dictation's own rules, through the wired app: no start before the model is
ready, and the last dictation copied or pasted again."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from app.core.model_state import ModelState
from tests.support.wired_app import WAIT_MS, App


def test_nothing_dictated_yet_is_said_and_nothing_is_pasted(app: App) -> None:
    dictation = app.shell.dictation
    assert not dictation.copy_last() and not dictation.paste_last()
    assert app.shell.messages == ["Nothing dictated yet.", "Nothing dictated yet."]
    assert app.injector.keystrokes == []


def test_a_window_utterance_is_the_last_dictation(app: App) -> None:
    app.record_in_window()
    dictation = app.shell.dictation
    last = dictation.last_text
    assert last and last == last.strip()
    assert last in app.window.current_pane().document.toPlainText()
    assert app.injector.keystrokes == []  # dictation in the window pastes nowhere else
    assert dictation.copy_last()
    clipboard = QApplication.clipboard()
    assert clipboard is not None and clipboard.text() == last
    assert dictation.paste_last()  # the window is not the active one here
    assert app.injector.keystrokes == [("paste", last)]


def test_the_shortcut_does_not_record_before_the_model_is_ready(app: App) -> None:
    app.window._on_model_state(ModelState.LOADING, "")
    app.shell.tray.start_stop_action.trigger()
    app.qtbot.waitUntil(lambda: app.shell.driver.state.value == "idle", timeout=WAIT_MS)
    assert not app.ctl.recording
    assert app.shell.messages == ["The speech model is not ready yet; dictation starts once it is."]

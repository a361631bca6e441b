"""System-wide dictation never pastes an eager run's text before the pause or the stop
confirms it: the shown text may still be replaced."""

from __future__ import annotations

from dataclasses import replace

from app.core.dictation.endpointing import Utterance
from app.core.transcript import TaskSpec
from tests.support import fake_engine
from tests.support.wired_app import WAIT_MS, App, tone


def test_an_eager_run_is_shown_but_pasted_only_once_confirmed(app: App) -> None:
    app.texts.clear()  # the fake session says nothing by itself: the test speaks
    app.window.apply_preferences(replace(app.window.prefs, global_hotkey="Alt+Space"))
    app.start_system_wide()
    listener = app.sessions.made[-1].listener
    audio = tone(0.6)
    text = fake_engine.fake_text(audio, TaskSpec())
    pane = app.window.current_pane()
    listener.eager(Utterance(0, 0.0, 0.6, audio))  # the tail arrived: run now
    app.qtbot.waitUntil(
        lambda: text.lower() in pane.document.toPlainText().lower(), timeout=WAIT_MS
    )
    assert app.ctl.pending_jobs and app.injector.keystrokes == []  # shown, not pasted
    listener.eager_retracted(0)  # speech resumed: the run is dropped, its text stays
    longer = tone(1.1)
    listener.eager(Utterance(0, 0.0, 1.1, longer))
    final = fake_engine.fake_text(longer, TaskSpec())
    app.qtbot.waitUntil(
        lambda: final.lower() in pane.document.toPlainText().lower(), timeout=WAIT_MS
    )
    assert app.injector.keystrokes == []
    listener.utterance(Utterance(0, 0.0, 1.1, longer, False, True))  # the pause completed
    app.tap_hotkey()
    app.qtbot.waitUntil(lambda: bool(app.injector.keystrokes), timeout=WAIT_MS)
    assert app.injector.keystrokes == [("paste", final[0].upper() + final[1:])]
    assert pane.document.toPlainText() == final[0].upper() + final[1:]

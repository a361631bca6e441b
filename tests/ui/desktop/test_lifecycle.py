"""Menu-bar life of the wired app (fake engine, fake microphone, fake platform): closing the
window hides it and dictation keeps working, hiding never cancels jobs, Quit asks while work is
running, a Dock click (application activation) shows the window again."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QApplication, QWidget

from tests.support.wired_app import WAIT_MS, App

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # offscreen plugin, on show()


class Confirm:
    """Stands in for the quit question: records the reasons and answers ``answer``."""

    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.asked: list[list[str]] = []

    def __call__(self, _parent: QWidget, reasons: list[str]) -> bool:
        self.asked.append(reasons)
        return self.answer


@pytest.fixture
def app(app: App) -> App:
    app.shell.lifecycle.hide_on_close = True  # as with a tray icon / on macOS
    app.shell.lifecycle.reopen_on_activate = True
    app.window.show()
    return app


def test_closing_hides_and_system_wide_dictation_keeps_working(app: App) -> None:
    assert not QApplication.quitOnLastWindowClosed()
    app.window.apply_preferences(replace(app.window.prefs, global_hotkey="Alt+Space"))
    app.window.close()
    assert not app.window.isVisible() and not app.shell.lifecycle.quitting
    assert app.hotkey.registered
    app.dictate_system_wide()
    assert app.injector.keystrokes[0][0] == "paste"
    assert not app.window.isVisible()  # dictation did not bring the window up


def test_hiding_never_cancels_a_file_job(app: App) -> None:
    gate = app.gated_file_job()
    app.window.close()
    assert not app.window.isVisible()
    assert app.window.jobs.active()
    with app.qtbot.waitSignal(app.window.jobs.jobDone, timeout=WAIT_MS):
        gate.set()
    assert "meeting" in " ".join(app.window.document_names())


def test_quit_asks_while_a_recording_runs_and_no_keeps_everything(app: App) -> None:
    confirm = app.shell.lifecycle.confirm = Confirm(answer=False)
    app.window.record_action.trigger()
    assert app.ctl.recording
    app.window.actions_.quit.trigger()  # File → Quit
    assert confirm.asked == [["a recording"]]
    assert app.ctl.recording and app.window.isVisible()
    assert not app.shell.lifecycle.quitting


def test_quit_asks_during_a_file_job_and_yes_quits(app: App) -> None:
    confirm = app.shell.lifecycle.confirm = Confirm(answer=True)
    gate = app.gated_file_job()
    app.window.close()  # hidden, the job runs on
    app.shell.tray.quit_action.trigger()
    assert confirm.asked == [["1 file being transcribed"]]
    assert app.shell.lifecycle.quitting
    assert not app.window.jobs.active()  # the window's close handler cancelled it
    gate.set()


def test_quit_when_idle_does_not_ask(app: App) -> None:
    confirm = app.shell.lifecycle.confirm = Confirm(answer=False)
    app.shell.quit()
    assert confirm.asked == [] and app.shell.lifecycle.quitting
    assert not app.window.isVisible()


def test_system_quit_request_is_refused_when_the_user_says_no(app: App) -> None:
    confirm = app.shell.lifecycle.confirm = Confirm(answer=False)
    app.window.record_action.trigger()
    event = QEvent(QEvent.Type.Quit)
    qapp = QApplication.instance()
    assert qapp is not None
    QCoreApplication.sendEvent(qapp, event)  # Dock → Quit, logout
    assert confirm.asked == [["a recording"]] and not event.isAccepted()
    assert app.ctl.recording


def test_dock_click_shows_the_hidden_window(app: App) -> None:
    app.window.close()
    assert not app.window.isVisible()
    app_obj = QApplication.instance()
    assert isinstance(app_obj, QApplication)
    app_obj.applicationStateChanged.emit(Qt.ApplicationState.ApplicationActive)
    assert app.window.isVisible()


def test_activation_leaves_the_window_hidden_off_macos(app: App) -> None:
    app.shell.lifecycle.reopen_on_activate = False
    app.window.close()
    app_obj = QApplication.instance()
    assert isinstance(app_obj, QApplication)
    app_obj.applicationStateChanged.emit(Qt.ApplicationState.ApplicationActive)
    assert not app.window.isVisible()


def test_without_a_tray_closing_the_window_quits_as_before(app: App) -> None:
    app.shell.lifecycle.hide_on_close = False
    assert QApplication.quitOnLastWindowClosed()
    gate = app.gated_file_job()
    app.window.close()
    assert not app.window.jobs.active()  # a real close: jobs end with the app
    gate.set()

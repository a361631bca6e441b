"""The wired app (``start_gui``): window + dictation controller + tray + indicator + system-wide
dictation + single instance, with a fake engine, a fake microphone session and a fake platform
(``App`` in tests/support/wired_app.py; the ``app`` fixture is in tests/ui/conftest.py).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.core.preferences import Preferences
from app.system.base import Shortcut
from app.ui.app import start_gui
from tests.support.wired_app import WAIT_MS, App


def test_record_button_drives_the_controller_and_the_tray_follows(app: App) -> None:
    w, tray = app.window, app.shell.tray
    assert app.gui.dictation is app.ctl and app.gui.shell is app.shell
    assert tray.start_stop_action.isEnabled()  # the model is ready
    states: list[str] = []
    tray.start_stop_action.changed.connect(lambda: states.append(tray.state))
    w.record_action.trigger()
    assert app.ctl.recording and w.record_action.isChecked()
    assert tray.state == "recording" and tray.start_stop_action.text() == "Stop Dictation"
    assert not app.shell.indicator.isVisible()  # the window has its own level meter
    w.record_action.trigger()
    app.wait_idle()
    app.qtbot.waitUntil(lambda: tray.state == "idle", timeout=WAIT_MS)
    assert "transcribing" in states  # between the stop and the last text
    text = w.current_pane().document.toPlainText()
    first, second = app.expected()
    assert first.split()[1] in text and second.split()[1] in text
    assert app.injector.keystrokes == []  # dictation in the window pastes nowhere else
    assert not w.record_action.isChecked()


def test_tray_shows_file_jobs_but_dictation_can_still_start(app: App) -> None:
    tray = app.shell.tray
    gate = app.gated_file_job()
    app.qtbot.waitUntil(lambda: tray.state == "transcribing", timeout=WAIT_MS)
    assert tray.start_stop_action.isEnabled() and tray.start_stop_action.text() == "Start Dictation"
    gate.set()
    app.qtbot.waitUntil(lambda: tray.state == "idle", timeout=WAIT_MS)


def test_global_shortcut_records_and_pastes_into_the_frontmost_app(app: App) -> None:
    shell = app.shell
    prefs = replace(app.window.prefs, global_hotkey="Alt+Space")
    app.window.apply_preferences(prefs)
    assert app.hotkey.shortcut == Shortcut.parse("alt+space")
    app.start_system_wide()
    assert shell.indicator.isVisible() and shell.indicator.state == "recording"
    assert shell.tray.state == "recording" and app.hotkey.watching_escape
    with app.qtbot.waitSignal(app.ctl.levelChanged, timeout=WAIT_MS):
        pass
    assert shell.indicator.level > 0  # -18 dBFS from the fake session
    app.tap_hotkey()
    app.qtbot.waitUntil(lambda: bool(app.injector.keystrokes), timeout=WAIT_MS)
    pasted = app.injector.keystrokes[0][1]
    first, second = app.expected()
    assert pasted == f"{first[0].upper()}{first[1:]} {second}"
    assert app.injector.keystrokes == [("paste", pasted)]
    app.qtbot.waitUntil(lambda: not shell.indicator.isVisible(), timeout=WAIT_MS)
    assert shell.driver.state.value == "idle" and not app.hotkey.watching_escape
    assert app.window.current_pane().document.toPlainText() == pasted  # kept in the window too
    app.injector.scheduler.run_pending()
    assert app.injector.clipboard.content is None  # the previous clipboard is back


def test_escape_cancels_a_system_wide_recording(app: App) -> None:
    app.window.apply_preferences(replace(app.window.prefs, global_hotkey="ctrl+alt+d"))
    app.start_system_wide()
    app.hotkey.escape()
    app.qtbot.waitUntil(lambda: not app.ctl.recording, timeout=WAIT_MS)
    app.wait_idle()
    assert app.injector.keystrokes == []
    assert not app.shell.indicator.isVisible() and app.shell.tray.state == "idle"


def test_tray_start_stop_uses_the_driver_and_a_window_recording_stops(app: App) -> None:
    tray = app.shell.tray
    tray.start_stop_action.trigger()  # no global shortcut needed
    assert app.ctl.recording and app.shell.indicator.isVisible()
    tray.start_stop_action.trigger()
    app.qtbot.waitUntil(lambda: bool(app.injector.keystrokes), timeout=WAIT_MS)
    app.wait_idle()
    app.window.record_action.trigger()  # recording begun in the window …
    assert tray.state == "recording"
    tray.start_stop_action.trigger()  # … is stopped from the tray, nothing pasted
    app.wait_idle()
    assert len(app.injector.keystrokes) == 1


@pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen plugin, on showing a window
def test_tray_menu_keyword_lists_window_and_preferences(app: App) -> None:
    w, tray, sidebar = app.window, app.shell.tray, app.window.keywords
    names = [a.text() for a in tray.keyword_actions()]
    assert names == sidebar.list_names()
    first = sidebar.active_list_name()
    sidebar.ask_text = lambda *_args: "Medical"
    sidebar.new_list_action.trigger()  # the new list becomes active
    assert [a.text() for a in tray.keyword_actions()] == sidebar.list_names()
    assert [a.text() for a in tray.keyword_actions() if a.isChecked()] == ["Medical"]
    before = next(a for a in tray.keyword_actions() if a.text() == first)
    before.trigger()
    assert sidebar.active_list_name() == first
    asked: list[int] = []
    w.open_preferences = lambda: asked.append(1)  # type: ignore[method-assign]  # dialog tested elsewhere
    w.hide()
    tray.preferences_action.trigger()
    app.qtbot.waitUntil(lambda: asked == [1], timeout=WAIT_MS)
    assert w.isVisible()
    w.hide()
    tray.open_action.trigger()
    assert w.isVisible()


def test_preferences_reach_the_controller_hotkey_and_login_item(app: App) -> None:
    w = app.window
    prefs = replace(
        w.prefs,
        input_device="USB Mic",
        pause_s=1.5,
        global_hotkey="cmd+shift+d",
        global_hotkey_mode="hold",
        launch_at_login=True,
    )
    w.apply_preferences(prefs)
    assert app.ctl.config.device == "USB Mic" and app.ctl.config.endpoint.pause_s == 1.5
    assert app.hotkey.shortcut == Shortcut("d", ("cmd", "shift"))
    assert app.shell.driver.machine.mode.value == "hold"
    assert app.login.calls == [True]
    w.record_action.trigger()
    assert app.sessions.made[-1].config.device == "USB Mic"  # used from the next recording
    w.record_action.trigger()
    app.wait_idle()
    w.apply_preferences(replace(prefs, global_hotkey="", launch_at_login=False))
    assert not app.hotkey.registered and app.login.calls == [True, False]
    w.apply_preferences(replace(prefs, global_hotkey="hyper+x"))
    assert "Unknown modifier" in app.shell.messages[-1]
    assert "Unknown modifier" in w.banner.text()  # no tray offscreen: the banner says it


def test_global_shortcut_from_saved_preferences_is_registered_at_start(
    qtbot, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("GRANITE_DICTATE_HOME", str(tmp_path / "home"))
    a = App(qtbot, tmp_path, Preferences(global_hotkey="alt+space", launch_at_login=True))
    try:
        assert a.hotkey.registered
        assert a.login.calls == []  # start-up never flips the login item by itself
    finally:
        a.close()


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_second_launch_brings_the_first_window_to_the_front(app: App) -> None:
    assert not app.window.isVisible()
    assert start_gui(["--from-second"], instance_key=app.key) is None
    app.qtbot.waitUntil(app.window.isVisible, timeout=WAIT_MS)


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_no_paste_while_the_window_itself_is_active(app: App) -> None:
    w = app.window
    w.show()
    w.activateWindow()
    app.qtbot.waitUntil(w.isActiveWindow, timeout=WAIT_MS)
    app.shell.toggle()
    assert app.ctl.recording
    app.shell.toggle()
    app.qtbot.waitUntil(lambda: app.shell.driver.state.value == "idle", timeout=WAIT_MS)
    app.wait_idle()
    assert app.injector.keystrokes == []  # the text is in the window already
    assert w.current_pane().document.toPlainText().startswith("Speech 0.50s")


@pytest.mark.qt_log_ignore("propagateSizeHints")  # exec() shows a top-level dialog
def test_preferences_dialog_round_trip_through_the_app(app: App) -> None:
    from app.ui.settings.preferences_dialog import PreferencesDialog

    app.login.is_enabled = True  # switched on outside the app (System Settings)
    seen: list[bool] = []

    def drive() -> None:
        dialog = next(
            (d for d in QApplication.topLevelWidgets() if isinstance(d, PreferencesDialog)), None
        )
        if dialog is None:
            QTimer.singleShot(10, drive)
            return
        seen.append(dialog.dictation_tab.login_check.isChecked())
        dialog.dictation_tab.global_hotkey_edit.setText("ctrl+alt+space")
        dialog.dictation_tab.pause_spin.setValue(2.0)
        dialog.accept()

    QTimer.singleShot(0, drive)
    app.window.open_preferences()
    assert seen == [True]  # the dialog shows the system's login state
    assert app.hotkey.shortcut == Shortcut("space", ("alt", "ctrl"))
    assert app.ctl.config.endpoint.pause_s == 2.0
    assert app.login.calls == []  # unchanged: nothing to switch
    saved = app.settings.load_preferences()
    assert (saved.global_hotkey, saved.pause_s, saved.launch_at_login) == (
        "alt+ctrl+space",
        2.0,
        True,
    )


def test_shortcut_before_the_model_is_ready_says_so(qtbot, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GRANITE_DICTATE_HOME", str(tmp_path / "home"))
    a = App(qtbot, tmp_path, Preferences(global_hotkey="alt+space"))
    try:
        a.window.use_model("missing-model")
        qtbot.waitUntil(lambda: a.window.model_state == "missing", timeout=WAIT_MS)
        assert not a.shell.tray.start_stop_action.isEnabled()
        a.hotkey.press()
        a.hotkey.release()
        qtbot.waitUntil(lambda: bool(a.shell.messages), timeout=WAIT_MS)
        assert "not ready" in a.shell.messages[-1]
        qtbot.waitUntil(lambda: a.shell.driver.state.value == "idle", timeout=WAIT_MS)
        assert not a.ctl.recording and a.sessions.made == []
        assert not a.shell.indicator.isVisible()
    finally:
        a.close()

"""Tray menu offscreen: state, actions and keyword lists work without a system tray."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QSystemTrayIcon

from app.ui.desktop.tray import (
    STATES,
    GuiThreadPoster,
    TrayController,
    app_icon,
    qt_scheduler,
    state_icon,
)


@pytest.fixture
def tray(qtbot):
    controller = TrayController()
    yield controller
    controller.hide()
    controller.menu.deleteLater()
    controller.keywords_menu.deleteLater()
    controller.deleteLater()


def test_no_tray_offscreen_and_no_warnings(tray: TrayController) -> None:
    # pytest-qt fails the test on any Qt warning (qt_log_level_fail = WARNING).
    assert tray.available is QSystemTrayIcon.isSystemTrayAvailable()
    tray.show()
    assert tray.show_message("Granite Dictate", "hello") is tray.available


def test_state_changes_menu_text(tray: TrayController) -> None:
    assert tray.start_stop_action.text() == "Start Dictation"
    tray.set_state("recording")
    assert tray.start_stop_action.text() == "Stop Dictation"
    assert tray.start_stop_action.isEnabled()
    tray.set_state("transcribing")
    assert not tray.start_stop_action.isEnabled()
    tray.set_start_enabled(True)
    assert not tray.start_stop_action.isEnabled()  # still busy
    tray.set_state("idle")
    tray.set_start_enabled(False)
    assert not tray.start_stop_action.isEnabled()
    tray.set_state("transcribing", dictation_busy=False)  # only files: still no model
    assert not tray.start_stop_action.isEnabled()
    tray.set_start_enabled(True)
    assert tray.start_stop_action.isEnabled()
    assert tray.start_stop_action.text() == "Start Dictation"
    tray.set_start_enabled(False)
    tray.set_state("idle")
    assert not tray.start_stop_action.isEnabled()  # the model state is remembered
    with pytest.raises(ValueError):
        tray.set_state("sleeping")


def test_menu_actions_emit_signals(qtbot, tray: TrayController) -> None:
    pairs = [
        (tray.start_stop_action, tray.start_stop_requested),
        (tray.open_action, tray.open_window_requested),
        (tray.copy_last_action, tray.copy_last_requested),
        (tray.paste_last_action, tray.paste_last_requested),
        (tray.preferences_action, tray.preferences_requested),
        (tray.quit_action, tray.quit_requested),
    ]
    for action, signal in pairs:
        with qtbot.waitSignal(signal, timeout=1000):
            action.trigger()
    texts = [a.text() for a in tray.menu.actions() if a.text()]
    assert texts == [
        "Start Dictation",
        "Open Granite Dictate",
        "Copy Last Dictation",
        "Paste Last Dictation Again",
        "Keyword List",
        "Preferences…",
        "Quit Granite Dictate",
    ]


def test_keyword_submenu_built_from_names(qtbot, tray: TrayController) -> None:
    tray.set_keyword_lists(["Medical", "Team names"], current="Team names")
    actions = tray.keyword_actions()
    assert [a.text() for a in actions] == ["No Keywords", "Medical", "Team names"]
    assert [a.isChecked() for a in actions] == [False, False, True]
    with qtbot.waitSignal(tray.keyword_list_chosen, timeout=1000) as blocker:
        actions[1].trigger()
    assert blocker.args == ["Medical"]
    assert actions[1].isChecked() and not actions[2].isChecked()
    with qtbot.waitSignal(tray.keyword_list_chosen, timeout=1000) as blocker:
        actions[0].trigger()
    assert blocker.args == [""]
    tray.set_keyword_lists(["Other"], current=None)
    assert [a.text() for a in tray.keyword_actions()] == ["No Keywords", "Other"]
    assert tray.keyword_actions()[0].isChecked()


@pytest.mark.parametrize("state", STATES)
def test_state_icons_render(qtbot, state: str) -> None:
    icon = state_icon(state)
    assert icon.isMask()  # a template image in every state, visible in dark mode too
    image = icon.pixmap(44, 44).toImage()
    assert image.pixelColor(22, 10).alpha() > 200  # the capsule
    colors = {
        (c.red(), c.green(), c.blue())
        for c in (image.pixelColor(x, y) for x in range(44) for y in range(44))
        if c.alpha() > 0
    }
    assert colors == {(0, 0, 0)}  # only black: macOS tints it for the menu bar
    centre, ring = image.pixelColor(36, 34), image.pixelColor(36, 28)
    assert (centre.alpha() > 200) is (state == "recording")  # filled dot
    assert (ring.alpha() > 200) is (state != "idle")  # dot or ring


def test_poster_runs_calls_from_other_threads_on_the_gui_thread(qtbot) -> None:
    poster = GuiThreadPoster()
    seen: list[bool] = []
    done = threading.Event()
    main = threading.current_thread()

    def from_worker() -> None:
        poster.post(lambda: seen.append(threading.current_thread() is main))
        done.set()

    worker = threading.Thread(target=from_worker)
    worker.start()
    worker.join()
    assert done.is_set() and seen == []  # queued, not run on the worker
    qtbot.waitUntil(lambda: seen == [True], timeout=2000)


def test_poster_survives_a_failing_call(qtbot) -> None:
    poster = GuiThreadPoster()
    seen: list[int] = []

    def boom() -> None:
        raise RuntimeError("bug")

    poster.post(boom)
    poster.post(lambda: seen.append(1))
    qtbot.waitUntil(lambda: seen == [1], timeout=2000)


def test_qt_scheduler_runs_later_on_the_event_loop(qtbot) -> None:
    seen: list[str] = []
    qt_scheduler(0.01, lambda: seen.append("restored"))
    assert seen == []
    qtbot.waitUntil(lambda: seen == ["restored"], timeout=2000)


def test_app_icon_is_found_in_the_source_tree(qtbot) -> None:
    icon = app_icon()
    assert not icon.isNull()
    assert icon.pixmap(64, 64).width() == 64

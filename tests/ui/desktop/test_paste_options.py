"""Preferences → Advanced reach the paste path of the wired app: the clipboard restore delay
and "type instead of pasting"."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.ui.test_app import WAIT_MS, App


@pytest.fixture
def app(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("GRANITE_DICTATE_HOME", str(tmp_path / "home"))
    a = App(qtbot, tmp_path)
    yield a
    a.close()


def _dictate(app: App) -> None:
    app.hotkey.press()
    app.hotkey.release()
    app.qtbot.waitUntil(lambda: app.ctl.recording, timeout=WAIT_MS)
    app.hotkey.press()
    app.hotkey.release()
    app.qtbot.waitUntil(lambda: bool(app.injector.keystrokes), timeout=WAIT_MS)


def test_restore_delay_from_preferences(app: App) -> None:
    prefs = replace(app.window.prefs, global_hotkey="Alt+Space", clipboard_restore_s=2.5)
    app.window.apply_preferences(prefs)
    _dictate(app)
    assert app.injector.keystrokes[0][0] == "paste"
    assert [d for d, _ in app.injector.scheduler.pending] == [pytest.approx(2.5)]


def test_type_instead_of_paste(app: App) -> None:
    prefs = replace(app.window.prefs, global_hotkey="Alt+Space", type_instead_of_paste=True)
    app.window.apply_preferences(prefs)
    _dictate(app)
    kind, text = app.injector.keystrokes[0]
    assert kind == "type" and text
    assert app.injector.clipboard.content is None  # the clipboard was not touched

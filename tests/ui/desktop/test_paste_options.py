"""Preferences → Advanced reach the paste path of the wired app: the clipboard restore delay
and "type instead of pasting"."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.support.wired_app import App


def test_restore_delay_from_preferences(app: App) -> None:
    prefs = replace(app.window.prefs, global_hotkey="Alt+Space", clipboard_restore_s=2.5)
    app.window.apply_preferences(prefs)
    app.dictate_system_wide()
    assert app.injector.keystrokes[0][0] == "paste"
    assert [d for d, _ in app.injector.scheduler.pending] == [pytest.approx(2.5)]


def test_type_instead_of_paste(app: App) -> None:
    prefs = replace(app.window.prefs, global_hotkey="Alt+Space", type_instead_of_paste=True)
    app.window.apply_preferences(prefs)
    app.dictate_system_wide()
    kind, text = app.injector.keystrokes[0]
    assert kind == "type" and text
    assert app.injector.clipboard.content is None  # the clipboard was not touched

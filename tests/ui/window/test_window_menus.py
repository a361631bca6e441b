"""Reachable and standard: unique mnemonics in every menu of the wired app, the View menu shows
and hides every panel and the toolbar, Ctrl+PgUp/PgDn switch tabs, Open Recent, Help."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenu

from app.ui.window.window_menus import WindowMenus, shortcut_rows
from tests.support.wired_app import App


def _mnemonic(text: str) -> str | None:
    m = re.search(r"&([^&])", text)
    return m.group(1).lower() if m else None


def _check_menu(menu: QMenu, where: str) -> None:
    menu.aboutToShow.emit()
    seen: dict[str, str] = {}
    for action in menu.actions():
        if action.isSeparator():
            continue
        key = _mnemonic(action.text())
        assert key is not None, f"{where} › {action.text()!r} has no mnemonic"
        assert key not in seen, f"{where}: {action.text()!r} and {seen[key]!r} share Alt+{key}"
        seen[key] = action.text()
        sub = action.menu()
        if isinstance(sub, QMenu):
            _check_menu(sub, f"{where} › {action.text()}")


def test_every_menu_has_unique_mnemonics(app: App) -> None:
    bar = app.window.menuBar()
    tops = [a.text() for a in bar.actions()]
    assert len({_mnemonic(t) for t in tops}) == len(tops)
    for top in bar.actions():
        menu = top.menu()
        assert isinstance(menu, QMenu)
        _check_menu(menu, top.text())


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_view_menu_shows_and_hides_every_panel_and_the_toolbar(app: App) -> None:
    w = app.window
    w.actions_.view_menu.aboutToShow.emit()
    toggles = {a.text().replace("&", "") for a in w.actions_.view_menu.actions()}
    for dock in w.findChildren(QDockWidget):
        assert dock.toggleViewAction() in w.actions_.view_menu.actions(), dock.windowTitle()
    assert "Toolbar" in toggles
    toolbar = next(a for a in w.actions_.view_menu.actions() if a.text() == "&Toolbar")
    w.show()
    toolbar.trigger()
    assert w.toolbar.isHidden()
    toolbar.trigger()
    assert not w.toolbar.isHidden()


def test_ctrl_page_keys_switch_tabs_and_toolbar_buttons_take_tab_focus(app: App) -> None:
    from PySide6.QtCore import Qt

    w = app.window
    w.new_document()
    w.new_document()
    menus: WindowMenus = w.menus
    assert QKeySequence("Ctrl+PgDown") in menus.next_tab.shortcuts()
    assert QKeySequence("Ctrl+PgUp") in menus.previous_tab.shortcuts()
    w.tabs.setCurrentIndex(0)
    menus.previous_tab.trigger()
    assert w.tabs.currentIndex() == w.tabs.count() - 1
    menus.next_tab.trigger()
    assert w.tabs.currentIndex() == 0
    button = w.toolbar.widgetForAction(w.record_action)
    assert button.focusPolicy() & Qt.FocusPolicy.TabFocus


def test_open_recent_and_help_entries(app: App, tmp_path) -> None:
    w = app.window
    note = tmp_path / "note.txt"
    note.write_text("hello", encoding="utf-8")
    assert w.open_text_file(str(note)) is not None
    menus: WindowMenus = w.menus
    menus.fill_recent()
    entries = [a for a in menus.recent_menu.actions() if a.statusTip() == str(note)]
    assert entries and entries[0].text() == "&1 note.txt"
    before = w.tabs.count()
    entries[0].trigger()
    assert w.tabs.count() == before + 1
    text = menus.copy_diagnostics_text()
    assert QGuiApplication.clipboard().text() == text
    assert "Model: fake — ready" in text and "Permissions:" in text and "PySide6" in text
    opened: list[QUrl] = []

    def opener(url: QUrl) -> bool:
        opened.append(url)
        return True

    menus._open_url = opener
    menus.open_logs()
    assert opened and opened[0].toLocalFile().endswith("logs")
    assert ("Dictation › Record", "Ctrl+Shift+Space") in shortcut_rows(w)


def test_readme_and_menus_name_the_same_record_shortcut(app: App) -> None:
    from pathlib import Path

    from app.core.preferences import Preferences

    shown = app.window.record_action.shortcut().toString()
    assert shown == Preferences().record_shortcut
    readme = (Path(__file__).parents[3] / "README.md").read_text(encoding="utf-8")
    assert f"Record ({shown}" in readme

"""Menu entries beyond the basic ones: Ctrl+PgUp/PgDn between tabs, the toolbar in the View
menu, File → Open Recent, and Help → Keyboard Shortcuts, Open Logs Folder, Copy Diagnostics."""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.core.about.diagnostics import diagnostics_text
from app.core.errors import GraniteError
from app.core.mnemonics import unique_mnemonics
from app.core.storage import paths
from app.ui.window.api import WindowApi

UrlOpener = Callable[[QUrl], bool]


def _action(parent: QWidget, text: str, tip: str, slot: Callable[[], object]) -> QAction:
    action = QAction(text, parent)
    action.setStatusTip(tip)
    action.triggered.connect(lambda _checked=False: slot())
    return action


def shortcut_rows(window: WindowApi) -> list[tuple[str, str]]:
    """(menu › entry, shortcut) for every menu entry that has a shortcut."""
    rows: list[tuple[str, str]] = []

    def walk(menu: QMenu, trail: str) -> None:
        for action in menu.actions():
            sub = action.menu()
            name = action.text().replace("&", "")
            if isinstance(sub, QMenu):
                walk(sub, f"{trail} › {name}")
            elif not action.isSeparator() and not action.shortcut().isEmpty():
                keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
                rows.append((f"{trail} › {name}", keys))

    for top in window.menuBar().actions():
        menu = top.menu()
        if isinstance(menu, QMenu):
            walk(menu, top.text().replace("&", ""))
    return rows


class ShortcutsDialog(QDialog):
    def __init__(self, window: WindowApi) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard Shortcuts")
        rows = shortcut_rows(window)
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["Command", "Shortcut"])
        for i, (name, keys) in enumerate(rows):
            self.table.setItem(i, 0, QTableWidgetItem(name))
            self.table.setItem(i, 1, QTableWidgetItem(keys))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(520, 520)


def diagnostics(window: WindowApi) -> str:
    from app.ui.window.dialogs import input_device_names

    devices: list[str] | str
    try:
        devices = [label for label, _name in input_device_names()]
    except GraniteError as exc:
        devices = str(exc)
    permissions = window.desktop.permission_states() if window.desktop is not None else {}
    return diagnostics_text(
        __version__, window.prefs.model, str(window.model_state), devices, permissions
    )


def give_mnemonics(menu: QMenu) -> None:
    """Every entry of ``menu`` gets its own Alt+letter (entries added by other parts of the
    app, e.g. the panels' toggles, may come without one)."""
    actions = [a for a in menu.actions() if not a.isSeparator()]
    for action, text in zip(actions, unique_mnemonics([a.text() for a in actions]), strict=True):
        if action.text() != text:
            action.setText(text)


class WindowMenus:
    """Adds the entries to the menus it is given and keeps the Open Recent list current."""

    def __init__(
        self,
        window: WindowApi,
        file_menu: QMenu,
        view_menu: QMenu,
        help_menu: QMenu,
        toolbar: QToolBar,
        open_recent: Callable[[str], object],
        open_url: UrlOpener = QDesktopServices.openUrl,
    ) -> None:
        self.window, self._open_recent, self._open_url = window, open_recent, open_url
        tabs = window.tabs
        self.next_tab = _action(window, "Ne&xt Tab", "Show the next document", self._next)
        self.next_tab.setShortcuts([QKeySequence("Ctrl+PgDown")])
        self.previous_tab = _action(
            window, "Pre&vious Tab", "Show the previous document", self._previous
        )
        self.previous_tab.setShortcuts([QKeySequence("Ctrl+PgUp")])
        view_menu.addActions([self.next_tab, self.previous_tab])
        view_menu.addSeparator()
        toolbar_toggle = toolbar.toggleViewAction()
        toolbar_toggle.setText("&Toolbar")
        view_menu.addAction(toolbar_toggle)
        tabs.setUsesScrollButtons(True)
        self.recent_menu = QMenu("Open &Recent", window)
        self.recent_menu.aboutToShow.connect(self.fill_recent)
        file_menu.insertMenu(file_menu.actions()[3], self.recent_menu)
        self.shortcuts = _action(
            window, "&Keyboard Shortcuts", "Every shortcut", lambda: ShortcutsDialog(window).exec()
        )
        self.logs = _action(window, "Open &Logs Folder", "Show the log files", self.open_logs)
        self.copy_diagnostics = _action(
            window,
            "Copy &Diagnostics",
            "Versions, model, devices and permissions, for a bug report",
            self.copy_diagnostics_text,
        )
        help_menu.insertActions(
            help_menu.actions()[0] if help_menu.actions() else None,  # type: ignore[arg-type]
            [self.shortcuts, self.logs, self.copy_diagnostics],
        )

        for top in window.menuBar().actions():
            menu = top.menu()
            if isinstance(menu, QMenu):
                menu.aboutToShow.connect(lambda m=menu: give_mnemonics(m))

    def _next(self) -> None:
        tabs = self.window.tabs
        if tabs.count():
            tabs.setCurrentIndex((tabs.currentIndex() + 1) % tabs.count())

    def _previous(self) -> None:
        tabs = self.window.tabs
        if tabs.count():
            tabs.setCurrentIndex((tabs.currentIndex() - 1) % tabs.count())

    def fill_recent(self) -> None:
        self.recent_menu.clear()
        settings = self.window.settings
        recent = settings.recent_files() if settings is not None else []
        for n, path in enumerate(recent, start=1):
            action = self.recent_menu.addAction(f"&{n % 10} {os.path.basename(path)}")
            action.setStatusTip(path)
            action.triggered.connect(lambda _c=False, p=path: self._open_recent(p))
        if not recent:
            self.recent_menu.addAction("&No recent files").setEnabled(False)
        elif settings is not None:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("&Clear Menu", settings.clear_recent_files)

    def open_logs(self) -> None:
        if not self._open_url(QUrl.fromLocalFile(str(paths.log_dir()))):
            self.window.show_error(f"Could not open the logs folder {paths.log_dir()}.")

    def copy_diagnostics_text(self) -> str:
        text = diagnostics(self.window)
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(text)
        self.window.show_status("Diagnostics copied to the clipboard.")
        return text

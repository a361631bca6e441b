"""The app's life as a menu-bar app: closing the window (Cmd+W, the red button) only hides it,
so the menu-bar icon, the global shortcut and running jobs keep going; Quit quits, after
asking when a recording or a transcription is running; activating the app (a Dock click on
macOS) shows the hidden window again.

    life = AppLifecycle(window, busy=shell.busy_reasons, bring_to_front=shell.bring_to_front)
    life.quit()                       # File → Quit, the tray's Quit: asks, then quits

``hide_on_close`` (default: where a tray icon or the Dock can bring the window back) decides
whether closing hides; without it, closing the window quits as before. Hiding never touches
jobs: the window's close handler (which cancels file jobs) runs only when quitting.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

log = logging.getLogger(__name__)

#: confirm(parent, reasons) -> True to quit anyway
QuitConfirm = Callable[[QWidget, list[str]], bool]


def ask_quit(parent: QWidget, reasons: list[str]) -> bool:
    """Quit while work is running? One question listing what would stop."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Quit Granite Dictate?")
    box.setText("Quit Granite Dictate now?")
    box.setInformativeText("This stops: " + "; ".join(reasons) + ".")
    quit_button = box.addButton("Quit", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is quit_button


class AppLifecycle(QObject):
    def __init__(
        self,
        window: QWidget,
        *,
        busy: Callable[[], list[str]],
        bring_to_front: Callable[[], None],
        hide_on_close: bool,
        reopen_on_activate: bool | None = None,
        confirm: QuitConfirm = ask_quit,
        before_hide: Callable[[], None] = lambda: None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.busy = busy
        self.bring_to_front = bring_to_front
        self.confirm = confirm
        self.before_hide = before_hide
        self.reopen_on_activate = (
            sys.platform == "darwin" if reopen_on_activate is None else reopen_on_activate
        )
        self.quitting = False
        self._hide_on_close = False
        self.hide_on_close = hide_on_close
        window.installEventFilter(self)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.installEventFilter(self)
            app.applicationStateChanged.connect(self._on_app_state)

    @property
    def hide_on_close(self) -> bool:
        return self._hide_on_close

    @hide_on_close.setter
    def hide_on_close(self, on: bool) -> None:
        self._hide_on_close = on
        app = QApplication.instance()
        if isinstance(app, QApplication):
            # The tray keeps the app alive: the last window closing must not end it.
            app.setQuitOnLastWindowClosed(not on)

    def quit(self) -> bool:
        """Quit (asking first when work would stop); False when the user said no."""
        if self.quitting:
            return True
        reasons = self.busy()
        if reasons and not self.confirm(self.window, reasons):
            log.info("Quit cancelled (%s)", "; ".join(reasons))
            return False
        self.quitting = True
        log.info("Quitting%s", f" ({'; '.join(reasons)})" if reasons else "")
        self.window.close()  # the window's close handler: autosave, window state, jobs
        app = QApplication.instance()
        if app is not None:
            app.quit()
        return True

    def shutdown(self) -> None:
        """Stop watching (tests build many apps on one QApplication)."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.removeEventFilter(self)
            app.setQuitOnLastWindowClosed(True)
        self.window.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self.window and kind == QEvent.Type.Close:
            if self._hide_on_close and not self.quitting:
                self.before_hide()  # autosave and window state, as a close would
                self.window.hide()
                event.ignore()
                log.info("Window hidden; Granite Dictate keeps running in the menu bar")
                return True
        elif kind == QEvent.Type.Quit and watched is QApplication.instance():
            return self._system_quit(event)
        return False

    def _system_quit(self, event: QEvent) -> bool:
        """The system asks to quit (Dock menu, Cmd+Q from the app menu, logout): ask as Quit
        does; a "no" refuses the request."""
        if self.quitting or self.quit():
            return False
        event.ignore()
        return True

    @Slot(Qt.ApplicationState)
    def _on_app_state(self, state: Qt.ApplicationState) -> None:
        # Qt reports ApplicationActive again when the Dock icon of an active app is clicked.
        if state != Qt.ApplicationState.ApplicationActive or self.quitting:
            return
        if self.reopen_on_activate and not self.window.isVisible():
            self.bring_to_front()

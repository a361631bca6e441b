"""What the main window's parts (menus and actions, dialogs, toolbar and status pieces) call on
the window. They type against this base class, never against ``MainWindow`` itself, so nothing
in the window package imports the window back (no import cycles); ``MainWindow`` implements it."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMainWindow, QWidget

from app.core.preferences import Preferences
from app.ui.editor.document_tabs import DocumentTabs, DocumentView
from app.ui.settings.settings_store import SettingsStore
from app.workers.qt_engine import Bridge


class Desktop(Protocol):
    """The system integration the window's dialogs show (``app.ui.desktop.shell.AppShell``):
    launch at login, the global shortcut, permissions."""

    def login_enabled(self) -> bool | None: ...
    def hotkey_available(self) -> bool: ...
    def permissions_page(self) -> QWidget: ...
    def permission_states(self) -> dict[str, str]: ...


class WindowApi(QMainWindow):
    #: Preferences → "Delete all history": the composition root connects the history.
    historyDeleteAllRequested = Signal()

    prefs: Preferences
    settings: SettingsStore | None
    bridge: Bridge
    tabs: DocumentTabs
    load_job: int | None
    #: The model's state as the bridge last reported it (``ModelState`` values).
    model_state: str
    #: Set once by the composition root (the shell is made after the window, from it).
    desktop: Desktop | None = None

    def attach_desktop(self, desktop: Desktop) -> None:
        self.desktop = desktop

    # messages
    def show_error(self, message: str) -> None:
        raise NotImplementedError

    def show_status(self, message: str) -> None:
        raise NotImplementedError

    # documents
    def new_document(self) -> DocumentView:
        raise NotImplementedError

    def open_text_dialog(self) -> None:
        raise NotImplementedError

    def open_audio_dialog(self) -> None:
        raise NotImplementedError

    def save_document(self) -> None:
        raise NotImplementedError

    def save_document_as(self) -> None:
        raise NotImplementedError

    def export_dialog(self) -> None:
        raise NotImplementedError

    def close_current(self) -> None:
        raise NotImplementedError

    def retry_path(self, path: str) -> None:
        raise NotImplementedError

    def submit_paths(self, paths: list[str]) -> list[int]:
        raise NotImplementedError

    # editing and view
    def edit(self, operation: str) -> None:
        raise NotImplementedError

    def show_find(self) -> None:
        raise NotImplementedError

    def zoom_in(self) -> None:
        raise NotImplementedError

    def zoom_out(self) -> None:
        raise NotImplementedError

    def zoom_reset(self) -> None:
        raise NotImplementedError

    # application
    def request_quit(self) -> None:
        raise NotImplementedError

    def show_about(self) -> None:
        raise NotImplementedError

    def open_preferences(self) -> None:
        raise NotImplementedError

    def open_model_manager(self) -> None:
        raise NotImplementedError

    def use_model(self, spec: str) -> None:
        raise NotImplementedError

    def apply_preferences(self, prefs: Preferences) -> None:
        raise NotImplementedError

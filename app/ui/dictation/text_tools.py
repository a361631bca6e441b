"""Window glue for the dictation text tools: rules and spoken commands for each utterance,
Edit → Undo Last Dictation and Copy Last Dictation.

``context_provider(window)`` gives the controller what applies to an utterance of a task:
the active keyword list's replacement rules and, from Preferences, the spoken commands
(``app.core.text.postprocess.dictation_context``). ``install_text_tools(window, controller)``
adds the two actions to the Edit menu. Undo Last Dictation is Ctrl+Alt+Z (Cmd+Option+Z on a
Mac): it does not clash with Redo (Ctrl+Shift+Z / Ctrl+Y).
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from app.core.text.postprocess import TextContext, dictation_context
from app.core.transcript import TaskSpec
from app.ui.dictation.dictation_controller import ContextProvider, DictationController
from app.ui.window.main_window import MainWindow

UNDO_LAST_SHORTCUT = "Ctrl+Alt+Z"


def context_provider(window: MainWindow) -> ContextProvider:
    def provide(spec: TaskSpec) -> TextContext:
        prefs = window.prefs
        rules = window.keywords.active_rules()
        return dictation_context(spec, rules, prefs.spoken_commands, prefs.spoken_command_lines)

    return provide


def _edit_menu(window: QMainWindow) -> QMenu | None:
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and action.text().replace("&", "") == "Edit":
            return menu
    return None


def copy_last(controller: DictationController) -> bool:
    text = controller.last.text
    clipboard = QGuiApplication.clipboard()
    if not text or clipboard is None:
        return False
    clipboard.setText(text)
    return True


def install_text_tools(window: QMainWindow, controller: DictationController) -> list[QAction]:
    """Edit → Undo Last Dictation / Copy Last Dictation; returns the two actions."""
    undo = QAction("Undo &Last Dictation", window)
    undo.setShortcut(QKeySequence(UNDO_LAST_SHORTCUT))
    undo.setStatusTip("Remove the last dictated text if it is unchanged")
    copy = QAction("Cop&y Last Dictation", window)
    copy.setStatusTip("Copy the last dictated text to the clipboard")

    def on_undo() -> None:
        if not controller.undo_last():
            window.statusBar().showMessage("No unchanged dictation to undo.", 4000)

    def on_copy() -> None:
        if not copy_last(controller):
            window.statusBar().showMessage("Nothing dictated yet.", 4000)

    undo.triggered.connect(on_undo)
    copy.triggered.connect(on_copy)
    menu = _edit_menu(window)
    if menu is not None:
        menu.addSeparator()
        menu.addActions([undo, copy])
    else:
        window.addActions([undo, copy])
    return [undo, copy]

"""Menus, shortcuts and the toolbar's actions, wired to slots of the main window.

Shortcuts follow platform conventions (``QKeySequence.StandardKey``) where Qt has one; every
menu entry has a mnemonic so the whole app is usable from the keyboard.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from app.ui.window.api import WindowApi

Std = QKeySequence.StandardKey
DEFAULT_RECORD_SHORTCUT = "Ctrl+R"


def _keys(*keys: Std | str) -> list[QKeySequence]:
    out: list[QKeySequence] = []
    for key in keys:
        seqs = QKeySequence.keyBindings(key) if isinstance(key, Std) else [QKeySequence(key)]
        out += [s for s in seqs if not s.isEmpty() and s not in out]
    return out


class WindowActions:
    """Creates every ``QAction`` of the window and its menu bar."""

    def __init__(self, window: WindowApi, record_shortcut: str = "") -> None:
        self.window = window
        w = window
        self.new = self._make("&New", "Create a new document", w.new_document, Std.New)
        self.open = self._make("&Open…", "Open a text file", w.open_text_dialog, Std.Open)
        self.open_audio = self._make(
            "Open Au&dio…", "Transcribe audio or video files", w.open_audio_dialog, "Ctrl+Shift+O"
        )
        self.save = self._make("&Save", "Save the document", w.save_document, Std.Save)
        self.save_as = self._make(
            "Save &As…", "Save under a new name", w.save_document_as, Std.SaveAs, "Ctrl+Shift+S"
        )
        self.export = self._make(
            "&Export…", "Export as txt, md, srt, vtt or json", w.export_dialog, "Ctrl+E"
        )
        self.close_tab = self._make("&Close Tab", "Close this document", w.close_current, Std.Close)
        self.quit = self._make("&Quit", "Quit Granite Dictate", w.request_quit, Std.Quit, "Ctrl+Q")
        self.undo = self._make("&Undo", "Undo", lambda: w.edit("undo"), Std.Undo)
        self.redo = self._make("&Redo", "Redo", lambda: w.edit("redo"), Std.Redo)
        self.cut = self._make("Cu&t", "Cut", lambda: w.edit("cut"), Std.Cut)
        self.copy = self._make("&Copy", "Copy", lambda: w.edit("copy"), Std.Copy)
        self.paste = self._make("&Paste", "Paste", lambda: w.edit("paste"), Std.Paste)
        self.select_all = self._make(
            "Select &All", "Select all text", lambda: w.edit("selectAll"), Std.SelectAll
        )
        self.find = self._make("&Find…", "Find in the document", w.show_find, Std.Find)
        self.preferences = self._make(
            "Pr&eferences…", "Open preferences", w.open_preferences, Std.Preferences, "Ctrl+,"
        )
        self.zoom_in = self._make("Zoom &In", "Larger text", w.zoom_in, Std.ZoomIn, "Ctrl+=")
        self.zoom_out = self._make("Zoom &Out", "Smaller text", w.zoom_out, Std.ZoomOut)
        self.zoom_reset = self._make("&Reset Zoom", "Normal text size", w.zoom_reset, "Ctrl+0")
        self.record = self._make(
            "&Record",
            "Start or stop dictation",
            None,
            record_shortcut or DEFAULT_RECORD_SHORTCUT,
            DEFAULT_RECORD_SHORTCUT,
        )
        self.record.setCheckable(True)
        self.model_manager = self._make(
            "&Model…", "Download or choose the speech model", w.open_model_manager
        )
        self.about = self._make(
            "&About Granite Dictate", "Version, license and third-party notices", w.show_about
        )
        self.about.setMenuRole(QAction.MenuRole.AboutRole)  # the app menu on macOS
        self._build_menus()

    def _make(
        self,
        text: str,
        tip: str,
        slot: Callable[[], object] | None,
        *keys: Std | str,
    ) -> QAction:
        action = QAction(text, self.window)
        action.setStatusTip(tip)
        action.setToolTip(tip)
        shortcuts = _keys(*keys)
        if shortcuts:
            action.setShortcuts(shortcuts)
            action.setToolTip(
                f"{tip} ({shortcuts[0].toString(QKeySequence.SequenceFormat.NativeText)})"
            )
        if slot is not None:
            action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_menus(self) -> None:
        bar = self.window.menuBar()
        self.file_menu: QMenu = bar.addMenu("&File")
        file_menu = self.file_menu
        file_menu.addActions([self.new, self.open, self.open_audio])
        file_menu.addSeparator()
        file_menu.addActions([self.save, self.save_as, self.export])
        file_menu.addSeparator()
        file_menu.addActions([self.close_tab, self.quit])
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.undo, self.redo])
        edit_menu.addSeparator()
        edit_menu.addActions([self.cut, self.copy, self.paste, self.select_all])
        edit_menu.addSeparator()
        edit_menu.addActions([self.find, self.preferences])
        self.view_menu: QMenu = bar.addMenu("&View")
        self.view_menu.addActions([self.zoom_in, self.zoom_out, self.zoom_reset])
        self.view_menu.addSeparator()
        dictation = bar.addMenu("&Dictation")
        dictation.addActions([self.record, self.model_manager])
        self.help_menu: QMenu = bar.addMenu("&Help")
        self.help_menu.addAction(self.about)

    def set_record_shortcut(self, shortcut: str) -> None:
        """Preferences changed the Record shortcut ("" for the default)."""
        self.record.setShortcuts(
            _keys(shortcut or DEFAULT_RECORD_SHORTCUT, DEFAULT_RECORD_SHORTCUT)
        )

    def needs_model(self) -> list[QAction]:
        """Actions disabled until the model is ready."""
        return [self.record]

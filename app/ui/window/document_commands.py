"""The main window's commands on documents: new, open (and Open Recent), save, export, close,
the Edit/View menu actions on the current pane, and which pane dictation writes into.
``MainWindow`` inherits them; the file formats and dialogs are in ``app.ui.window.dialogs`` and
``app.core.text``."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import Slot

from app.core.storage.autosave_store import AutosaveStore
from app.core.text.document import Document
from app.core.text.titles import dictation_title
from app.core.transcript import TaskSpec
from app.ui.editor.document_tabs import DocumentView
from app.ui.editor.transcript_pane import TranscriptPane
from app.ui.window import dialogs
from app.ui.window.api import WindowApi
from app.ui.window.file_jobs import FileJobs


class DocumentCommands(WindowApi):
    #: Asked before closing a tab with unsaved text (``dialogs.ask_discard``; tests replace it).
    ask_discard: Callable[[WindowApi, DocumentView], bool]
    jobs: FileJobs

    def current_view(self) -> DocumentView:
        view = self.tabs.current_view()
        return view if view is not None else self.new_document()

    def current_pane(self) -> TranscriptPane:
        return self.current_view().current_pane()

    def dictation_panes(self, specs: Sequence[TaskSpec]) -> list[TranscriptPane]:
        """Panes for live output (one per spec), at the cursor of the current document whatever
        its origin (typed, opened, transcribed). A new tab only when the current one cannot
        take it (read-only, a file still being transcribed into it, other outputs), and the
        status bar says why; text never goes silently into a pane the cursor is not in."""
        view = self.current_view()
        focused = view.current_pane()
        why = ""
        if any(p.editor.isReadOnly() for p in view.panes):
            why = f"“{view.title}” is read-only"
        elif self.jobs.writing_into(view):
            why = f"“{view.title}” is still being transcribed"
        panes = None if why else view.ensure_outputs(specs)
        if panes is None:
            why = why or f"“{view.title}” holds other outputs"
            view = self.new_document()
            panes = view.ensure_outputs(specs)
            self.show_status(f"Dictating into a new tab: {why}.")
        elif focused not in panes:
            self.show_status(f"Dictating into the {panes[0].label} column, not {focused.label}.")
        if view.title == "Untitled" and not view.path and view.is_empty():
            view.set_title(dictation_title(datetime.now()))
        assert panes is not None
        return panes

    def restore_documents(self, store: AutosaveStore) -> None:
        """Reopen the documents autosaved in the last session (a new one if there were none)."""
        docs, problems = store.load_all()
        for doc in docs:
            self.tabs.open_document(doc)
        for problem in problems:
            self.show_error(problem)
        if not docs:
            self.new_document()
        else:
            self.show_status(f"Restored {len(docs)} document(s) from the last session.")

    def new_document(self) -> DocumentView:
        view = self.tabs.open_document(Document())
        view.panes[0].editor.setFocus()
        return view

    def open_text_file(self, path: str) -> DocumentView | None:
        view = dialogs.open_text_file(self, path)
        if view is not None:
            self.remember(path)
        return view

    def open_recent(self, path: str) -> None:
        """File → Open Recent: a text file opens, an audio or video file is transcribed."""
        from app.audio.files.decode import is_supported

        if is_supported(path):
            self.submit_paths([path])
        else:
            self.open_text_file(path)

    def remember(self, path: str) -> None:
        """Add ``path`` to File → Open Recent."""
        if self.settings is not None:
            self.settings.add_recent_file(os.path.abspath(path))

    def save_to(self, path: str, view: DocumentView | None = None) -> bool:
        return dialogs.save_to(self, path, view or self.current_view())

    def export_to(self, path: str, fmt: str, pane: TranscriptPane | None = None) -> bool:
        view = self.current_view()
        return dialogs.export_to(self, path, fmt, pane or view.current_pane(), view)

    @Slot()
    def open_text_dialog(self) -> None:
        for path in dialogs.ask_open_text(self):
            self.open_text_file(path)

    @Slot()
    def open_audio_dialog(self) -> None:
        paths = dialogs.ask_open_audio(self)
        if paths:
            self.submit_paths(paths)

    @Slot()
    def save_document(self) -> None:
        view = self.current_view()
        if view.path and view.path.endswith((".txt", ".md")):
            self.save_to(view.path, view)
        else:
            self.save_document_as()

    @Slot()
    def save_document_as(self) -> None:
        view = self.current_view()
        path = dialogs.ask_save_text(self, view)
        if path:
            self.save_to(path, view)

    @Slot()
    def export_dialog(self) -> None:
        view = self.current_view()
        pane = view.current_pane()
        choice = dialogs.ask_export(self, view, pane)
        if choice:
            self.export_to(choice[0], choice[1], pane)

    def close_current(self) -> None:
        view = self.tabs.current_view()
        if view is not None:
            self.tabs.request_close(view)

    def can_close(self, view: DocumentView) -> bool:
        """Closing ``view`` loses nothing, or the user agreed to discard its changes."""
        if not view.modified or view.is_empty():
            return True
        return bool(self.ask_discard(self, view))

    def edit(self, operation: str) -> None:
        getattr(self.current_pane().editor, operation)()

    @Slot()
    def show_find(self) -> None:
        self.current_pane().show_find()

    @Slot()
    def zoom_in(self) -> None:
        self.current_pane().zoom_in()

    @Slot()
    def zoom_out(self) -> None:
        self.current_pane().zoom_out()

    @Slot()
    def zoom_reset(self) -> None:
        self.current_pane().zoom_reset()

    def panes(self) -> list[TranscriptPane]:
        """Every pane of every open document."""
        return [p for v in self.tabs.views() for p in v.panes]

    def document_names(self) -> list[str]:
        """The open documents' titles (file names without their folder)."""
        return [os.path.basename(v.title) for v in self.tabs.views()]

"""The main window: tabs of transcripts in the centre, keywords and the file queue on the right,

Size: over 300 lines: the window is the hub its parts call back into (``WindowApi``);
menus, dialogs, toolbar pieces, file jobs and autosave live beside it in this package.
Record / task / language / model state in the toolbar, progress and messages in the status bar.

It only lays out and wires; document logic is in ``app.core.text.document``, autosave files in
``app.core.storage.autosave_store``, file jobs in ``app.ui.window.file_jobs``, menus in
``app.ui.window.actions``.

For live dictation: ``record_action`` (checkable, disabled until the model is ready),
``current_specs()``, ``dictation_panes(specs)`` and the panes' partial API.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDragLeaveEvent, QDropEvent
from PySide6.QtWidgets import QBoxLayout, QDockWidget, QWidget

from app.audio.output import SoundDeviceOutput
from app.core.chunking.segmentation import SegmentationConfig, user_chunk_config
from app.core.errors import GraniteError
from app.core.preferences import Preferences
from app.core.storage.autosave_store import AutosaveStore
from app.core.storage.pending_jobs import PendingStore
from app.core.tasks import plan_specs
from app.core.text.document import Document, collect_sources
from app.core.text.rules import Rule
from app.core.text.titles import dictation_title, window_title
from app.core.transcript import Task, TaskSpec
from app.ui.editor.document_tabs import DocumentTabs, DocumentView
from app.ui.editor.player import Player
from app.ui.editor.player_bar import PlayerBar
from app.ui.editor.transcript_pane import TranscriptPane
from app.ui.settings.settings_store import SettingsStore
from app.ui.window import dialogs, window_parts
from app.ui.window.actions import WindowActions
from app.ui.window.api import WindowApi
from app.ui.window.autosave import AutosaveController
from app.ui.window.file_jobs import FileJobs
from app.ui.window.unfinished import Resumer
from app.ui.window.window_menus import WindowMenus
from app.workers.qt_engine import Bridge

log = logging.getLogger(__name__)

MODEL_STATE_TEXT = {
    "idle": "Model: not loaded",
    "loading": "Model: loading…",
    "downloading": "Model: downloading…",
    "ready": "Model: ready",
    "error": "Model: error",
    "missing": "Model: not installed",
}


#: The documents area while files are dragged over the window.
DROP_STYLE = "DocumentTabs::pane { border: 2px dashed palette(highlight); }"

NO_MODEL = "No speech model is loaded: download one or choose a folder in Dictation → Model…"


class MainWindow(WindowApi):
    #: After ``apply_preferences`` (the new ``Preferences``): dictation and the app shell listen.
    preferencesApplied = Signal(object)
    #: File → Quit: the composition root connects the app shell's quit (which asks first if
    #: work is running) or, without a shell, ``close``.
    quitRequested = Signal()

    def __init__(
        self,
        bridge: Bridge,
        prefs: Preferences | None = None,
        *,
        autosave_store: AutosaveStore | None = None,
        settings: SettingsStore | None = None,
        player: Player | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """Size: the window's layout and wiring in the order Qt builds it."""
        super().__init__(parent)
        self.bridge = bridge
        self.prefs = prefs or Preferences()
        self.settings = settings
        self.model_state = "idle"
        self.load_job: int | None = None
        self.setWindowTitle("Granite Dictate")
        self.setAccessibleName("Granite Dictate")
        self.setAcceptDrops(True)
        self.resize(1200, 760)

        self.tabs = DocumentTabs(self)
        self.tabs.set_insertion_mode(self.prefs.insertion_mode)
        self.tabs.set_text_font(self.prefs.font_family, self.prefs.font_size)
        self.banner = window_parts.Banner(self)
        self.setCentralWidget(window_parts.stack(self, self.banner, self.tabs))
        self.actions_ = WindowActions(self, self.prefs.record_shortcut)
        self.record_action = self.actions_.record
        self.toolbar = window_parts.Toolbar(self, self.actions_, self.prefs)
        self.addToolBar(self.toolbar)
        self.status = window_parts.StatusArea(self)
        self.menus = WindowMenus(
            self,
            self.actions_.file_menu,
            self.actions_.view_menu,
            self.actions_.help_menu,
            self.toolbar,
            self.open_recent,
        )

        self.keywords = window_parts.keyword_sidebar(settings, self)
        self.keyword_dock = self._dock("Keywords", self.keywords, "keywords")
        store = autosave_store or AutosaveStore(window_parts.autosave_folder(self.prefs))
        pending = PendingStore(store.folder)
        self.jobs = FileJobs(bridge, self.tabs, self._seg_cfg, self, self._file_rules, pending)
        self.queue = window_parts.QueueArea(self.jobs, self)
        self.queue_dock = self._dock("Queue", self.queue.widget, "queue")
        docks = [self.keyword_dock, self.queue_dock]
        self.resizeDocks(docks, [300, 300], Qt.Orientation.Horizontal)
        self.resizeDocks(docks, [330, 300], Qt.Orientation.Vertical)

        self.autosave = AutosaveController(store, parent=self)
        self.autosave.failed.connect(self.show_error)
        self.tabs.documentChanged.connect(self.autosave.mark_dirty)
        self.tabs.documentClosed.connect(self.autosave.forget)
        self.tabs.documentClosed.connect(self.jobs.forget_view)
        self.tabs.can_close = self._can_close
        #: Asked before closing a tab with unsaved text; tests replace it.
        self.ask_discard: Callable[[MainWindow, DocumentView], bool] = dialogs.ask_discard
        self.tabs.filesDropped.connect(self.submit_paths)
        self.tabs.keywordRequested.connect(self.add_keyword)
        self.jobs.jobFailed.connect(self._on_job_failed)
        self.jobs.jobProgress.connect(self._on_job_progress)
        self.jobs.jobDone.connect(self._on_job_done)
        self.jobs.jobCancelled.connect(self._on_job_stopped)

        bridge.modelStateChanged.connect(self._on_model_state)
        bridge.downloadProgress.connect(self._on_download)
        self._on_model_state("idle", "")
        self._restore()
        #: Plays a file transcript's source from a clicked time (the player bar below the tabs).
        self.player = player or Player(SoundDeviceOutput(), parent=self)
        self.player_bar = PlayerBar(self.player, self)
        self.player_bar.hide()
        self.add_below_documents(self.player_bar)
        self.tabs.playRequested.connect(self.play_source)
        self.player.positionChanged.connect(self._on_play_position)
        self.player.failed.connect(self.show_error)
        self.tabs.currentChanged.connect(self._update_title)
        self.tabs.documentChanged.connect(self._update_title)
        self._update_title()
        self.resumer = Resumer(self.jobs, self.tabs, pending, self.show_status, self.show_error)
        bridge.modelStateChanged.connect(self.resumer.on_model_state)

    def _dock(self, title: str, widget: QWidget, name: str) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"{name}_dock")
        dock.setAccessibleName(f"{title} panel")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
        )
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.actions_.view_menu.addAction(dock.toggleViewAction())
        return dock

    def _seg_cfg(self) -> SegmentationConfig:
        return user_chunk_config(self.prefs.max_chunk_s)

    def _restore(self) -> None:
        docs, problems = self.autosave.store.load_all()
        for doc in docs:
            self.tabs.open_document(doc)
        for problem in problems:
            self.show_error(problem)
        if not docs:
            self.new_document()
        else:
            self.status.message(f"Restored {len(docs)} document(s) from the last session.")

    # --- public API -----------------------------------------------------------------------

    def current_view(self) -> DocumentView:
        view = self.tabs.current_view()
        return view if view is not None else self.new_document()

    def current_pane(self) -> TranscriptPane:
        return self.current_view().current_pane()

    def _file_rules(self) -> tuple[Rule, ...]:
        """The active keyword list's replacement rules, if chosen for file transcripts too."""
        return self.keywords.active_rules() if self.prefs.rules_on_files else ()

    def current_specs(self) -> list[TaskSpec]:
        """What the toolbar asks for: the transcript, plus translations when Translate is on."""
        task, target = self.toolbar.task()
        return plan_specs(
            task,
            self.toolbar.spoken_language(),
            target,
            self.prefs.extra_translation_targets if task is Task.TRANSLATE else (),
            self.keywords.active_keywords(),
        )

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

    @Slot(str)
    def show_error(self, message: str) -> None:
        log.info("Shown error: %s", message)
        self.banner.show_message(message)

    @Slot(str)
    def show_capture_notice(self, message: str) -> None:
        """A microphone warning that is withdrawn when it stops being true."""
        self.banner.show_message(message, "capture")

    @Slot()
    def clear_capture_notice(self) -> None:
        self.banner.clear_if("capture")

    def show_status(self, message: str) -> None:
        self.status.message(message)

    @Slot(list)
    def submit_paths(self, paths: list[str]) -> list[int]:
        from app.audio.files.decode import is_supported

        accepted, refused = collect_sources(paths, is_supported)
        if refused:
            self.show_error(" ".join(refused))
        if not accepted:
            return []
        if self.model_state in ("error", "missing"):
            self.show_error(NO_MODEL)
            return []
        try:
            specs = self.current_specs()
        except GraniteError as exc:
            self.show_error(str(exc))
            return []
        ids = [self.jobs.submit(path, specs) for path in accepted]
        for path in accepted:
            self._remember(path)
        self.status.message(f"Queued {len(ids)} file(s).")
        self.queue_dock.show()
        return ids

    @Slot(str)
    def add_keyword(self, word: str) -> None:
        """Add a word from a transcript's context menu to the active keyword list."""
        if self.keywords.add_keyword(word):
            self.show_status(f"Added “{word}” to the keywords.")
            self.keyword_dock.show()

    @Slot(str)
    def retry_path(self, path: str) -> None:
        self.submit_paths([path])

    # --- documents ------------------------------------------------------------------------

    def new_document(self) -> DocumentView:
        view = self.tabs.open_document(Document())
        view.panes[0].editor.setFocus()
        return view

    def open_text_file(self, path: str) -> DocumentView | None:
        view = dialogs.open_text_file(self, path)
        if view is not None:
            self._remember(path)
        return view

    def open_recent(self, path: str) -> None:
        """File → Open Recent: a text file opens, an audio or video file is transcribed."""
        from app.audio.files.decode import is_supported

        if is_supported(path):
            self.submit_paths([path])
        else:
            self.open_text_file(path)

    def _remember(self, path: str) -> None:
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

    @Slot()
    def show_about(self) -> None:
        """Help → About: version, license, third-party notices."""
        from app.ui.window.about import show_about

        show_about(self, f"{self.prefs.model} — {self.model_state}")

    def request_quit(self) -> None:
        """File → Quit (see ``quitRequested``)."""
        self.quitRequested.emit()

    def close_current(self) -> None:
        view = self.tabs.current_view()
        if view is not None:
            self.tabs.request_close(view)

    def _can_close(self, view: DocumentView) -> bool:
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

    @Slot()
    def open_preferences(self) -> None:
        dialogs.open_preferences(self)

    @Slot()
    def open_model_manager(self) -> None:
        dialogs.open_model_manager(self)

    def use_model(self, spec: str) -> None:
        """Load ``spec`` in the background (the bridge reports the state)."""
        from dataclasses import replace

        self.prefs = replace(self.prefs, model=spec)
        if self.settings is not None:
            self.settings.save_preferences(self.prefs)
        self.load_job = self.bridge.load_model(spec)

    def apply_preferences(self, prefs: Preferences) -> None:
        old, self.prefs = self.prefs, prefs
        self.tabs.set_insertion_mode(prefs.insertion_mode)
        self.tabs.set_text_font(prefs.font_family, prefs.font_size)
        if prefs.record_shortcut != old.record_shortcut:
            from app.ui.window.actions import DEFAULT_RECORD_SHORTCUT, _keys

            keys = _keys(prefs.record_shortcut or DEFAULT_RECORD_SHORTCUT, DEFAULT_RECORD_SHORTCUT)
            self.record_action.setShortcuts(keys)
        self.preferencesApplied.emit(prefs)

    # --- bridge signals -------------------------------------------------------------------

    @Slot(str, str)
    def _on_model_state(self, state: str, message: str) -> None:
        self.model_state = state
        self.toolbar.set_model_state(MODEL_STATE_TEXT.get(state, state), message)
        ready = state == "ready"
        why = {
            "idle": "The speech model is not loaded yet.",
            "loading": "Waiting for the speech model to load…",
            "downloading": "Waiting for the speech model to download…",
        }.get(state, message or "The speech model is not available.")
        for action in self.actions_.needs_model():
            action.setEnabled(ready)
            tip = action.statusTip()
            action.setToolTip(tip if ready else f"{tip} — {why}")
        usable = state not in ("error", "missing")
        self.actions_.open_audio.setEnabled(usable)
        tip = self.actions_.open_audio.statusTip()
        self.actions_.open_audio.setToolTip(tip if usable else f"{tip} — {why}")
        if state in ("error", "missing") and message:
            self.banner.show_message(message, "model")
        elif ready:
            self.banner.clear_if("model")
            self.status.message("The speech model is ready.")

    @Slot(object, object)
    def _on_download(self, done: int, total: int) -> None:
        self.status.progress(done, total, "Downloading the model")

    @Slot(int, float, float)
    def _on_job_progress(self, job_id: int, done: float, total: float) -> None:
        job = self.jobs.jobs.get(job_id)
        self.status.progress(done, total, f"Transcribing {job.name}" if job else "Transcribing")

    @Slot(int, str)
    def _on_job_failed(self, _job_id: int, message: str) -> None:
        self.status.progress(1, 1, "")
        self.statusBar().clearMessage()
        self.show_error(message)

    @Slot(int)
    def _on_job_stopped(self, _job_id: int) -> None:
        """Cancelled: no stale "Transcribing x.wav 56 %" stays behind."""
        self.status.progress(1, 1, "")
        self.statusBar().clearMessage()
        if not self.jobs.active():
            self.status.message("Cancelled.")

    @Slot(int)
    def _on_job_done(self, _job_id: int) -> None:
        if not self.jobs.active():
            self.status.progress(1, 1, "")
            self.status.message("All files transcribed.")

    # --- window events --------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
            self.tabs.setStyleSheet(DROP_STYLE)  # the documents area is where files go

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.tabs.setStyleSheet("")
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self.tabs.setStyleSheet("")
        urls = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        event.acceptProposedAction()
        self.submit_paths(urls)

    @Slot(str, float)
    def play_source(self, path: str, seconds: float) -> None:
        """Play a transcript's source audio from ``seconds`` (a time clicked in the gutter)."""
        self.player_bar.show()
        self.player.play_from(path, seconds)

    @Slot(float, float)
    def _on_play_position(self, seconds: float, _duration: float) -> None:
        for view in self.tabs.views():
            if view.source and view.source == self.player.path:
                for pane in view.panes:
                    pane.highlight_time(seconds)

    def add_below_documents(self, widget: QWidget) -> None:
        centre = self.centralWidget()
        layout = centre.layout() if centre is not None else None
        if isinstance(layout, QBoxLayout):
            layout.addWidget(widget)

    def add_above_documents(self, widget: QWidget) -> None:
        """Show ``widget`` between the error banner and the tabs (the "Listening…" strip)."""
        centre = self.centralWidget()
        layout = centre.layout() if centre is not None else None
        if isinstance(layout, QBoxLayout):
            layout.insertWidget(layout.indexOf(self.tabs), widget)

    @Slot()
    def _update_title(self) -> None:
        """The window title names the current document; "*" marks unsaved changes."""
        view = self.tabs.current_view()
        self.setWindowTitle(window_title(view.title if view is not None else None))
        self.setWindowModified(view is not None and view.modified)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.jobs.shutdown()  # stopped, but still listed: they resume at the next start
        self.autosave.flush()
        window_parts.save_window_state(self)
        super().closeEvent(event)

    def panes(self) -> list[TranscriptPane]:
        return [p for v in self.tabs.views() for p in v.panes]

    def document_names(self) -> list[str]:
        return [os.path.basename(v.title) for v in self.tabs.views()]

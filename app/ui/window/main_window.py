"""The main window: tabs of transcripts in the centre, keywords and the file queue on the right,
record / task / language / model state in the toolbar, progress and messages in the status bar.

It only lays out and wires; the commands on documents are in ``document_commands`` (inherited),
the status bar's feed in ``status_feed``, document logic in ``app.core.text.document``, autosave
files in ``app.core.storage.autosave_store``, file jobs in ``file_jobs``, menus in ``actions``.

For live dictation: ``record_action`` (checkable, disabled until the model is ready),
``current_specs()``, ``dictation_panes(specs)`` and the panes' partial API.
"""

from __future__ import annotations

import logging

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
from app.core.text.document import collect_sources
from app.core.text.rules import Rule
from app.core.text.titles import window_title
from app.core.transcript import Task, TaskSpec
from app.ui.editor.document_tabs import DocumentTabs
from app.ui.editor.player import Player
from app.ui.editor.player_bar import PlayerBar
from app.ui.settings.settings_store import SettingsStore
from app.ui.window import dialogs, window_parts
from app.ui.window.actions import WindowActions
from app.ui.window.autosave import AutosaveController
from app.ui.window.document_commands import DocumentCommands
from app.ui.window.file_jobs import FileJobs
from app.ui.window.status_feed import StatusFeed
from app.ui.window.unfinished import Resumer
from app.ui.window.window_menus import WindowMenus
from app.workers.qt_engine import Bridge

log = logging.getLogger(__name__)

#: The documents area while files are dragged over the window.
DROP_STYLE = "DocumentTabs::pane { border: 2px dashed palette(highlight); }"

NO_MODEL = "No speech model is loaded: download one or choose a folder in Dictation → Model…"


class MainWindow(DocumentCommands):
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

        store = autosave_store or AutosaveStore(window_parts.autosave_folder(self.prefs))
        pending = PendingStore(store.folder)
        self._build_side(settings, bridge, pending)
        self.autosave = AutosaveController(store, parent=self)
        self.autosave.failed.connect(self.show_error)
        self.tabs.documentChanged.connect(self.autosave.mark_dirty)
        self.tabs.documentClosed.connect(self.autosave.forget)
        self.tabs.documentClosed.connect(self.jobs.forget_view)
        self.tabs.can_close = self.can_close
        self.ask_discard = dialogs.ask_discard
        self.tabs.filesDropped.connect(self.submit_paths)
        self.tabs.keywordRequested.connect(self.add_keyword)
        parts = (self.toolbar, self.banner, self.status)
        self.feed = StatusFeed(self, parts, self.actions_, self.jobs, bridge)

        bridge.modelStateChanged.connect(self._on_model_state)
        self._on_model_state("idle", "")
        self.restore_documents(store)
        self._build_player(player)
        self.tabs.currentChanged.connect(self._update_title)
        self.tabs.documentChanged.connect(self._update_title)
        self._update_title()
        self.resumer = Resumer(self.jobs, self.tabs, pending, self.show_status, self.show_error)
        bridge.modelStateChanged.connect(self.resumer.on_model_state)

    def _build_side(
        self, settings: SettingsStore | None, bridge: Bridge, pending: PendingStore
    ) -> None:
        """The keywords and the file queue, docked on the right."""
        self.keywords = window_parts.keyword_sidebar(settings, self)
        self.keyword_dock = self._dock("Keywords", self.keywords, "keywords")
        self.jobs = FileJobs(bridge, self.tabs, self._seg_cfg, self, self._file_rules, pending)
        self.queue = window_parts.QueueArea(self.jobs, self)
        self.queue_dock = self._dock("Queue", self.queue.widget, "queue")
        docks = [self.keyword_dock, self.queue_dock]
        self.resizeDocks(docks, [300, 300], Qt.Orientation.Horizontal)
        self.resizeDocks(docks, [330, 300], Qt.Orientation.Vertical)

    def _build_player(self, player: Player | None) -> None:
        """Plays a file transcript's source from a clicked time (the player bar below the tabs)."""
        self.player = player or Player(SoundDeviceOutput(), parent=self)
        self.player_bar = PlayerBar(self.player, self.tabs, self)
        self.player_bar.hide()
        self.add_below_documents(self.player_bar)
        self.player.failed.connect(self.show_error)

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

    # --- public API -----------------------------------------------------------------------

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
            self.remember(path)
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

    @Slot()
    def show_about(self) -> None:
        """Help → About: version, license, third-party notices."""
        from app.ui.window.about import show_about

        show_about(self, f"{self.prefs.model} — {self.model_state}")

    def request_quit(self) -> None:
        """File → Quit (see ``quitRequested``)."""
        self.quitRequested.emit()

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
            self.actions_.set_record_shortcut(prefs.record_shortcut)
        self.preferencesApplied.emit(prefs)

    # --- bridge signals -------------------------------------------------------------------

    @Slot(str, str)
    def _on_model_state(self, state: str, message: str) -> None:
        self.model_state = state
        self.feed.show_model_state(state, message)

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

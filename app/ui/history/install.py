"""Wire the history into the window: the history thread, the recorder on the bridge's result
path, the History dock (Ctrl+Shift+F), retention from Preferences, and its actions (open in a
tab at the matching segment, export, play the recording)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QTextCursor
from PySide6.QtWidgets import QFileDialog

from app.core.errors import GraniteError
from app.core.history import retention
from app.core.history.record import default_path
from app.core.history.service import HistoryService
from app.core.history.store import DICTATION, HistoryStore
from app.core.storage import recordings
from app.core.text.commands import CommandSet
from app.core.text.document import Document, OutputText, Run
from app.core.text.export import FORMATS, choose_format, write_result
from app.core.text.postprocess import command_set
from app.core.text.rules import Rule
from app.core.transcript import Segment, Task, TaskSpec
from app.ui.history.history_panel import HistoryPanel
from app.ui.history.playback import SlicePlayer
from app.ui.history.recorder import HistoryRecorder
from app.ui.history.rows import EntryData
from app.ui.window.main_window import MainWindow
from app.workers.qt_engine import Bridge

log = logging.getLogger(__name__)
SEARCH_SHORTCUT = "Ctrl+Shift+F"


class _Notices(QObject):
    notice = Signal(str)  # from the history thread: queued to the GUI


def entry_document(data: EntryData) -> tuple[Document, list[list[int]]]:
    """A tab for a history entry: one output per stored output, a paragraph per segment
    for files (a line of text per utterance for dictation); with each segment's start offset."""
    e = data.entry
    outputs: list[OutputText] = []
    offsets: list[list[int]] = []
    for index, out in enumerate(data.outputs):
        if index == 0 or not e.target_languages:
            spec = TaskSpec(
                Task(e.task), e.source_language, out.language if e.task == "translate" else None
            )
        else:
            spec = TaskSpec(Task.TRANSLATE, e.source_language, out.language)
        runs: list[Run] = []
        segments: dict[int, Segment] = {}
        starts: list[int] = []
        pos = 0
        for n, (start, end, text) in enumerate(out.segments, 1):
            if runs:
                runs.append(Run("\n", None))
                pos += 1
            starts.append(pos)
            runs.append(Run(text, n))
            pos += len(text)
            segments[n] = Segment(start, end, text, e.source)
        label = "Transcript" if spec.task is Task.TRANSCRIBE else f"Translation ({out.language})"
        outputs.append(OutputText(label, spec, runs, segments, e.model, duration=e.duration))
        offsets.append(starts)
    title = Path(e.source).name if e.kind == "file" else f"Dictation {e.source}"
    return Document(title=title, outputs=outputs, source=e.source), offsets


class HistoryUi:
    def __init__(
        self,
        window: MainWindow,
        bridge: Bridge,
        service: HistoryService,
        recordings_folder: Path | None = None,
    ) -> None:
        self.window = window
        self.service = service
        #: The app's recordings, pruned with the history (``None``: the data folder's).
        self.recordings_folder = recordings_folder or recordings.recordings_dir()

        def rules(kind: str) -> tuple[Rule, ...]:
            on = kind == DICTATION or window.prefs.rules_on_files
            return window.keywords.active_rules() if on else ()

        def commands() -> CommandSet | None:
            prefs = window.prefs
            return command_set(prefs.spoken_command_lines) if prefs.spoken_commands else None

        self.recorder = HistoryRecorder(
            service, lambda: bool(window.prefs.history_enabled), rules=rules, commands=commands
        )
        self.recorder.watch(bridge, getattr(window, "jobs", None))
        self.panel = HistoryPanel(service)
        self.dock = window._dock("History", self.panel, "history")
        self.dock.hide()
        self.search_action = QAction("Search &History…", window)
        self.search_action.setShortcut(QKeySequence(SEARCH_SHORTCUT))
        self.search_action.triggered.connect(self.show_search)
        window.addAction(self.search_action)
        window.actions_.view_menu.addAction(self.search_action)
        self.panel.message.connect(window.show_error)
        self.panel.openRequested.connect(self.open_entry)
        self.panel.exportRequested.connect(self.export_entry)
        self.panel.playRequested.connect(self.play)
        window.preferencesApplied.connect(lambda p: self.prune(p.history_keep_days))
        self.ask_save_path = self._ask_save_path
        self.player = SlicePlayer(parent=window)
        self.player.message.connect(window.show_error)

    def show_search(self) -> None:
        self.dock.show()
        self.dock.raise_()
        self.panel.focus_search()
        self.panel.refresh()

    def prune(self, keep_days: int) -> None:
        folder = self.recordings_folder

        def prune(store: HistoryStore) -> int:
            return retention.prune(store, keep_days, recordings_folder=folder)

        self.service.call(prune)

    def delete_all(self) -> None:
        self.panel.ask(retention.delete_all, lambda _n: self.panel.refresh())

    def open_entry(self, data: EntryData, output: int, start: float) -> None:
        doc, offsets = entry_document(data)
        view = self.window.tabs.open_document(doc)
        panes = view.panes
        if not 0 <= output < len(panes):
            return
        pane, starts = panes[output], offsets[output]
        times = [s for s, _e, _t in data.outputs[output].segments]
        index = next((i for i, t in enumerate(times) if abs(t - start) < 1e-6), 0)
        cursor = QTextCursor(pane.document)
        cursor.setPosition(starts[index] if index < len(starts) else 0)
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        pane.editor.setTextCursor(cursor)
        pane.editor.ensureCursorVisible()
        view.set_partial(False)

    def export_entry(self, data: EntryData, output: int) -> None:
        doc, _ = entry_document(data)
        path = self.ask_save_path(f"{Path(doc.title).stem}.srt")
        if not path:
            return
        fmt, path = choose_format(path, "srt")
        try:
            write_result(doc.outputs[output].as_result(data.entry.source), path, fmt)
        except (GraniteError, OSError) as err:
            self.window.show_error(f"Cannot export: {err}")

    def play(self, data: EntryData, start: float, end: float) -> None:
        path = data.entry.audio_path
        if not path:
            self.window.show_error("There is no audio for this entry.")
            return
        self.player.play(path, start, end, data.entry.audio_owned)

    def _ask_save_path(self, suggested: str) -> str | None:
        filters = ";;".join(f"{f.upper()} (*.{f})" for f in FORMATS)
        path, _ = QFileDialog.getSaveFileName(self.window, "Export", suggested, filters)
        return path or None


def install_history(window: MainWindow, bridge: Bridge, *, path: Path | None = None) -> HistoryUi:
    notices = _Notices(window)
    notices.notice.connect(window.show_error, Qt.ConnectionType.QueuedConnection)
    service = HistoryService(path or default_path(), notices.notice.emit).start()
    ui = HistoryUi(window, bridge, service)
    ui.prune(int(window.prefs.history_keep_days))
    app = QCoreApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(service.stop)
    QTimer.singleShot(0, ui.panel.refresh)
    return ui

"""Pieces of the main window: toolbar, error banner, status area, queue area, file dialogs and
the save/open/export glue (the formats themselves are in ``app.core``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core import languages
from app.core.preferences import Preferences
from app.core.transcript import Task
from app.ui.panels.keyword_sidebar import KeywordSidebar
from app.ui.settings.settings_store import SettingsStore
from app.ui.window.api import WindowApi

if TYPE_CHECKING:
    from app.ui.window.actions import WindowActions
    from app.ui.window.file_jobs import FileJobs

log = logging.getLogger(__name__)


def stack(parent: QWidget, *widgets: QWidget) -> QWidget:
    box = QWidget(parent)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    for widget in widgets:
        layout.addWidget(widget, 1 if widget is widgets[-1] else 0)
    return box


class Banner(QFrame):
    """The one place errors are shown: a dismissable line above the documents."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorBanner")
        self.setAccessibleName("Error message")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setBackgroundRole(self.palette().ColorRole.ToolTipBase)
        self.setForegroundRole(self.palette().ColorRole.ToolTipText)
        self.setAutoFillBackground(True)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton(self)
        close.setText("✕")
        close.setAccessibleName("Dismiss message")
        close.setToolTip("Dismiss")
        close.clicked.connect(self.dismiss)
        #: An optional fix for the message (e.g. "Open System Settings").
        self.action_button = QPushButton(self)
        self.action_button.clicked.connect(self._run_action)
        self.action_button.hide()
        self._action: Callable[[], None] | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(close)
        self.source = ""
        self.hide()

    def show_message(
        self, message: str, source: str = "", action: tuple[str, Callable[[], None]] | None = None
    ) -> None:
        self.source = source
        self.label.setText(f"⚠  {message}")
        self._action = action[1] if action else None
        self.action_button.setText(action[0] if action else "")
        self.action_button.setVisible(action is not None)
        self.show()

    @Slot()
    def _run_action(self) -> None:
        if self._action is not None:
            self._action()

    def text(self) -> str:
        return "" if self.isHidden() else self.label.text().removeprefix("⚠  ")

    @Slot()
    def dismiss(self) -> None:
        self.hide()
        self.source = ""

    def clear_if(self, source: str) -> None:
        if self.source == source:
            self.dismiss()


class Toolbar(QToolBar):
    """Record, task (Transcribe / Translate → target), spoken language, model state."""

    def __init__(self, window: QWidget, actions: WindowActions, prefs: Preferences) -> None:
        super().__init__("Main toolbar", window)
        self.setObjectName("main_toolbar")
        self.setMovable(False)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action, name in ((actions.record, "Record"), (actions.open_audio, "Open audio files")):
            self.addAction(action)
            button = self.widgetForAction(action)
            button.setAccessibleName(name)
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # reachable with Tab, like the combos
        self.addSeparator()
        self.task_combo = QComboBox(self)
        self.task_combo.setAccessibleName("Task")
        self.task_combo.addItem("Transcribe", "transcribe")
        for code in languages.TRANSLATION_TARGETS:
            self.task_combo.addItem(f"Translate → {languages.name(code)}", f"translate:{code}")
        want = "transcribe"
        if prefs.default_task is Task.TRANSLATE:
            want = f"translate:{prefs.target_language}"
        self.task_combo.setCurrentIndex(max(self.task_combo.findData(want), 0))
        self.lang_combo = QComboBox(self)
        self.lang_combo.setAccessibleName("Spoken language")
        self.lang_combo.addItem("Auto-detect", None)
        for code in languages.SPOKEN_LANGUAGES:
            self.lang_combo.addItem(languages.name(code), code)
        self.lang_combo.setCurrentIndex(max(self.lang_combo.findData(prefs.source_language), 0))
        for text, combo in (("&Task:", self.task_combo), ("S&poken:", self.lang_combo)):
            label = QLabel(text, self)
            label.setBuddy(combo)
            label.setContentsMargins(8, 0, 4, 0)
            self.addWidget(label)
            self.addWidget(combo)
        spacer = QWidget(self)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.addWidget(spacer)
        self.model_label = QLabel("Model: not loaded", self)
        self.model_label.setAccessibleName("Model state")
        self.model_label.setContentsMargins(8, 0, 8, 0)
        self.addWidget(self.model_label)

    def task(self) -> tuple[Task, str | None]:
        task, _, target = str(self.task_combo.currentData()).partition(":")
        return Task(task), target or None

    def spoken_language(self) -> str | None:
        data = self.lang_combo.currentData()
        return str(data) if data else None

    def set_model_state(self, text: str, detail: str) -> None:
        self.model_label.setText(text)
        self.model_label.setToolTip(detail or text)


class StatusArea:
    """Messages and a progress bar in the window's status bar."""

    def __init__(self, window: WindowApi) -> None:
        self.bar = window.statusBar()
        self.progress_bar = QProgressBar(window)
        self.progress_bar.setAccessibleName("Progress")
        self.progress_bar.setFixedWidth(180)
        self.progress_bar.setTextVisible(True)
        self.progress_bar.hide()
        self.bar.addPermanentWidget(self.progress_bar)

    def message(self, text: str) -> None:
        self.bar.showMessage(text, 8000)

    def progress(self, done: float, total: float, label: str) -> None:
        if total <= 0 or done >= total:
            self.progress_bar.hide()
            return
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(round(1000 * done / total))
        self.progress_bar.setFormat("%p%")
        self.progress_bar.setToolTip(label)
        if label:
            self.bar.showMessage(label)
        self.progress_bar.show()


def keyword_sidebar(settings: SettingsStore | None, parent: QWidget) -> KeywordSidebar:
    sidebar = KeywordSidebar(settings, parent)
    sidebar.setAccessibleName("Keywords")
    return sidebar


def autosave_folder(prefs: Preferences) -> Path:
    from app.ui.settings import dirs

    return dirs.autosave_dir(prefs.autosave_dir)


def save_window_state(window: WindowApi) -> None:
    settings: Any = window.settings
    if settings is not None:
        settings.save_window_geometry(window.saveGeometry())
        settings.save_window_state(window.saveState())


class QueueArea:
    """The file queue: ``QueuePanel`` wired to the file jobs (cancel, retry, progress)."""

    def __init__(self, jobs: FileJobs, window: WindowApi) -> None:
        from app.ui.panels.queue_panel import QueuePanel

        self.jobs = jobs
        self.panel = QueuePanel(window)
        self.panel.setAccessibleName("File queue")
        self.widget: QWidget = self.panel
        jobs.jobAdded.connect(self.panel.add)
        jobs.jobTask.connect(self.panel.set_task)
        jobs.jobProgress.connect(self.panel.set_progress)
        jobs.jobNoSpeech.connect(self.panel.set_finished_with_note)
        jobs.jobDone.connect(self.panel.set_finished)
        jobs.jobFailed.connect(self.panel.set_failed)
        jobs.jobCancelled.connect(self.panel.set_cancelled)
        self.panel.cancelRequested.connect(jobs.cancel)
        self.panel.retryRequested.connect(window.retry_path)

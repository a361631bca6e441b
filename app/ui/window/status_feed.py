"""What the main window says about work in progress: file jobs' progress and outcome and the
model download in the status bar; the model's state in the toolbar, the banner and the
tooltips of the actions that wait for it (the wording is ``app.core.model_state``'s)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot

from app.core.model_state import ModelState, state_label, unavailable_reason
from app.ui.window.actions import WindowActions
from app.ui.window.api import WindowApi
from app.ui.window.file_jobs import FileJobs
from app.ui.window.window_parts import Banner, StatusArea, Toolbar
from app.workers.qt_engine import Bridge


class StatusFeed(QObject):
    def __init__(
        self,
        window: WindowApi,
        parts: tuple[Toolbar, Banner, StatusArea],
        actions: WindowActions,
        jobs: FileJobs,
        bridge: Bridge,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._toolbar, self._banner, self._status = parts
        self._actions = actions
        self._jobs = jobs
        jobs.jobFailed.connect(self._on_job_failed)
        jobs.jobProgress.connect(self._on_job_progress)
        jobs.jobDone.connect(self._on_job_done)
        jobs.jobCancelled.connect(self._on_job_stopped)
        bridge.downloadProgress.connect(self._on_download)

    def show_model_state(self, state: str, message: str) -> None:
        """The toolbar's label; the model's actions on only when it is ready (their tooltips
        say why not); opening audio on unless the model failed; a failure in the banner."""
        self._toolbar.set_model_state(state_label(state), message)
        ready = state == ModelState.READY
        why = unavailable_reason(state, message)
        for action in self._actions.needs_model():
            action.setEnabled(ready)
            tip = action.statusTip()
            action.setToolTip(tip if ready else f"{tip} — {why}")
        usable = state not in (ModelState.ERROR, ModelState.MISSING)
        self._actions.open_audio.setEnabled(usable)
        tip = self._actions.open_audio.statusTip()
        self._actions.open_audio.setToolTip(tip if usable else f"{tip} — {why}")
        if not usable and message:
            self._banner.show_message(message, "model")
        elif ready:
            self._banner.clear_if("model")
            self._status.message("The speech model is ready.")

    @Slot(object, object)
    def _on_download(self, done: int, total: int) -> None:
        self._status.progress(done, total, "Downloading the model")

    @Slot(int, float, float)
    def _on_job_progress(self, job_id: int, done: float, total: float) -> None:
        job = self._jobs.jobs.get(job_id)
        self._status.progress(done, total, f"Transcribing {job.name}" if job else "Transcribing")

    @Slot(int, str)
    def _on_job_failed(self, _job_id: int, message: str) -> None:
        self._status.progress(1, 1, "")
        self._window.statusBar().clearMessage()
        self._window.show_error(message)

    @Slot(int)
    def _on_job_stopped(self, _job_id: int) -> None:
        """Cancelled: no stale "Transcribing x.wav 56 %" stays behind."""
        self._status.progress(1, 1, "")
        self._window.statusBar().clearMessage()
        if not self._jobs.active():
            self._status.message("Cancelled.")

    @Slot(int)
    def _on_job_done(self, _job_id: int) -> None:
        if not self._jobs.active():
            self._status.progress(1, 1, "")
            self._status.message("All files transcribed.")

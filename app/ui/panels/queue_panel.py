"""The file queue: one row per job with name, progress bar, time left, cancel and retry.

API::

    QueuePanel(parent: QWidget | None = None, clock: Callable[[], float] = time.monotonic)
        cancelRequested = Signal(int)     # job id; the row shows "Cancelling…" until
                                          # set_cancelled / set_finished / set_failed arrives
        retryRequested = Signal(str)      # path of a failed/cancelled row
        add(path: str, job_id: int)       # re-adding the path of a failed/cancelled row reuses it
        set_decoding(job_id: int)
        set_progress(job_id: int, done: float, total: float)   # any unit, e.g. audio seconds
        set_finished(job_id: int); set_failed(job_id: int, message: str)
        set_cancelled(job_id: int); replace_job(old_job_id: int, new_job_id: int)
        clear_finished(); job_ids() -> list[int]; model() -> QueueModel

Retry flow for the main window: on ``retryRequested(path)`` submit a new job, then call
``replace_job(old, new)`` (old = the row's id, e.g. from ``model().retry_row_for(path)``) or
simply ``add(path, new)``. Events for unknown or finished jobs are ignored (late results of
cancelled jobs). All the logic lives in ``app.core.queue_model``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.progress import format_eta
from app.core.queue_model import JobState, QueueModel, QueueRow

log = logging.getLogger(__name__)

_STATE_TEXT = {
    JobState.QUEUED: "Waiting",
    JobState.DECODING: "Reading audio…",
    JobState.DONE: "Done",
    JobState.CANCELLED: "Cancelled",
}


def status_text(row: QueueRow) -> str:
    """What the row's status line says (pure; tested with the panel)."""
    if row.state is JobState.TRANSCRIBING:
        percent = f"{int(row.progress * 100)} %"
        return f"{percent} · {format_eta(row.eta_s)}" if row.eta_s is not None else percent
    if row.state is JobState.FAILED:
        return row.error or "Failed."
    if row.state is JobState.DONE and row.note:
        return row.note
    return _STATE_TEXT[row.state]


class _JobRowWidget(QFrame):
    def __init__(self, row: QueueRow, panel: QueuePanel) -> None:
        super().__init__()
        self.job_id = row.job_id
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.name = QLabel(row.title)
        self.name.setToolTip(row.path)
        self.name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(10)
        self.bar.setAccessibleName(f"Progress of {row.name}")
        self.status = QLabel()
        self.status.setObjectName("jobStatus")
        self.status.setWordWrap(True)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.cancel = QToolButton()
        self.cancel.setText("Cancel")
        self.cancel.setAccessibleName(f"Cancel {row.name}")
        self.cancel.clicked.connect(lambda: panel._on_cancel_clicked(self.job_id))
        self.retry = QToolButton()
        self.retry.setText("Retry")
        self.retry.setAccessibleName(f"Retry {row.name}")
        self.retry.clicked.connect(lambda: panel._on_retry_clicked(self.job_id))
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.addWidget(self.name, 0, 0)
        grid.addWidget(self.cancel, 0, 1, 2, 1)
        grid.addWidget(self.retry, 0, 2, 2, 1)
        grid.addWidget(self.bar, 1, 0)
        grid.addWidget(self.status, 2, 0, 1, 3)
        grid.setColumnStretch(0, 1)
        self.cancelling = False

    def show_row(self, row: QueueRow) -> None:
        self.job_id = row.job_id
        self.name.setText(row.title)
        self.bar.setValue(round(row.progress * 1000))
        text = "Cancelling…" if self.cancelling and row.can_cancel else status_text(row)
        self.status.setText(text)
        self.status.setToolTip(text)
        self.status.setStyleSheet("color: #b91c1c;" if row.state is JobState.FAILED else "")
        self.cancel.setVisible(row.can_cancel)
        self.cancel.setEnabled(row.can_cancel and not self.cancelling)
        self.retry.setVisible(row.can_retry)
        self.bar.setVisible(row.state is not JobState.FAILED)


class QueuePanel(QWidget):
    cancelRequested = Signal(int)
    retryRequested = Signal(str)

    def __init__(
        self, parent: QWidget | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(parent)
        self._model = QueueModel(clock)
        self._widgets: dict[int, _JobRowWidget] = {}
        self._rows_box = QVBoxLayout()
        self._rows_box.setContentsMargins(0, 0, 0, 0)
        self._rows_box.setSpacing(4)
        container = QWidget()
        outer = QVBoxLayout(container)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(self._rows_box)
        outer.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(container)
        self._empty = QLabel("No files in the queue. Open or drop audio files to transcribe.")
        self._empty.setWordWrap(True)
        self._clear = QPushButton("Clear finished")
        self._clear.setAccessibleName("Clear finished files")
        self._clear.clicked.connect(self.clear_finished)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self._empty)
        layout.addWidget(scroll, 1)
        layout.addWidget(self._clear, 0, Qt.AlignmentFlag.AlignRight)
        self._update_chrome()

    # -- public -------------------------------------------------------------------------------
    def model(self) -> QueueModel:
        return self._model

    def job_ids(self) -> list[int]:
        return [r.job_id for r in self._model.rows()]

    @Slot(str, int)
    def add(self, path: str, job_id: int) -> None:
        if self._model.row(job_id) is not None:
            log.warning("Job %s is already in the queue; ignoring the second add.", job_id)
            return
        old = self._model.retry_row_for(path)
        if old is not None:
            self.replace_job(old.job_id, job_id)
            return
        row = self._model.add(path, job_id)
        widget = _JobRowWidget(row, self)
        self._widgets[job_id] = widget
        self._rows_box.addWidget(widget)
        self._show(job_id)

    @Slot(int, str)
    def set_task(self, job_id: int, task: str) -> None:
        """Show what the file gets ("Transcribe", "Translate → French") next to its name."""
        if self._model.set_task(job_id, task):
            self._show(job_id)

    @Slot(int)
    def set_decoding(self, job_id: int) -> None:
        if self._model.set_decoding(job_id):
            self._show(job_id)

    @Slot(int, float, float)
    def set_progress(self, job_id: int, done: float, total: float) -> None:
        if self._model.set_progress(job_id, done, total):
            self._show(job_id)

    @Slot(int)
    def set_finished(self, job_id: int) -> None:
        if self._model.set_finished(job_id):
            self._show(job_id)

    @Slot(int, str)
    def set_finished_with_note(self, job_id: int, note: str) -> None:
        """Done, with a remark shown instead of "Done" (e.g. "No speech found.")."""
        if self._model.set_finished(job_id, note):
            self._show(job_id)

    @Slot(int, str)
    def set_failed(self, job_id: int, message: str) -> None:
        if self._model.set_failed(job_id, message):
            self._show(job_id)

    @Slot(int)
    def set_cancelled(self, job_id: int) -> None:
        if self._model.set_cancelled(job_id):
            self._show(job_id)

    @Slot(int, int)
    def replace_job(self, old_job_id: int, new_job_id: int) -> None:
        widget = self._widgets.get(old_job_id)
        if widget is None or not self._model.replace_job(old_job_id, new_job_id):
            return
        del self._widgets[old_job_id]
        self._widgets[new_job_id] = widget
        widget.cancelling = False
        self._show(new_job_id)

    @Slot()
    def clear_finished(self) -> None:
        for job_id in self._model.clear_finished():
            widget = self._widgets.pop(job_id)
            self._rows_box.removeWidget(widget)
            widget.deleteLater()
        self._update_chrome()

    # -- internals ----------------------------------------------------------------------------
    def _show(self, job_id: int) -> None:
        row = self._model.row(job_id)
        widget = self._widgets.get(job_id)
        if row is not None and widget is not None:
            widget.show_row(row)
        self._update_chrome()

    def _update_chrome(self) -> None:
        rows = self._model.rows()
        self._empty.setVisible(not rows)
        self._clear.setEnabled(any(r.state is JobState.DONE for r in rows))

    def _on_cancel_clicked(self, job_id: int) -> None:
        row = self._model.row(job_id)
        widget = self._widgets.get(job_id)
        if row is None or widget is None or not row.can_cancel:
            return
        widget.cancelling = True
        widget.show_row(row)
        self.cancelRequested.emit(job_id)

    def _on_retry_clicked(self, job_id: int) -> None:
        row = self._model.row(job_id)
        if row is not None and row.can_retry:
            self.retryRequested.emit(row.path)

"""First-start dialog when no model is available: download it, or choose a local folder.

The dialog never downloads or loads anything itself; the main window wires its signals to the
engine bridge and feeds progress back.

API::

    ModelManagerDialog(current: str, parent: QWidget | None = None,
                       clock: Callable[[], float] = time.monotonic, state: str = "")
        # state: the model's state now ("ready" says it is loaded, not only the pitch)
        downloadRequested = Signal(str)   # repo id (``current`` if it is a repo id, else
                                          # DEFAULT_MODEL); also emitted by "Resume"
        cancelRequested = Signal()        # Cancel pressed, or the dialog closed mid-download
        folderChosen = Signal(str)        # a folder that has config.json and .safetensors
        set_progress(done: int, total: int)   # bytes; shows "1.2 GB of 2.9 GB · 12 MB/s · …"
        set_error(message: str)           # one line, shown by the download (button becomes
                                          # "Resume") or by the folder chooser, whichever ran
        set_cancelled()                   # download stopped; "Resume" continues it
        set_ready()                       # model available: shows it and accepts the dialog
        repo_id() -> str
        ask_directory: Callable[[], str | None]   # replaceable for tests

Resume = request the download again: huggingface_hub continues partial files.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.model_spec import looks_like_repo_id, model_folder_problem
from app.core.preferences import DEFAULT_MODEL
from app.core.progress import RateEstimator, progress_text

MODEL_SIZE_TEXT = "about 2.9 GB"
#: The model's state as the main window knows it (``app.core.model_state.ModelState`` values).
STATE_TEXT = {
    "ready": "loaded and ready",
    "loading": "loading…",
    "downloading": "downloading…",
    "error": "could not be loaded",
    "missing": "not installed",
}


def _header(current: str, state: str) -> tuple[QLabel, QLabel]:
    """What the dialog is for, and the current model with its state (hidden without one)."""
    intro = QLabel(
        "Granite Dictate runs its speech model on this computer. Download it once "
        f"({MODEL_SIZE_TEXT}), or choose a folder that already contains it."
        if state != "ready"
        else "The speech model below is loaded and ready. To use another one, download "
        "it or choose a folder."
    )
    intro.setWordWrap(True)
    shown = STATE_TEXT.get(state, "")
    current_label = QLabel(
        f"Current model: {current}" + (f" — {shown}" if shown else "") if current.strip() else ""
    )
    current_label.setObjectName("currentModel")
    current_label.setWordWrap(True)
    current_label.setVisible(bool(current.strip()))
    return intro, current_label


class ModelManagerDialog(QDialog):
    downloadRequested = Signal(str)
    cancelRequested = Signal()
    folderChosen = Signal(str)

    def __init__(
        self,
        current: str = DEFAULT_MODEL,
        parent: QWidget | None = None,
        clock: Callable[[], float] = time.monotonic,
        state: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Speech model")
        self._repo = current.strip() if looks_like_repo_id(current) else DEFAULT_MODEL
        self._rate = RateEstimator(clock)
        self._downloading = False
        self._last_action = ""
        self.ask_directory: Callable[[], str | None] = self._ask_directory
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (*_header(current, state), self._download_box(), self._folder_box(), close):
            layout.addWidget(widget)
        self.setMinimumWidth(420)

    def _download_box(self) -> QGroupBox:
        self._bar = QProgressBar()
        self._bar.setRange(0, 1000)
        self._bar.setAccessibleName("Download progress")
        self._bar.hide()
        self._status = QLabel("")
        self._status.setObjectName("downloadStatus")
        self._status.setWordWrap(True)
        self._download = QPushButton("Download")
        self._download.setAccessibleName(f"Download {self._repo}")
        self._download.setDefault(True)
        self._download.clicked.connect(self._on_download)
        self._cancel = QPushButton("Cancel download")
        self._cancel.setAccessibleName("Cancel download")
        self._cancel.setEnabled(False)
        self._cancel.clicked.connect(self._on_cancel)
        download_buttons = QHBoxLayout()
        download_buttons.addWidget(self._download)
        download_buttons.addWidget(self._cancel)
        download_buttons.addStretch(1)
        download_box = QGroupBox(f"Download {self._repo}")
        dl = QVBoxLayout(download_box)
        dl.addWidget(self._bar)
        dl.addWidget(self._status)
        dl.addLayout(download_buttons)
        return download_box

    def _folder_box(self) -> QGroupBox:
        self._choose = QPushButton("Choose folder…")
        self._choose.setAccessibleName("Choose a local model folder")
        self._choose.clicked.connect(self._on_choose)
        self._folder_message = QLabel("")
        self._folder_message.setObjectName("folderMessage")
        self._folder_message.setWordWrap(True)
        folder_box = QGroupBox("Use a model folder on this computer")
        fl = QVBoxLayout(folder_box)
        fl.addWidget(self._choose)
        fl.addWidget(self._folder_message)
        return folder_box

    def repo_id(self) -> str:
        return self._repo

    def is_downloading(self) -> bool:
        return self._downloading

    # -- slots fed by the main window ---------------------------------------------------------
    @Slot(object, object)  # Python ints: a 2.9 GB model overflows a C++ int
    def set_progress(self, done: int, total: int) -> None:
        if not self._downloading:  # a report that raced a cancel
            return
        snap = self._rate.update(done, total)
        self._bar.show()
        if total > 0:
            self._bar.setRange(0, 1000)
            self._bar.setValue(round(1000 * min(done, total) / total))
        else:
            self._bar.setRange(0, 0)  # busy indicator
        self._status.setText(progress_text(snap))

    @Slot(str)
    def set_error(self, message: str) -> None:
        """Show a failure next to whatever was tried last (download or folder)."""
        text = " ".join(message.split()) or "That did not work."
        if self._downloading:
            self._stop(text)
        elif self._last_action == "folder":
            self._folder_message.setText(text)
        else:
            self._status.setText(text)

    @Slot()
    def set_cancelled(self) -> None:
        self._stop("Download paused. Press Resume to continue where it stopped.")

    @Slot()
    def set_ready(self) -> None:
        self._downloading = False
        self._bar.setRange(0, 1000)
        self._bar.setValue(1000)
        self._status.setText("The model is ready.")
        self._cancel.setEnabled(False)
        self.accept()

    # -- internals ----------------------------------------------------------------------------
    def _stop(self, text: str) -> None:
        self._downloading = False
        self._rate.reset()
        self._status.setText(text)
        self._download.setText("Resume")
        self._download.setEnabled(True)
        self._cancel.setEnabled(False)
        self._choose.setEnabled(True)

    @Slot()
    def _on_download(self) -> None:
        if self._downloading:
            return
        self._downloading = True
        self._last_action = "download"
        self._rate.reset()
        self._status.setText("Starting download…")
        self._download.setEnabled(False)
        self._cancel.setEnabled(True)
        self._choose.setEnabled(False)
        self._cancel.setFocus()
        self.downloadRequested.emit(self._repo)

    @Slot()
    def _on_cancel(self) -> None:
        if not self._downloading:
            return
        self._cancel.setEnabled(False)
        self._status.setText("Cancelling…")
        self.cancelRequested.emit()

    @Slot()
    def _on_choose(self) -> None:
        path = self.ask_directory()
        if not path:
            return
        problem = model_folder_problem(path)
        if problem is not None:
            self._folder_message.setText(problem)
            return
        self._last_action = "folder"
        self._folder_message.setText(f"Loading the model from {path}…")
        self.folderChosen.emit(path)

    def reject(self) -> None:
        if self._downloading:
            self._downloading = False
            self.cancelRequested.emit()
        super().reject()

    def _ask_directory(self) -> str | None:
        path = QFileDialog.getExistingDirectory(self, "Choose the model folder")
        return path or None

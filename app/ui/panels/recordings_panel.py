"""The Recordings panel: every dictation recording kept on disk, to play, re-transcribe,
export or delete, and the start-up offer to recover recordings a crash interrupted.
``install_dictation`` wires live dictation (controller, level meter, this panel as a dock)
into the main window.

Lists come from ``app.core.storage.recordings``; the audio files from ``app.audio.journal``.
Playback
goes through ``app.audio.devices.Playback`` (sounddevice) because QtMultimedia is not in
PySide6-Essentials. ``transcribeRequested(path)`` is connected by the window to its file-job
submission (``MainWindow.submit_paths([path])``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.audio.devices import Playback
from app.audio.journal import export_audio, read_wav
from app.core.errors import GraniteError
from app.core.storage import recordings
from app.core.storage.recordings import RecordingInfo

log = logging.getLogger(__name__)

EMPTY_TEXT = (
    "No recordings yet. Every dictation is kept here as audio: play it, transcribe it again "
    "or export it."
)
_STATUS = {"complete": "", "recovered": " — recovered", "recording": " — recording…"}


def describe(info: RecordingInfo) -> str:
    minutes, seconds = divmod(round(info.duration_s), 60)
    when = info.created.replace("T", " ")[:16] or info.id
    text = f"{when}  ({minutes}:{seconds:02d}){_STATUS.get(info.status, '')}"
    if info.transcript:
        snippet = " ".join(info.transcript.split())
        text += f"\n{snippet[:80]}{'…' if len(snippet) > 80 else ''}"
    return text


def _ask_delete(parent: QWidget, info: RecordingInfo) -> bool:
    answer = QMessageBox.question(parent, "Delete recording", f"Delete {describe(info)}?")
    return answer == QMessageBox.StandardButton.Yes


def _ask_export_path(parent: QWidget, info: RecordingInfo) -> str:
    path, _ = QFileDialog.getSaveFileName(
        parent, "Export recording", f"{info.id}.wav", "Audio (*.wav *.flac)"
    )
    return path


class RecordingsPanel(QWidget):
    transcribeRequested = Signal(str)  # path of the recording's WAV
    message = Signal(str)  # one-line notices and errors

    def __init__(
        self,
        folder: Path | None = None,
        *,
        player: Any | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.folder = folder
        self.player = player or Playback()
        #: Confirmation and file dialogs; tests replace them.
        self.ask_delete: Callable[[QWidget, RecordingInfo], bool] = _ask_delete
        self.ask_export_path: Callable[[QWidget, RecordingInfo], str] = _ask_export_path
        self._play_timer = QTimer(self)
        self._play_timer.setSingleShot(True)
        self._play_timer.timeout.connect(self.stop_playback)
        self.list = QListWidget(self)
        self.list.setAccessibleName("Recordings")
        # Rows wrap to the panel's width: readable without a horizontal scrollbar.
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.empty = QLabel(EMPTY_TEXT, self)
        self.empty.setWordWrap(True)
        self.empty.setAccessibleName("No recordings")
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.list.itemDoubleClicked.connect(lambda _item: self.play())
        self.play_button = QPushButton("Play", self)
        self.transcribe_button = QPushButton("Transcribe", self)
        self.export_button = QPushButton("Export…", self)
        self.delete_button = QPushButton("Delete", self)
        self.play_button.clicked.connect(self.play)
        self.transcribe_button.clicked.connect(self.transcribe)
        self.export_button.clicked.connect(self.export)
        self.delete_button.clicked.connect(self.delete)
        buttons = QHBoxLayout()
        for b in (self.play_button, self.transcribe_button, self.export_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.refresh()

    # --- listing -----------------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        selected = self.selected()
        self.list.clear()
        folder = self.folder or recordings.recordings_dir()
        for info in recordings.list_recordings(folder) if folder.is_dir() else []:
            item = QListWidgetItem(describe(info))
            item.setData(Qt.ItemDataRole.UserRole, info)
            self.list.addItem(item)
            if selected is not None and info.id == selected.id:
                item.setSelected(True)
        self.empty.setVisible(self.list.count() == 0)
        self._update_buttons()

    def recordings(self) -> list[RecordingInfo]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def selected(self) -> RecordingInfo | None:
        items = self.list.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def select(self, rec_id: str) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setSelected(item.data(Qt.ItemDataRole.UserRole).id == rec_id)

    def _update_buttons(self) -> None:
        info = self.selected()
        usable = info is not None and not info.unfinished
        for b in (self.play_button, self.transcribe_button, self.export_button):
            b.setEnabled(usable)
        self.delete_button.setEnabled(usable)

    # --- start-up recovery ---------------------------------------------------------------
    def recover_unfinished(self) -> list[RecordingInfo]:
        """Repair recordings a crash left open; announce them and select the newest."""
        folder = self.folder or recordings.recordings_dir()
        if not folder.is_dir():
            return []
        found: list[RecordingInfo] = []
        for info in recordings.find_unfinished(folder):
            try:
                found.append(recordings.recover(info))
            except GraniteError as err:
                self.message.emit(str(err))
        self.refresh()
        if found:
            total = sum(r.duration_s for r in found)
            self.select(found[0].id)
            self.message.emit(
                f"Recovered {len(found)} interrupted recording(s) ({total:.0f} s): "
                "select one in Recordings and press Transcribe."
            )
        return found

    # --- actions -------------------------------------------------------------------------
    @Slot()
    def play(self) -> None:
        info = self.selected()
        if info is None:
            return
        if self.play_button.text() == "Stop":
            self.stop_playback()
            return
        try:
            audio, rate = read_wav(info.wav)
            self.player.play(audio, rate)
        except GraniteError as err:
            self.message.emit(str(err))
            return
        self.play_button.setText("Stop")
        self._play_timer.start(round(len(audio) / rate * 1000) + 100)

    @Slot()
    def stop_playback(self) -> None:
        self._play_timer.stop()
        self.player.stop()
        self.play_button.setText("Play")

    @Slot()
    def transcribe(self) -> None:
        info = self.selected()
        if info is not None:
            self.transcribeRequested.emit(str(info.wav))

    @Slot()
    def export(self) -> None:
        info = self.selected()
        if info is None:
            return
        dest = self.ask_export_path(self, info)
        if not dest:
            return
        try:
            export_audio(info.wav, Path(dest))
        except GraniteError as err:
            self.message.emit(str(err))
            return
        self.message.emit(f"Exported the recording to {dest}.")

    @Slot()
    def delete(self) -> None:
        info = self.selected()
        if info is None or not self.ask_delete(self, info):
            return
        self.stop_playback()
        try:
            recordings.delete(info)
        except GraniteError as err:
            self.message.emit(str(err))
        self.refresh()

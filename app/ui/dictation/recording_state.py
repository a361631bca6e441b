"""Recording made unmistakable: the Record button turns red and counts the time, a
"Listening…" strip with the level meter shows above the documents, and the panes' "Press
Record…" placeholder hides while the microphone is open."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from app.core.text.timecode import clock
from app.ui.dictation.level_meter import LevelMeter
from app.ui.editor.transcript_pane import TranscriptPane

RECORDING_STYLE = "QToolButton { background: #c62828; color: white; border-radius: 4px; }"


class ListeningStrip(QFrame):
    """A slim bar: a red dot, "Listening…", the elapsed time and the input level."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("listeningStrip")
        self.setAccessibleName("Recording")
        self.setStyleSheet(
            "#listeningStrip { background: #fdecea; border-bottom: 1px solid #f5c2bd; }"
        )
        dot = QLabel("●", self)
        dot.setStyleSheet("color: #c62828;")
        self.label = QLabel("Listening…", self)
        self.elapsed = QLabel(clock(0), self)
        self.elapsed.setAccessibleName("Recording time")
        self.meter = LevelMeter(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        layout.addWidget(dot)
        layout.addWidget(self.label)
        layout.addWidget(self.elapsed)
        layout.addStretch(1)
        layout.addWidget(self.meter, 0, Qt.AlignmentFlag.AlignVCenter)
        self.hide()


class RecordingState(QObject):
    """Follows ``set_recording`` (the controller's ``recordingChanged``)."""

    def __init__(
        self,
        action: QAction,
        button: QWidget | None,
        strip: ListeningStrip,
        panes: Callable[[], Sequence[TranscriptPane]],
        clock_s: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._action, self._button, self.strip = action, button, strip
        self._panes, self._clock = panes, clock_s
        self._idle_text = action.iconText()
        self._started: float | None = None
        self._hidden: dict[TranscriptPane, str] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.tick)

    @property
    def recording(self) -> bool:
        return self._started is not None

    @Slot(bool)
    def set_recording(self, on: bool) -> None:
        if on == self.recording:
            return
        if on:
            self._started = self._clock()
            self._timer.start()
            self.tick()
        else:
            self._started = None
            self._timer.stop()
            self._action.setIconText(self._idle_text)
            self.strip.meter.clear()
        if self._button is not None:
            self._button.setStyleSheet(RECORDING_STYLE if on else "")
        self.strip.setVisible(on)
        self._placeholders(hidden=on)

    @Slot()
    def tick(self) -> None:
        if self._started is None:
            return
        elapsed = clock(self._clock() - self._started)
        self._action.setIconText(f"Stop  {elapsed}")
        self.strip.elapsed.setText(elapsed)

    def _placeholders(self, hidden: bool) -> None:
        if hidden:
            for pane in self._panes():
                self._hidden[pane] = pane.editor.placeholderText()
                pane.editor.setPlaceholderText("")
            return
        alive = set(self._panes())  # a pane closed meanwhile is gone
        for pane, text in self._hidden.items():
            if pane in alive:
                pane.editor.setPlaceholderText(text)
        self._hidden.clear()

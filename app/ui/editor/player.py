"""The transcript player: plays a tab's source audio from a time through the app's own audio
output (``app.audio.output``), with pause, speed and a position that the player bar and the
current-segment highlight follow.

The source is decoded on a helper thread the first time it is played (the GUI thread never
waits); its samples are kept for the next play of the same file.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.audio.output import AudioOutput
from app.core.errors import GraniteError

log = logging.getLogger(__name__)

RATE = 16000
TICK_MS = 100

Decoder = Callable[[str], np.ndarray]


def decode_source(path: str) -> np.ndarray:
    from app.audio.files.decode import decode_file

    return decode_file(path)


class Player(QObject):
    positionChanged = Signal(float, float)  # seconds, duration
    playingChanged = Signal(bool)
    failed = Signal(str)  # one line
    _loaded = Signal(str, object, float)  # path, samples, start (from the loader thread)
    _load_failed = Signal(str)

    def __init__(
        self, output: AudioOutput, decoder: Decoder = decode_source, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.output, self._decoder = output, decoder
        self.path = ""
        self.speed = 1.0
        self._samples: np.ndarray | None = None
        self._playing = False
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)
        self._loaded.connect(self._on_loaded)
        self._load_failed.connect(self.failed)

    @property
    def duration(self) -> float:
        return 0.0 if self._samples is None else len(self._samples) / RATE

    @property
    def playing(self) -> bool:
        return self._playing

    def play_from(self, path: str, seconds: float) -> None:
        """Play ``path`` from ``seconds`` (decoding it first if it is not the current file)."""
        if path == self.path and self._samples is not None:
            self._start(seconds)
            return
        self.stop()
        self.path, self._samples = path, None
        threading.Thread(
            target=self._load, args=(path, seconds), name="player-decode", daemon=True
        ).start()

    def _load(self, path: str, seconds: float) -> None:
        try:
            samples = self._decoder(path)
        except GraniteError as err:
            self._load_failed.emit(str(err))
            return
        except Exception as err:  # a decoder bug must not kill the thread silently
            log.exception("decoding %s for playback", path)
            self._load_failed.emit(f"{os.path.basename(path)}: cannot be played ({err}).")
            return
        self._loaded.emit(path, samples, seconds)

    @Slot(str, object, float)
    def _on_loaded(self, path: str, samples: np.ndarray, seconds: float) -> None:
        if path != self.path:  # another file was asked for meanwhile
            return
        self._samples = samples
        self._start(seconds)

    def _start(self, seconds: float) -> None:
        if self._samples is None:
            return
        start = max(0.0, min(seconds, self.duration))
        try:
            self.output.play(self._samples, RATE, start, self.speed)
        except GraniteError as err:
            self.failed.emit(str(err))
            return
        self._set_playing(True)
        self.tick()

    @Slot()
    def toggle(self) -> None:
        if self._playing:
            self.pause()
        elif self._samples is not None:
            position = self.output.position()
            self._start(0.0 if position >= self.duration else position)

    @Slot()
    def pause(self) -> None:
        if self._playing:
            self.output.pause()
            self._set_playing(False)
            self.tick()

    def stop(self) -> None:
        self.output.stop()
        self._set_playing(False)

    @Slot(float)
    def set_speed(self, speed: float) -> None:
        if speed == self.speed:
            return
        self.speed = speed
        if self._playing:
            self._start(self.output.position())

    @Slot()
    def tick(self) -> None:
        self.positionChanged.emit(self.output.position(), self.duration)
        if self._playing and not self.output.playing:  # reached the end
            self._set_playing(False)

    def _set_playing(self, on: bool) -> None:
        if on:
            self._timer.start()
        else:
            self._timer.stop()
        if on != self._playing:
            self._playing = on
            self.playingChanged.emit(on)

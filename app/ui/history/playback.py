"""Playing a history entry's audio: the stretch of one segment, from the app's recording (read
at once) or from the user's file (decoded on a worker thread up to the segment's end, then
handed to the GUI thread by a queued signal). A file that is gone is one message."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QObject, Signal, Slot

from app.audio.files.decode import iter_decode
from app.audio.journal import read_wav
from app.audio.resample import TARGET_RATE
from app.core.errors import GraniteError

MAX_SECONDS = 120.0  # longest stretch played at once


class Player(Protocol):
    def play(self, audio: Any, rate: int) -> None: ...
    def stop(self) -> None: ...


def decode_slice(path: str, start: float, end: float) -> npt.NDArray[np.float32]:
    """Mono 16 kHz samples from ``start`` to ``end`` seconds, decoding no further than ``end``."""
    pieces: list[npt.NDArray[np.float32]] = []
    t = 0.0
    for block in iter_decode(path, block_s=10.0):
        block_end = t + len(block) / TARGET_RATE
        if block_end > start:
            lo = max(0, round((start - t) * TARGET_RATE))
            hi = min(len(block), round((end - t) * TARGET_RATE))
            pieces.append(np.asarray(block[lo:hi], dtype=np.float32))
        if block_end >= end:
            break
        t = block_end
    return np.concatenate(pieces) if pieces else np.zeros(0, np.float32)


class SlicePlayer(QObject):
    message = Signal(str)
    started = Signal(float)  # seconds of audio now playing
    _decoded = Signal(object)  # from the decoding thread: queued to the GUI thread
    _failed = Signal(str)

    def __init__(self, player: Player | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._player = player
        self._decoded.connect(self._play)
        self._failed.connect(self.message)

    @property
    def player(self) -> Player:
        if self._player is None:
            from app.audio.devices import Playback

            self._player = Playback()
        return self._player

    def play(self, path: str, start: float, end: float, owned: bool) -> None:
        end = min(end, start + MAX_SECONDS)
        if not Path(path).is_file():
            self.message.emit(f"The audio is gone: {path}")
            return
        if owned:  # the app's own recording: a plain WAV, read at once
            try:
                audio, rate = read_wav(Path(path))
            except GraniteError as err:
                self.message.emit(str(err))
                return
            self._play(audio[int(start * rate) : int(end * rate)], rate)
            return
        threading.Thread(
            target=self._decode, args=(path, start, end), name="history-play", daemon=True
        ).start()

    def _decode(self, path: str, start: float, end: float) -> None:
        try:
            self._decoded.emit(decode_slice(path, start, end))
        except GraniteError as err:
            self._failed.emit(str(err))

    @Slot(object)
    def _play(self, audio: npt.NDArray[np.float32], rate: int = TARGET_RATE) -> None:
        if not len(audio):
            self.message.emit("There is no audio at that time.")
            return
        try:
            self.player.play(audio, rate)
        except GraniteError as err:
            self.message.emit(str(err))
            return
        self.started.emit(len(audio) / rate)

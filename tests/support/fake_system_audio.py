"""Fake ``AudioSource`` for unit tests: hands out a numpy array in blocks, without a device.

``ArraySource(audio)`` returns one ``block`` of samples per ``read()`` (no real-time pacing:
both tracks of a fake meeting advance in lockstep), then ``after_end``: ``"silence"`` keeps
returning zeros until ``stop()`` (a live source), ``"stop"`` returns ``None`` (the device went
away). ``fail_at_s`` raises ``SystemAudioError`` there, like a capture that broke.
"""

from __future__ import annotations

import numpy as np

from app.audio.capture import Level
from app.audio.meeting.system_audio import SystemAudioError


class ArraySource:
    def __init__(
        self,
        audio: np.ndarray,
        name: str = "fake",
        *,
        block: int = 1600,
        after_end: str = "silence",
        fail_at_s: float | None = None,
    ) -> None:
        self._audio = np.asarray(audio, np.float32)
        self._name = name
        self._block = block
        self._after_end = after_end
        self._fail_at = None if fail_at_s is None else round(fail_at_s * 16_000)
        self.pos = 0
        self.started = self.stopped = self.closed = False
        self.level = Level()
        self.overflows = 0

    @property
    def name(self) -> str:
        return self._name

    def start(self) -> None:
        self.started = True

    def read(self, timeout: float = 0.1) -> np.ndarray | None:
        if self.stopped or self.closed:
            return None
        if self._fail_at is not None and self.pos >= self._fail_at:
            raise SystemAudioError("System audio capture stopped: fake failure")
        if self.pos >= len(self._audio):
            if self._after_end == "stop":
                return None
            self.pos += self._block
            return np.zeros(self._block, np.float32)
        out = self._audio[self.pos : self.pos + self._block].copy()
        self.pos += len(out)
        return out

    def stop(self) -> None:
        self.stopped = True

    def close(self) -> None:
        self.closed = True

"""The app's own audio output for the transcript player: a sound device stream behind a small
interface, and a fake for tests.

``SoundDeviceOutput`` plays mono float32 samples from a start time at 1×, 1.5× or 2× through a
PortAudio ``OutputStream``. The samples for a speed are prepared on the calling thread
(``faster``: 1.5× and 2× keep every 1.5th / 2nd sample, so the pitch rises with the speed); the
stream's callback only copies the next frames and counts them.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Protocol

import numpy as np

from app.audio.devices import AudioDeviceError

log = logging.getLogger(__name__)

SPEEDS: tuple[float, ...] = (1.0, 1.5, 2.0)


def faster(samples: np.ndarray, speed: float) -> np.ndarray:
    """``samples`` played ``speed`` times faster (nearest-sample decimation; 1× is no copy)."""
    if speed == 1.0:
        return samples
    idx = np.arange(0, len(samples), speed)
    return np.ascontiguousarray(samples[idx.astype(np.int64)])


class AudioOutput(Protocol):
    """What the player needs from an audio output (positions in seconds of the source)."""

    @property
    def playing(self) -> bool: ...
    def position(self) -> float: ...
    def play(self, samples: np.ndarray, rate: int, start_s: float, speed: float = 1.0) -> None: ...
    def pause(self) -> None: ...
    def stop(self) -> None: ...


class SoundDeviceOutput:
    """Plays on the default output device through sounddevice (imported on first use)."""

    def __init__(self) -> None:
        self._stream: Any = None
        self._data = np.zeros(0, np.float32)
        self._index = 0  # frames of ``_data`` already handed to the device
        self._start, self._rate, self._speed = 0.0, 16000, 1.0
        self._done = threading.Event()

    @property
    def playing(self) -> bool:
        return self._stream is not None and not self._done.is_set()

    def position(self) -> float:
        return self._start + self._index * self._speed / self._rate

    def play(self, samples: np.ndarray, rate: int, start_s: float, speed: float = 1.0) -> None:
        self.stop()
        first = max(0, min(len(samples), round(start_s * rate)))
        self._data = faster(np.asarray(samples[first:], np.float32), speed)
        self._index, self._start, self._rate, self._speed = 0, first / rate, rate, speed
        self._done.clear()
        try:
            import sounddevice as sd

            self._stream = sd.OutputStream(
                samplerate=rate,
                channels=1,
                dtype="float32",
                callback=self._callback,
                finished_callback=self._done.set,
            )
            self._stream.start()
        except Exception as err:  # PortAudio missing or no output device
            self._stream = None
            raise AudioDeviceError(f"Cannot play audio: {err}") from err

    def _callback(self, outdata: np.ndarray, frames: int, _time: Any, _status: Any) -> None:
        i = self._index
        chunk = self._data[i : i + frames]
        n = len(chunk)
        outdata[:n, 0] = chunk
        outdata[n:] = 0
        self._index = i + n
        if n < frames:
            import sounddevice as sd

            raise sd.CallbackStop

    def pause(self) -> None:
        """Stop where it is (``position`` stays; ``play`` from it resumes)."""
        self.stop()

    def stop(self) -> None:
        stream, self._stream = self._stream, None
        self._done.set()
        if stream is not None:
            try:
                stream.abort()
                stream.close()
            except Exception as err:
                log.info("closing the output stream: %s", err)


class FakeOutput:
    """For tests: remembers what it was asked; ``advance(seconds)`` moves the position."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, float, float]] = []  # (what, start, speed)
        self.playing = False
        self._pos = 0.0
        self._speed = 1.0
        self.duration = 0.0

    def position(self) -> float:
        return self._pos

    def play(self, samples: np.ndarray, rate: int, start_s: float, speed: float = 1.0) -> None:
        self.calls.append(("play", start_s, speed))
        self.playing, self._pos, self._speed = True, start_s, speed
        self.duration = len(samples) / rate

    def advance(self, seconds: float) -> None:
        self._pos = min(self._pos + seconds * self._speed, self.duration)
        if self._pos >= self.duration:
            self.playing = False

    def pause(self) -> None:
        self.calls.append(("pause", self._pos, self._speed))
        self.playing = False

    def stop(self) -> None:
        self.playing = False

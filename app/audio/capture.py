"""Microphone capture: 16 kHz mono float32 out, whatever the device delivers.

The PortAudio callback only copies each block into a preallocated pool and queues the block's
index (no logging, no Qt, no allocation of arrays). Everything else happens in the consumer
thread that calls ``read()``: downmix, streaming resampling (soxr), level metering, detection
of an all-zero stream (microphone permission on macOS) and of a lost device.
"""

from __future__ import annotations

import logging
import math
import queue
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import soxr

from app.audio.devices import AudioBackend, AudioDeviceError, InputDevice, InputStreamLike

log = logging.getLogger(__name__)

RATE = 16_000
BLOCK_SECONDS = 0.032  # 512 samples at 16 kHz
POOL_SECONDS = 8.0  # how much audio may wait for the consumer before blocks are dropped
SILENT_INPUT_S = 2.0
#: no callback for this long while the stream should run = the device is gone
STALL_S = 2.0
MAX_REOPENS = 3

Audio = npt.NDArray[np.float32]


def silent_input_message() -> str:
    if sys.platform == "darwin":
        return (
            "The microphone delivers only silence: allow Granite Dictate to use it in "
            "System Settings → Privacy & Security → Microphone, then restart recording."
        )
    return "The microphone delivers only digital silence: check that it is not muted or disabled."


@dataclass(frozen=True)
class Level:
    rms_db: float = -120.0
    peak_db: float = -120.0


@dataclass(frozen=True)
class CaptureEvent:
    """``kind``: ``silent_input``, ``input_restored`` (real sound after ``silent_input``),
    ``device_lost``, ``device_switched`` or ``stopped``."""

    kind: str
    message: str


def _db(x: float) -> float:
    return 20.0 * math.log10(x) if x > 1e-6 else -120.0


class AudioCapture:
    """One recording from one input device. ``start()``, then ``read()`` from one consumer
    thread until it returns ``None`` (stopped or device lost), then ``close()``."""

    def __init__(
        self,
        backend: AudioBackend,
        device: InputDevice,
        *,
        on_event: Callable[[CaptureEvent], None] | None = None,
        fallback_to_default: bool = True,
    ) -> None:
        self._backend = backend
        self.device = device
        self._on_event = on_event
        self._fallback = fallback_to_default
        self._stream: InputStreamLike | None = None
        self._stopping = threading.Event()
        self._finished = threading.Event()
        self.overflows = 0
        self.dropped_blocks = 0
        self.level = Level()
        self.samples_out = 0
        self._zero_run = 0
        self._heard_signal = False
        self._silent_reported = False
        self._last_callback = 0.0
        self._reopens = 0
        self._configure(device)

    # --- setup -------------------------------------------------------------------------
    def _configure(self, device: InputDevice) -> None:
        if self._backend.supports(device.index, RATE, 1):
            self.rate, self.channels = RATE, 1
        else:
            self.rate = round(device.default_rate) or 48_000
            self.channels = max(1, min(device.channels, 2))
            if not self._backend.supports(device.index, self.rate, self.channels):
                raise AudioDeviceError(
                    f"The input device {device.name!r} does not accept "
                    f"{self.rate} Hz with {self.channels} channel(s)."
                )
        self.blocksize = max(64, round(self.rate * BLOCK_SECONDS))
        nblocks = max(8, math.ceil(POOL_SECONDS / BLOCK_SECONDS))
        self._pool = np.zeros((nblocks, self.blocksize, self.channels), np.float32)
        self._frames = np.zeros(nblocks, np.int64)
        self._free: queue.SimpleQueue[int] = queue.SimpleQueue()
        for i in range(nblocks):
            self._free.put(i)
        self._filled: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._resampler: Any = (
            soxr.ResampleStream(self.rate, RATE, 1, dtype="float32", quality="HQ")
            if self.rate != RATE
            else None
        )
        self._finished.clear()
        log.info(
            "capture on %r at %d Hz, %d channel(s)%s",
            device.name,
            self.rate,
            self.channels,
            " (resampled to 16 kHz)" if self._resampler else "",
        )

    # --- audio thread ------------------------------------------------------------------
    def _callback(self, indata: Any, frames: int, _time: Any, status: Any) -> None:
        if status and status.input_overflow:
            self.overflows += 1
        self._last_callback = time.monotonic()
        try:
            idx = self._free.get_nowait()
        except queue.Empty:
            self.dropped_blocks += 1
            return
        n = min(frames, self.blocksize)
        self._pool[idx, :n] = indata[:n]
        self._frames[idx] = n
        self._filled.put(idx)

    def _stream_finished(self) -> None:
        self._finished.set()

    # --- control -----------------------------------------------------------------------
    def start(self) -> None:
        self._stopping.clear()
        self._stream = self._backend.open_input(
            device=self.device.index,
            samplerate=self.rate,
            channels=self.channels,
            blocksize=self.blocksize,
            callback=self._callback,
            finished_callback=self._stream_finished,
        )
        self._last_callback = time.monotonic()
        try:
            self._stream.start()
        except Exception as err:
            self._close_stream()
            raise AudioDeviceError(f"Cannot start the input device: {err}") from err

    def stop(self) -> None:
        """Ask the stream to stop; ``read()`` drains what was captured, then returns None."""
        self._stopping.set()

    def close(self) -> None:
        self._stopping.set()
        self._close_stream()

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        try:
            stream.stop()
        except Exception as err:  # a vanished device may fail to stop; the audio is kept
            log.info("stopping the stream: %s", err)
        try:
            stream.close()
        except Exception as err:
            log.info("closing the stream: %s", err)

    # --- consumer thread ---------------------------------------------------------------
    def read(self, timeout: float = 0.1) -> Audio | None:
        """Next 16 kHz mono audio (possibly empty when nothing arrived within ``timeout``);
        ``None`` once stopped or the device is gone and no stream could replace it."""
        blocks: list[Audio] = []
        stopping = self._stopping.is_set()
        if stopping:
            self._close_stream()  # no new blocks after this: drain, then end
        try:
            idx = self._filled.get(block=not stopping, timeout=timeout)
            blocks.append(self._take(idx))
            while True:
                blocks.append(self._take(self._filled.get_nowait()))
        except queue.Empty:
            pass
        if blocks:
            return self._process(np.concatenate(blocks))
        if stopping:
            return self._final()
        if self._stream_lost():
            if self._switch_to_default():
                return np.zeros(0, np.float32)
            self._close_stream()
            final = self._final()
            return final if final is not None and len(final) else None
        return np.zeros(0, np.float32)

    def _take(self, idx: int) -> Audio:
        n = int(self._frames[idx])
        block = self._pool[idx, :n]
        mono = block[:, 0].copy() if self.channels == 1 else block.mean(axis=1, dtype=np.float32)
        self._free.put(idx)
        return mono

    def _final(self) -> Audio | None:
        if self._resampler is not None:
            tail = self._resampler.resample_chunk(np.zeros(0, np.float32), last=True)
            self._resampler = None
            if len(tail):
                out: Audio = np.asarray(tail, np.float32)
                self.samples_out += len(out)
                return out
        return None

    def _process(self, native: Audio) -> Audio:
        self._check_silence(native)
        out = native
        if self._resampler is not None:
            out = np.asarray(self._resampler.resample_chunk(native), np.float32)
        if len(out):
            peak = float(np.max(np.abs(out)))
            rms = float(np.sqrt(np.mean(np.square(out, dtype=np.float64))))
            self.level = Level(_db(rms), _db(peak))
        self.samples_out += len(out)
        return out

    def _check_silence(self, native: Audio) -> None:
        if self._heard_signal:
            return
        if np.any(native != 0.0):
            self._heard_signal = True
            if self._silent_reported:  # the warning is out of date: say so
                self._emit("input_restored", "The microphone delivers sound again.")
            return
        if self._silent_reported:
            return
        self._zero_run += len(native)
        if self._zero_run >= SILENT_INPUT_S * self.rate:
            self._silent_reported = True
            self._emit("silent_input", silent_input_message())

    def _stream_lost(self) -> bool:
        if self._stream is None:
            return True
        if self._finished.is_set():
            return True
        try:
            active = self._stream.active
        except Exception:
            return True
        return (not active) or time.monotonic() - self._last_callback > STALL_S

    def _switch_to_default(self) -> bool:
        """Reopen on the current default input (the same device if it came back, e.g. after
        sleep); at most MAX_REOPENS times per recording."""
        lost = self.device.name
        self._close_stream()
        stopped = f"The input device {lost!r} stopped; recording stopped."
        if not self._fallback or self._reopens >= MAX_REOPENS:
            self._emit("device_lost", stopped)
            return False
        self._reopens += 1
        try:
            self._backend.refresh()
            default = self._backend.default_input()
            candidates = [d for d in self._backend.input_devices() if d.index == default]
            if not candidates:
                raise AudioDeviceError("no input device left")
            tail = self._final()
            if tail is not None and len(tail):
                log.info("dropping %d resampler tail samples on device switch", len(tail))
            self._configure(candidates[0])
            self.device = candidates[0]
            self.start()
        except AudioDeviceError as err:
            log.info("no fallback device: %s", err)
            self._emit("device_lost", stopped)
            return False
        now = self.device.name
        action = "restarted it" if now == lost else f"continuing on {now!r}"
        self._emit("device_switched", f"The input device {lost!r} stopped; {action}.")
        return True

    def _emit(self, kind: str, message: str) -> None:
        log.log(logging.INFO if kind == "input_restored" else logging.WARNING, "%s", message)
        if self._on_event is not None:
            self._on_event(CaptureEvent(kind, message))

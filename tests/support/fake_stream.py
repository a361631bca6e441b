"""A fake PortAudio backend: plays a numpy array through capture's REAL callback in real time.

``FakeBackend(audio, rate=…, channels=…)`` looks like ``app.audio.devices.AudioBackend``. The
stream it opens runs a thread that calls ``callback(indata, frames, time, status)`` with
``blocksize`` frames at the pace of the sample rate (``speed`` > 1 plays faster, for long
clips). Knobs: ``overflow_blocks`` (block indices whose status has ``input_overflow``),
``unplug_at_s`` (the callback stops, ``active`` turns False and the finished callback fires —
what PortAudio does when a USB microphone is pulled), ``after_end`` (``"silence"`` keeps
delivering zeros like a real microphone, ``"stop"`` ends the stream), ``native_rate`` /
``channels`` (the device does not support 16 kHz mono: capture must resample and downmix),
and a second device to fall back to.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.audio.devices import AudioDeviceError, InputDevice


@dataclass
class FakeStatus:
    input_overflow: bool = False

    def __bool__(self) -> bool:
        return self.input_overflow


@dataclass
class FakeDevice:
    name: str
    audio: np.ndarray  # (n,) or (n, channels) float32 at ``rate``
    rate: int = 16_000
    channels: int = 1
    only_native: bool = False  # True: refuses 16 kHz mono, forcing resampling
    overflow_blocks: set[int] = field(default_factory=set)
    unplug_at_s: float | None = None
    after_end: str = "silence"  # or "stop"


class FakeStream:
    def __init__(
        self,
        device: FakeDevice,
        blocksize: int,
        channels: int,
        callback: Callable[[Any, int, Any, Any], None],
        finished_callback: Callable[[], None],
        speed: float,
        on_unplug: Callable[[], None],
    ) -> None:
        self.device = device
        self.blocksize = blocksize
        self.channels = channels
        self._callback = callback
        self._finished = finished_callback
        self._speed = speed
        self._on_unplug = on_unplug
        self._stop = threading.Event()
        self._active = False
        self.blocks_delivered = 0
        self.started_at = 0.0  # time.perf_counter() when the first block was due
        self._thread = threading.Thread(target=self._run, name="fake-audio", daemon=True)
        audio = np.asarray(device.audio, np.float32)
        self._audio = audio.reshape(-1, 1) if audio.ndim == 1 else audio
        if self._audio.shape[1] != channels:
            self._audio = np.repeat(self._audio[:, :1], channels, axis=1)

    @property
    def active(self) -> bool:
        return self._active

    def start(self) -> None:
        self._active = True
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join()
        self._active = False

    def close(self) -> None:
        self.stop()

    def _run(self) -> None:
        dev, bs, rate = self.device, self.blocksize, self.device.rate
        indata = np.zeros((bs, self.channels), np.float32)
        t0 = time.monotonic()
        self.started_at = time.perf_counter()
        pos = 0
        block = 0
        unplug_at = None if dev.unplug_at_s is None else round(dev.unplug_at_s * rate)
        while not self._stop.is_set():
            # like a real device: a block is delivered once its last sample has been "heard"
            delay = t0 + (pos + bs) / rate / self._speed - time.monotonic()
            if delay > 0 and self._stop.wait(delay):
                break
            if unplug_at is not None and pos >= unplug_at:
                self._active = False
                self._on_unplug()
                self._finished()
                return
            chunk = self._audio[pos : pos + bs]
            if len(chunk) < bs and dev.after_end == "stop" and len(chunk) == 0:
                self._active = False
                self._finished()
                return
            indata[:] = 0.0
            indata[: len(chunk)] = chunk
            status = FakeStatus(input_overflow=block in dev.overflow_blocks)
            self._callback(indata, bs, None, status)
            self.blocks_delivered += 1
            pos += bs
            block += 1


class FakeBackend:
    """``devices[0]`` is the system default unless ``default`` says otherwise."""

    def __init__(self, *devices: FakeDevice, speed: float = 1.0, default: int = 0) -> None:
        self.devices = list(devices)
        self.speed = speed
        self.default = default
        self.unplugged: set[int] = set()
        self.streams: list[FakeStream] = []
        self.refreshes = 0

    def input_devices(self) -> list[InputDevice]:
        return [
            InputDevice(i, d.name, d.channels, float(d.rate), i == self.default)
            for i, d in enumerate(self.devices)
            if i not in self.unplugged
        ]

    def default_input(self) -> int | None:
        return self.default if self.default not in self.unplugged else None

    def supports(self, device: int, samplerate: int, channels: int) -> bool:
        dev = self.devices[device]
        if dev.only_native:
            return samplerate == dev.rate and channels == dev.channels
        return True

    def open_input(
        self,
        *,
        device: int,
        samplerate: int,
        channels: int,
        blocksize: int,
        callback: Callable[[Any, int, Any, Any], None],
        finished_callback: Callable[[], None],
    ) -> FakeStream:
        if device in self.unplugged:
            raise AudioDeviceError("Cannot open the input device: device unavailable")
        dev = self.devices[device]
        if samplerate != dev.rate and not dev.only_native:
            # Behave like PortAudio converting for us: resample the clip up front.
            import soxr

            dev = FakeDevice(
                dev.name,
                soxr.resample(np.asarray(dev.audio, np.float32), dev.rate, samplerate),
                samplerate,
                dev.channels,
                dev.only_native,
                dev.overflow_blocks,
                dev.unplug_at_s,
                dev.after_end,
            )

        def unplug() -> None:
            self.unplugged.add(device)
            if self.default == device:
                others = [i for i in range(len(self.devices)) if i not in self.unplugged]
                self.default = others[0] if others else -1

        stream = FakeStream(
            dev, blocksize, channels, callback, finished_callback, self.speed, unplug
        )
        self.streams.append(stream)
        return stream

    def refresh(self) -> None:
        self.refreshes += 1


class EnergyVad:
    """Speech = RMS above -40 dBFS; ``hook(frame_no)`` runs on the consumer thread."""

    def __init__(self, hook: Callable[[int], None] | None = None) -> None:
        self.n = 0
        self.hook = hook

    def reset(self) -> None:
        self.n = 0

    def probability(self, frame: np.ndarray) -> float:
        self.n += 1
        if self.hook is not None:
            self.hook(self.n)
        return 0.9 if float(np.sqrt(np.mean(frame.astype(np.float64) ** 2))) > 0.01 else 0.0

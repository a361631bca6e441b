"""System audio (what the computer plays: "the other side" of a call) as a capture source.

Every source, the microphone's ``AudioCapture`` included, looks like ``AudioSource``:
``start()``, then ``read()`` from one consumer thread until it returns ``None``, then
``close()``; 16 kHz mono float32 out. ``open_system_audio(choice)`` picks the source:

* ``None``/"" (the default): on Linux the monitor of the default PulseAudio/PipeWire sink
  (``parec -d @DEFAULT_MONITOR@``, which pipewire-pulse provides too); on macOS a Core Audio
  process tap (``app.audio.meeting.system_audio_macos``, macOS 14.2+);
* ``pulse:NAME``: that PulseAudio source (e.g. ``pulse:vcall.monitor``);
* anything else: an input device as for the microphone (a loopback device such as
  BlackHole, or an ALSA pulse PCM defined in ~/.asoundrc), captured by ``AudioCapture``.

Tests use ``tests/support/fake_system_audio.py``.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import subprocess
import sys
import threading
from typing import IO

import numpy as np

from app.audio.capture import RATE, Audio, AudioCapture, Level
from app.audio.devices import AudioBackend, SoundDeviceBackend, resolve_device
from app.audio.meeting.sources import (
    AudioSource as AudioSource,
)
from app.audio.meeting.sources import (
    CaptureEventSink as CaptureEventSink,
)
from app.audio.meeting.sources import (
    DeviceSource as DeviceSource,
)
from app.audio.meeting.sources import (
    SystemAudioError as SystemAudioError,
)

log = logging.getLogger(__name__)

PULSE_PREFIX = "pulse:"
DEFAULT_MONITOR = "@DEFAULT_MONITOR@"
_CHUNK_BYTES = 4 * RATE // 20  # 50 ms of float32


class PulseMonitorSource:
    """A PulseAudio/PipeWire source recorded by ``parec`` (raw float32 16 kHz mono on its
    stdout, read by a helper thread). Works for any source, monitors of sinks included."""

    def __init__(self, source: str = DEFAULT_MONITOR, *, latency_ms: int = 50) -> None:
        if shutil.which("parec") is None:
            raise SystemAudioError("Capturing system audio needs parec (package pulseaudio-utils).")
        self.source = source
        self._latency_ms = latency_ms
        self._proc: subprocess.Popen[bytes] | None = None
        self._queue: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._reader: threading.Thread | None = None
        self._stopping = threading.Event()
        self._ended = False
        self._rest = b""
        self.level = Level()
        self.overflows = 0

    @property
    def name(self) -> str:
        return "system audio" if self.source == DEFAULT_MONITOR else self.source

    def start(self) -> None:
        cmd = ["parec", f"--device={self.source}", "--format=float32le", f"--rate={RATE}"]
        cmd += ["--channels=1", f"--latency-msec={self._latency_ms}", "--raw"]
        try:
            self._proc = subprocess.Popen(
                cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL
            )
        except OSError as err:
            raise SystemAudioError(f"Cannot start parec: {err}") from err
        assert self._proc.stdout is not None
        self._reader = threading.Thread(
            target=self._pump, args=(self._proc.stdout,), name="granite-parec", daemon=True
        )
        self._reader.start()

    def _pump(self, out: IO[bytes]) -> None:
        fd = out.fileno()
        while True:
            try:
                data = os.read(fd, _CHUNK_BYTES)
            except OSError:
                data = b""
            if not data:
                break
            self._queue.put(data)
        self._queue.put(None)

    def read(self, timeout: float = 0.1) -> Audio | None:
        if self._ended:
            return None
        if self._stopping.is_set():
            self._terminate()
        parts: list[bytes] = []
        try:
            item = self._queue.get(timeout=timeout)
            while item is not None:
                parts.append(item)
                item = self._queue.get_nowait()
            self._ended = True
        except queue.Empty:
            pass
        if self._ended and not self._stopping.is_set():
            self._report_exit()
        data = self._rest + b"".join(parts)
        usable = len(data) - len(data) % 4
        self._rest = data[usable:]
        out = np.frombuffer(data[:usable], "<f4").astype(np.float32)
        if len(out):
            rms = float(np.sqrt(np.mean(np.square(out, dtype=np.float64))))
            peak = float(np.max(np.abs(out)))
            self.level = Level(_db(rms), _db(peak))
        if self._ended and not len(out):
            return None
        return out

    def _report_exit(self) -> None:
        proc = self._proc
        if proc is None or proc.stderr is None:
            return
        try:
            proc.wait(2)
            err = proc.stderr.read().decode(errors="replace").strip()
        except (subprocess.TimeoutExpired, OSError, ValueError):
            err = ""
        if proc.returncode:
            last = err.splitlines()[-1] if err else f"exit code {proc.returncode}"
            raise SystemAudioError(f"System audio capture stopped: {last}")

    def stop(self) -> None:
        self._stopping.set()

    def _terminate(self) -> None:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()

    def close(self) -> None:
        self._stopping.set()
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(3)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(3)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
        if self._reader is not None:
            self._reader.join(3)


def _db(x: float) -> float:
    return float(20.0 * np.log10(x)) if x > 1e-6 else -120.0


def open_system_audio(
    choice: str | None,
    *,
    backend: AudioBackend | None = None,
    on_event: CaptureEventSink | None = None,
) -> AudioSource:
    """The system-audio source for ``choice`` (see the module docstring); one-line
    ``SystemAudioError``/``AudioDeviceError`` when there is none."""
    choice = (choice or "").strip()
    if choice.startswith(PULSE_PREFIX):
        return PulseMonitorSource(choice[len(PULSE_PREFIX) :] or DEFAULT_MONITOR)
    if choice:
        real = backend or SoundDeviceBackend()
        device = resolve_device(real, choice)
        return DeviceSource(
            AudioCapture(real, device, on_event=on_event, fallback_to_default=False)
        )
    if sys.platform == "darwin":
        from app.audio.meeting.system_audio_macos import open_process_tap

        return open_process_tap(backend or SoundDeviceBackend(), on_event)
    if sys.platform.startswith("linux"):
        return PulseMonitorSource()
    raise SystemAudioError(
        "System audio capture is not available on this platform: pick a loopback input device."
    )


def open_meeting_sources(
    mic: str | None, system: str | None, *, backend: AudioBackend | None = None
) -> tuple[AudioSource, AudioSource]:
    """The microphone (``mic``: name/index, None = default) and the system audio, opened but
    not started; one-line ``GraniteError`` when either is missing."""
    real = backend or SoundDeviceBackend()
    device = resolve_device(real, mic or None)
    return DeviceSource(AudioCapture(real, device)), open_system_audio(system, backend=real)

"""Input devices: listing, choosing by name or index, and the PortAudio backend behind capture.

Capture talks to an ``AudioBackend`` so tests can swap in ``tests/support/fake_stream.py``.
``SoundDeviceBackend`` imports sounddevice lazily: PortAudio enumerates devices when it is
initialised, so ``refresh()`` re-initialises it (only while no stream is open) to see a new
system default or a device that was plugged in since.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from app.core.errors import GraniteError

log = logging.getLogger(__name__)

#: callback(indata, frames, time, status) as sounddevice calls it on its audio thread.
StreamCallback = Callable[[Any, int, Any, Any], None]


class AudioDeviceError(GraniteError):
    """No input device, an unknown device name/index, or a device that cannot be opened."""


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    channels: int
    default_rate: float
    is_default: bool = False
    hostapi: str = ""

    def label(self) -> str:
        return f"{self.index}: {self.name}" + (" (default)" if self.is_default else "")


class InputStreamLike(Protocol):
    """What capture needs from ``sounddevice.InputStream``."""

    @property
    def active(self) -> bool: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


class AudioBackend(Protocol):
    def input_devices(self) -> list[InputDevice]: ...

    def default_input(self) -> int | None: ...

    def supports(self, device: int, samplerate: int, channels: int) -> bool: ...

    def open_input(
        self,
        *,
        device: int,
        samplerate: int,
        channels: int,
        blocksize: int,
        callback: StreamCallback,
        finished_callback: Callable[[], None],
    ) -> InputStreamLike: ...

    def refresh(self) -> None: ...


def resolve_device(backend: AudioBackend, choice: str | int | None) -> InputDevice:
    """The input device for ``choice``: ``None``/"" = system default, an index, or a name
    (exact, then case-insensitive substring). Raises ``AudioDeviceError`` with one line."""
    devices = backend.input_devices()
    if not devices:
        raise AudioDeviceError("No audio input device found. Connect a microphone and retry.")
    if choice is None or (isinstance(choice, str) and not choice.strip()):
        default = backend.default_input()
        for dev in devices:
            if dev.index == default:
                return dev
        return devices[0]
    if isinstance(choice, int) or choice.strip().isdigit():
        index = int(choice)
        for dev in devices:
            if dev.index == index:
                return dev
        raise AudioDeviceError(f"No input device with index {index}. {_available(devices)}")
    name = choice.strip()
    for dev in devices:
        if dev.name == name:
            return dev
    matches = [d for d in devices if name.lower() in d.name.lower()]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise AudioDeviceError(f"No input device named {name!r}. {_available(devices)}")
    raise AudioDeviceError(f"Several input devices match {name!r}. {_available(matches)}")


def list_input_devices(refresh: bool = True) -> list[InputDevice]:
    """The system's input devices (re-querying PortAudio first unless a stream is open);
    ``AudioDeviceError`` when audio is unavailable. For device pickers."""
    backend = SoundDeviceBackend()
    if refresh:
        backend.refresh()
    return backend.input_devices()


def _available(devices: list[InputDevice]) -> str:
    return "Available: " + "; ".join(d.label() for d in devices) + "."


class SoundDeviceBackend:
    """The real backend: PortAudio through sounddevice (imported on first use)."""

    _lock = threading.Lock()
    _open_streams = 0

    def _sd(self) -> Any:
        try:
            import sounddevice
        except OSError as err:  # libportaudio missing
            raise AudioDeviceError(f"Audio input is unavailable: {err}") from err
        return sounddevice

    def input_devices(self) -> list[InputDevice]:
        sd = self._sd()
        try:
            raw = sd.query_devices()
            default = self.default_input()
            apis = [h["name"] for h in sd.query_hostapis()]
        except sd.PortAudioError as err:
            raise AudioDeviceError(f"Cannot list audio devices: {err}") from err
        out = []
        for info in raw:
            if int(info["max_input_channels"]) <= 0:
                continue
            out.append(
                InputDevice(
                    index=int(info["index"]),
                    name=str(info["name"]),
                    channels=int(info["max_input_channels"]),
                    default_rate=float(info["default_samplerate"]),
                    is_default=int(info["index"]) == default,
                    hostapi=apis[int(info["hostapi"])] if int(info["hostapi"]) < len(apis) else "",
                )
            )
        return out

    def default_input(self) -> int | None:
        sd = self._sd()
        try:
            index = int(sd.default.device[0])
            if index < 0:
                index = int(sd.query_hostapis(0)["default_input_device"])
        except (sd.PortAudioError, TypeError, ValueError, IndexError):
            return None
        return index if index >= 0 else None

    def supports(self, device: int, samplerate: int, channels: int) -> bool:
        sd = self._sd()
        try:
            sd.check_input_settings(
                device=device, samplerate=samplerate, channels=channels, dtype="float32"
            )
        except (sd.PortAudioError, ValueError):
            return False
        return True

    def open_input(
        self,
        *,
        device: int,
        samplerate: int,
        channels: int,
        blocksize: int,
        callback: StreamCallback,
        finished_callback: Callable[[], None],
    ) -> InputStreamLike:
        sd = self._sd()
        try:
            stream = sd.InputStream(
                device=device,
                samplerate=samplerate,
                channels=channels,
                dtype="float32",
                blocksize=blocksize,
                callback=callback,
                finished_callback=finished_callback,
            )
        except (sd.PortAudioError, ValueError) as err:
            raise AudioDeviceError(f"Cannot open the input device: {err}") from err
        return _CountedStream(stream, self)

    def refresh(self) -> None:
        """Re-initialise PortAudio so a changed system default or a new device is seen.
        Skipped while a stream is open (terminating PortAudio would kill it)."""
        sd = self._sd()
        with self._lock:
            if SoundDeviceBackend._open_streams:
                return
            try:
                sd._terminate()
                sd._initialize()
            except sd.PortAudioError as err:
                log.warning("PortAudio re-initialisation failed: %s", err)


class _CountedStream:
    """Wraps a sounddevice stream so ``refresh`` knows whether any stream is open."""

    def __init__(self, stream: Any, backend: SoundDeviceBackend) -> None:
        self._stream = stream
        self._closed = False
        with backend._lock:
            SoundDeviceBackend._open_streams += 1

    @property
    def active(self) -> bool:
        return bool(self._stream.active)

    def start(self) -> None:
        self._stream.start()

    def stop(self) -> None:
        self._stream.stop()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._stream.close()
        finally:
            with SoundDeviceBackend._lock:
                SoundDeviceBackend._open_streams -= 1


class Playback:
    """Plays 16 kHz mono audio on the default output device (QtMultimedia is not part of
    PySide6-Essentials). One sound at a time; ``stop()`` cuts it."""

    def __init__(self) -> None:
        self.playing = False

    def play(self, audio: Any, rate: int) -> None:
        sd = SoundDeviceBackend()._sd()
        try:
            sd.stop()
            sd.play(audio, rate)
        except (sd.PortAudioError, ValueError) as err:
            raise AudioDeviceError(f"Cannot play audio: {err}") from err
        self.playing = True

    def stop(self) -> None:
        if self.playing:
            self.playing = False
            sd = SoundDeviceBackend()._sd()
            try:
                sd.stop()
            except sd.PortAudioError as err:
                log.info("stopping playback: %s", err)

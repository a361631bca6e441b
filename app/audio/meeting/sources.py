"""What a meeting reads audio from: the source interface, the microphone (or any input
device) as a source, and the error every system-audio source raises."""

from __future__ import annotations

from typing import Protocol

from app.audio.capture import Audio, AudioCapture, CaptureEvent, Level
from app.audio.devices import AudioDeviceError


class SystemAudioError(AudioDeviceError):
    """System audio cannot be captured (no monitor, no permission, tool missing)."""


class AudioSource(Protocol):
    """What a meeting reads audio from (the microphone or the system output)."""

    @property
    def name(self) -> str: ...

    @property
    def level(self) -> Level: ...

    @property
    def overflows(self) -> int: ...

    def start(self) -> None: ...

    def read(self, timeout: float = 0.1) -> Audio | None: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


class DeviceSource:
    """An ``AudioCapture`` on an input device, as an ``AudioSource``."""

    def __init__(self, capture: AudioCapture) -> None:
        self.capture = capture

    @property
    def name(self) -> str:
        return self.capture.device.name

    @property
    def level(self) -> Level:
        return self.capture.level

    @property
    def overflows(self) -> int:
        return self.capture.overflows + self.capture.dropped_blocks

    def start(self) -> None:
        self.capture.start()

    def read(self, timeout: float = 0.1) -> Audio | None:
        return self.capture.read(timeout)

    def stop(self) -> None:
        self.capture.stop()

    def close(self) -> None:
        self.capture.close()


class CaptureEventSink(Protocol):
    def __call__(self, event: CaptureEvent, /) -> None: ...

"""Capture through the real callback, fed by the fake PortAudio backend."""

from __future__ import annotations

import numpy as np
import pytest

from app.audio.capture import RATE, AudioCapture, CaptureEvent
from app.audio.devices import AudioDeviceError, resolve_device
from tests.support.fake_stream import FakeBackend, FakeDevice


def _tone(seconds: float, rate: int = RATE, freq: float = 440.0) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _record(cap: AudioCapture, seconds: float | None = None) -> np.ndarray:
    """Read until ``seconds`` of output (then stop and drain) or until the capture ends."""
    out: list[np.ndarray] = []
    total = 0
    stopped = False
    while True:
        chunk = cap.read(timeout=0.05)
        if chunk is None:
            break
        out.append(chunk)
        total += len(chunk)
        if seconds is not None and not stopped and total >= seconds * RATE:
            cap.stop()
            stopped = True
    cap.close()
    return np.concatenate(out) if out else np.zeros(0, np.float32)


def test_16k_mono_passes_samples_through_exactly():
    src = _tone(1.0)
    backend = FakeBackend(FakeDevice("mic", src, after_end="silence"), speed=4)
    cap = AudioCapture(backend, resolve_device(backend, None))
    assert (cap.rate, cap.channels) == (RATE, 1)
    cap.start()
    got = _record(cap, 1.2)
    np.testing.assert_array_equal(got[: len(src)], src)
    assert not np.any(got[len(src) :])
    assert cap.overflows == 0
    assert cap.level.peak_db < -100  # last chunk was silence


def test_device_without_16k_is_resampled_and_downmixed():
    rate = 48_000
    left = _tone(1.5, rate, 300.0)
    stereo = np.stack([left, left], axis=1)
    backend = FakeBackend(FakeDevice("usb", stereo, rate, 2, only_native=True), speed=4)
    cap = AudioCapture(backend, resolve_device(backend, "usb"))
    assert (cap.rate, cap.channels) == (rate, 2)
    cap.start()
    got = _record(cap, 1.5)
    ref = _tone(1.5, RATE, 300.0)
    n = len(ref) - 800
    a, b = got[400:n], ref[400:n]
    # soxr delays by a few samples at most: find the lag, then compare
    lags = range(-40, 41)
    corr = [float(np.dot(a, np.roll(b, k))) for k in lags]
    k = list(lags)[int(np.argmax(corr))]
    r = np.corrcoef(a, np.roll(b, k))[0, 1]
    assert r > 0.99


def test_overflow_flags_are_counted():
    backend = FakeBackend(FakeDevice("mic", _tone(0.5), overflow_blocks={2, 5, 9}), speed=4)
    cap = AudioCapture(backend, resolve_device(backend, 0))
    cap.start()
    _record(cap, 0.5)
    assert cap.overflows == 3


def test_all_zero_stream_is_reported_within_two_seconds():
    events: list[CaptureEvent] = []
    backend = FakeBackend(FakeDevice("mic", np.zeros(RATE * 3, np.float32)), speed=8)
    cap = AudioCapture(backend, resolve_device(backend, None), on_event=events.append)
    cap.start()
    seen_at = None
    total = 0
    while seen_at is None and total < 3 * RATE:
        chunk = cap.read(0.05)
        assert chunk is not None
        total += len(chunk)
        if events:
            seen_at = total / RATE
    cap.close()
    assert [e.kind for e in events] == ["silent_input"]
    assert seen_at is not None and 2.0 <= seen_at <= 2.2


def test_quiet_but_real_signal_is_not_reported_as_silent():
    events: list[CaptureEvent] = []
    quiet = np.full(RATE * 3, 1e-5, np.float32)
    backend = FakeBackend(FakeDevice("mic", quiet), speed=8)
    cap = AudioCapture(backend, resolve_device(backend, None), on_event=events.append)
    cap.start()
    _record(cap, 2.5)
    assert events == []


def test_unplug_keeps_audio_and_stops_cleanly():
    events: list[CaptureEvent] = []
    src = _tone(2.0)
    backend = FakeBackend(FakeDevice("usb", src, unplug_at_s=1.0), speed=4)
    cap = AudioCapture(backend, resolve_device(backend, None), on_event=events.append)
    cap.start()
    got = _record(cap)  # ends by itself
    np.testing.assert_array_equal(got, src[: len(got)])
    assert len(got) >= RATE  # everything delivered before the unplug
    assert [e.kind for e in events] == ["device_lost"]
    assert "usb" in events[0].message and "\n" not in events[0].message


def test_unplug_continues_on_the_default_device():
    events: list[CaptureEvent] = []
    usb = FakeDevice("usb", _tone(2.0, freq=440), unplug_at_s=0.5)
    builtin = FakeDevice("built-in", _tone(2.0, freq=880))
    backend = FakeBackend(usb, builtin, speed=4)
    cap = AudioCapture(backend, resolve_device(backend, "usb"), on_event=events.append)
    cap.start()
    total = 0
    while True:
        chunk = cap.read(0.05)
        assert chunk is not None
        total += len(chunk)
        if cap.device.name == "built-in" and total > 1.0 * RATE:
            break
    cap.close()
    assert [e.kind for e in events] == ["device_switched"]
    assert "built-in" in events[0].message


def test_resolve_device_errors_are_one_line():
    backend = FakeBackend(FakeDevice("Built-in Mic", _tone(0.1)), FakeDevice("USB Mic", _tone(0.1)))
    assert resolve_device(backend, "usb").name == "USB Mic"
    assert resolve_device(backend, "1").index == 1
    for bad in ("mic", "9", "zzz"):
        with pytest.raises(AudioDeviceError) as info:
            resolve_device(backend, bad)
        assert "\n" not in str(info.value)
    with pytest.raises(AudioDeviceError, match="No audio input device"):
        resolve_device(FakeBackend(), None)


def test_a_device_that_stops_but_stays_listed_is_restarted_a_few_times_at_most():
    events: list[CaptureEvent] = []
    # the device stops after 0.2 s every time it is opened, yet stays listed as the default
    backend = FakeBackend(FakeDevice("mic", _tone(1.0), unplug_at_s=0.2), speed=4)
    backend.unplugged = _Forgetful()
    cap = AudioCapture(backend, resolve_device(backend, None), on_event=events.append)
    cap.start()
    got = _record(cap)
    assert [e.kind for e in events] == ["device_switched"] * 3 + ["device_lost"]
    assert "restarted it" in events[0].message
    assert len(backend.streams) == 4
    assert len(got) >= 4 * (round(0.2 * RATE) - 512)  # every stretch before each stop kept


class _Forgetful(set[int]):
    """An 'unplugged' set that keeps nothing: the device always comes back."""

    def add(self, _item: int) -> None:
        pass


def test_silence_warning_is_withdrawn_when_sound_arrives():
    events: list[CaptureEvent] = []
    src = np.concatenate([np.zeros(RATE * 3, np.float32), _tone(1.0)])
    backend = FakeBackend(FakeDevice("mic", src), speed=8)
    cap = AudioCapture(backend, resolve_device(backend, None), on_event=events.append)
    cap.start()
    _record(cap, 3.8)
    assert [e.kind for e in events] == ["silent_input", "input_restored"]

"""BandEcho: the echo's energy per band predicted from the system audio, whatever its phase."""

from __future__ import annotations

import numpy as np

from app.core.meeting.echo import EchoConfig
from app.core.meeting.echo_bands import BANDS, BandEcho, band_powers

RATE = 16_000
FRAME = 512


def _noise(seed: int, n: int = FRAME) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 0.1, n).astype(np.float32)


def _tone(hz: float, db: float, n: int = FRAME) -> np.ndarray:
    t = np.arange(n) / RATE
    return (10 ** (db / 20) * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def _shift(x: np.ndarray, samples: float) -> np.ndarray:
    """``x`` delayed by a fractional number of samples."""
    t = np.arange(len(x), dtype=np.float64)
    return np.interp(t - samples, t, x).astype(np.float32)


def _learned(gain_db: float, frames: int = 20) -> BandEcho:
    echo = BandEcho()
    for i in range(frames):
        system = _noise(i)
        _db, bands = echo.measure(system * 10 ** (gain_db / 20), [system])
        echo.commit(bands, learn=True)
    return echo


def test_a_tone_lands_in_its_band():
    p = band_powers(_tone(1250, -20))  # bands of 500 Hz: 1000-1500 Hz is the third
    assert len(p) == BANDS and int(np.argmax(p)) == 2
    assert p[2] > 0.99 * p.sum()


def test_nothing_is_explained_before_a_gain_is_known():
    system = _noise(1)
    explained, _bands = BandEcho().measure(system * 0.2, [system])
    assert explained == 0.0


def test_a_seed_is_a_first_guess():
    echo = BandEcho()
    echo.seed(0.18)  # -15 dB
    system = _noise(1)
    explained, _bands = echo.measure(system * 0.18, [system])
    assert echo.seeded and explained > 20


def test_an_echo_out_of_phase_is_explained_and_your_voice_is_not():
    echo = _learned(-15)
    system = _noise(50)
    leak = _shift(system, 1.5) * 10 ** (-15 / 20)  # a sample and a half late: phase lost
    explained, _bands = echo.measure(leak, [system])
    assert explained > 15
    you = _tone(300, -25) + _tone(2200, -28)  # quieter than their voice, in a few bands
    explained, _bands = echo.measure(leak + you, [system])
    assert explained < 3


def test_double_talk_does_not_raise_the_learned_gain():
    echo = BandEcho()
    for i in range(40):
        system = _noise(i)
        mic = system * 10 ** (-15 / 20)
        if i % 2 == 0:  # half the frames: you speak over them, 10 dB louder
            mic = mic + _noise(100 + i) * 10 ** (-5 / 20)
        _db, bands = echo.measure(mic, [system])
        echo.commit(bands, learn=True)
    system = _noise(99)
    you = _noise(98) * 10 ** (-11 / 20)  # 4 dB above the echo
    explained, _bands = echo.measure(system * 10 ** (-15 / 20) + you, [system])
    assert explained < EchoConfig().erle_db  # kept (a gain 3 dB too high would explain it)


def test_reflections_after_their_voice_stops_are_explained_until_silence():
    echo = _learned(-15)
    loud = _noise(60)
    _db, bands = echo.measure(loud * 10 ** (-15 / 20), [loud])
    echo.commit(bands, learn=False)
    quiet = np.zeros(FRAME, np.float32)  # the system went quiet; the room still rings
    ringing = _noise(61) * 10 ** (-15 / 20) * 10 ** (-8 / 20)
    explained, bands = echo.measure(ringing, [quiet])
    assert explained > 8
    echo.silence()
    explained, _bands = echo.measure(ringing, [quiet])
    assert explained < 1


def test_gains_are_forgotten_when_the_echo_is_no_longer_heard():
    echo = _learned(-15)
    quiet_you = _noise(70) * 10 ** (-25 / 20)  # your voice, 10 dB under the echo predicted
    system = _noise(71)
    explained, bands = echo.measure(quiet_you, [system])
    assert explained > 8  # what the learned gains say while they are kept
    for i in range(8):  # a headset: their voice, and the mic holds none of it
        _db, bands = echo.measure(_noise(80 + i) * 1e-4, [_noise(90 + i)])
        echo.commit(bands, learn=False)
    explained, bands = echo.measure(quiet_you, [system])
    assert explained == 0.0 and not echo.seeded

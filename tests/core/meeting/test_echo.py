"""EchoGate: call audio leaked into the mic at about -15 dB with 30-60 ms delay is dropped;
your own speech (alone or over theirs) is kept. Also when the echo is not a scaled copy at one
integer delay: a clock that drifts (PulseAudio's loopback in the end-to-end test moves the
delay by ~1000 ppm) and a room's reflections."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.meeting.echo import EchoConfig, EchoGate
from tests.support.espeak import compose, noise, synthesize

RATE = 16_000
FRAME = 512


def _leak(system: np.ndarray, delay_s: float, gain_db: float) -> np.ndarray:
    d = round(delay_s * RATE)
    out = np.zeros_like(system)
    out[d:] = system[: len(system) - d] * 10 ** (gain_db / 20)
    return out


def _drifting_leak(system: np.ndarray, delay_s: float, gain_db: float, ppm: float) -> np.ndarray:
    """The leak through a loudspeaker whose clock runs ``ppm`` fast: the delay is fractional
    and grows by ``ppm`` millionths of the elapsed time."""
    t = np.arange(len(system), dtype=np.float64)
    src = t - delay_s * RATE - t * ppm * 1e-6
    return np.interp(src, t, system, left=0, right=0).astype(np.float32) * 10 ** (gain_db / 20)


def _room(direct_s: float, drr_db: float, gain_db: float = -15.0, seed: int = 1) -> np.ndarray:
    """A room's impulse response: the direct path at ``direct_s``, then 40 reflections decaying
    over the next ~110 ms (150 ms in all) holding ``drr_db`` less energy than the direct path
    (direct-to-reverberant ratio); ``gain_db`` overall."""
    rng = np.random.default_rng(seed)
    d, n = round(direct_s * RATE), round(0.15 * RATE)
    at = rng.choice(np.arange(d + 1, n), 40, replace=False)
    h = np.zeros(n)
    h[at] = rng.normal(0, 1, 40) * np.exp(-(at - d) / (0.04 * RATE))
    h *= np.sqrt(10 ** (-drr_db / 10) / np.sum(h**2))
    h[d] = 1.0
    return (h * 10 ** (gain_db / 20) / np.sqrt(np.sum(h**2))).astype(np.float32)


def _run(mic: np.ndarray, system: np.ndarray, skew: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Feed the gate like the session does (system in 100 ms pieces, mic judged when it can);
    ``skew`` > 0: the system stream started ``skew`` samples after the mic stream (< 0: the
    mic stream started late)."""
    gate = EchoGate(EchoConfig())
    system = system[skew:] if skew > 0 else np.concatenate([np.zeros(-skew, np.float32), system])
    out, flags = [], []
    step = RATE // 10
    pos = 0
    n = len(mic) - len(mic) % FRAME
    i = 0
    while i < n:
        if not gate.can_judge(system_ended=pos >= len(system)):
            gate.push_system(system[pos : pos + step])
            pos += step
            continue
        frame, echo = gate.frame(mic[i : i + FRAME])
        out.append(frame)
        flags.append(echo)
        i += FRAME
    return np.concatenate(out), np.array(flags)


def _speech_frames(x: np.ndarray, db: float = -45.0) -> set[int]:
    n = len(x) // FRAME
    rms = np.sqrt(np.mean(x[: n * FRAME].reshape(n, FRAME).astype(np.float64) ** 2, axis=1))
    return {int(i) for i in np.flatnonzero(20 * np.log10(rms + 1e-12) > db)}


@pytest.mark.parametrize(
    ("delay_s", "gain_db", "skew"),
    [
        (0.03, -15, 0),
        (0.06, -15, 800),
        (0.045, -12, -400),
        (0.04, -15, 9600),  # the system capture started 0.6 s late
        (0.04, -15, -9600),  # the microphone started 0.6 s late
        (0.04, -15, 24000),  # parec started 1.5 s after the microphone (a loaded machine)
    ],
)
def test_leaked_call_is_dropped_and_your_speech_kept(delay_s, gain_db, skew):
    system, you_track = _monologue_and_reply()  # the call starts after both captures
    if skew > RATE // 2:  # the call starts after the late capture too
        system, you_track = (np.pad(x, (skew, 0)) for x in (system, you_track))
    n = len(system)
    mic = you_track + _leak(system, delay_s, gain_db) + noise(n / RATE, -65, seed=3)[:n]
    out, flags = _run(mic.astype(np.float32), system, skew)
    leak_frames = _speech_frames(_leak(system, delay_s, gain_db)[: len(out)], -50)
    you_frames = _speech_frames(you_track[: len(out)], -45)
    assert leak_frames and you_frames and not (leak_frames & you_frames)
    # what is left audible of the leak: nothing above -50 dBFS
    left = _speech_frames(out, -50) & leak_frames
    assert len(left) <= 1, sorted(left)
    # every frame of your speech is kept untouched
    assert not any(flags[i] for i in you_frames if i < len(flags))
    np.testing.assert_array_equal(
        out[: len(you_track)][you_track[: len(out)] != 0][:100],
        mic[: len(out)][you_track[: len(out)] != 0][:100],
    )


def _monologue_and_reply() -> tuple[np.ndarray, np.ndarray]:
    """(system, your track): their phrase from 1 s, your reply 0.8 s after it."""
    them = synthesize("good morning everyone, let us start with the budget", "en+m3")
    you = synthesize("sounds good to me, thank you", "en+f2")
    system = compose([1.0, them, 2.5, 0.2]).audio
    you_track = compose([1.0 + them.duration + 0.8, you, 0.2]).audio
    n = max(len(system), len(you_track))
    return np.pad(system, (0, n - len(system))), np.pad(you_track, (0, n - len(you_track)))


@pytest.mark.parametrize("ppm", [300, 1000])
def test_a_drifting_clock_leaves_no_echo_audible(ppm):
    """Failed before the band-energy test: at 1000 ppm whole runs of echo frames matched
    with a gain <= 0 and became a "You" utterance (at 300 ppm: a few frames)."""
    system, you_track = _monologue_and_reply()
    leak = _drifting_leak(system, 0.04003, -15, ppm)
    mic = (you_track + leak + noise(len(system) / RATE, -65, seed=3)).astype(np.float32)
    out, flags = _run(mic, system)
    left = _speech_frames(out, -50) & _speech_frames(leak[: len(out)], -50)
    assert not left, sorted(left)
    assert not any(flags[i] for i in _speech_frames(you_track[: len(out)], -45))


@pytest.mark.parametrize(("direct_s", "drr_db"), [(0.03, 3.0), (0.06, 0.0), (0.045, -3.0)])
def test_a_room_leaves_no_echo_audible(direct_s, drr_db):
    """Reflections up to 150 ms, as loud as the direct path or louder: one delay and gain
    cannot cancel them (failed before the band-energy test)."""
    system, you_track = _monologue_and_reply()
    leak = np.convolve(system, _room(direct_s, drr_db))[: len(system)]
    mic = (you_track + leak + noise(len(system) / RATE, -65, seed=3)).astype(np.float32)
    out, flags = _run(mic, system)
    left = _speech_frames(out, -50) & _speech_frames(leak[: len(out)], -50)
    assert not left, sorted(left)
    assert not any(flags[i] for i in _speech_frames(you_track[: len(out)], -45))


def _double_talk() -> tuple[np.ndarray, np.ndarray]:
    """(system, your track): you speak over the middle of their phrase."""
    them = synthesize("the quarterly numbers look quite strong this time", "en+m3")
    you = synthesize("wait, which numbers", "en+f2")
    system = compose([0.3, them, 1.0]).audio
    you_track = compose([0.3 + 0.8, you]).audio
    return system, np.pad(you_track, (0, len(system) - len(you_track)))


@pytest.mark.parametrize("path", ["delay", "drift", "room"])
def test_double_talk_keeps_your_words(path):
    system, you_track = _double_talk()
    if path == "delay":
        leak = _leak(system, 0.04, -15)
    elif path == "drift":
        leak = _drifting_leak(system, 0.04003, -15, 1000)
    else:
        leak = np.convolve(system, _room(0.04, 0.0))[: len(system)]
    mic = (you_track + leak).astype(np.float32)
    _out, flags = _run(mic, system)
    you_frames = _speech_frames(you_track, -30)  # the loud part of your words
    kept = sum(1 for i in you_frames if i < len(flags) and not flags[i])
    assert kept >= 0.9 * len(you_frames)


def test_no_system_audio_drops_nothing():
    you = synthesize("just me talking here", "en+f2")
    mic = compose([0.3, you, 0.3]).audio
    out, flags = _run(mic, np.zeros(len(mic) + RATE, np.float32))
    assert not flags.any()
    np.testing.assert_array_equal(out, mic[: len(out)])


def test_unrelated_system_audio_is_not_echo():
    them = synthesize("this is a completely different sentence", "en+m3")
    you = synthesize("and I say something else entirely", "en+f2")
    n = max(len(them.audio), len(you.audio)) + RATE
    system = np.pad(them.audio, (0, n - len(them.audio)))
    mic = np.pad(you.audio, (0, n - len(you.audio)))
    _out, flags = _run(mic, system)
    you_frames = _speech_frames(mic, -30)
    assert sum(1 for i in you_frames if i < len(flags) and flags[i]) <= 1


def test_a_delay_that_moves_between_phrases_is_followed():
    them1 = synthesize("first we review the numbers from last week", "en+m3")
    them2 = synthesize("then we plan the release for next month", "en+m3")
    system = compose([0.5, them1, 1.5, them2, 1.0]).audio
    cut = round((0.5 + them1.duration + 0.75) * RATE)  # in the pause: the delay jumps
    leak = np.concatenate([_leak(system, 0.04, -15)[:cut], _leak(system, 0.16, -15)[cut:]])
    mic = (leak + noise(len(system) / RATE, -65, seed=5)[: len(system)]).astype(np.float32)
    out, _flags = _run(mic, system)
    left = _speech_frames(out, -50) & _speech_frames(leak[: len(out)], -50)
    assert len(left) <= 2, sorted(left)


def test_a_delay_that_moves_inside_a_phrase_is_followed():
    them = synthesize("and then the whole team went to the conference in the autumn", "en+m3")
    system = compose([0.5, them, 1.0]).audio
    cut = round((0.5 + them.duration / 2) * RATE)  # a player under-run in mid-phrase
    leak = np.concatenate([_leak(system, 0.04, -15)[:cut], _leak(system, 0.2, -15)[cut:]])
    mic = (leak + noise(len(system) / RATE, -65, seed=6)[: len(system)]).astype(np.float32)
    out, _flags = _run(mic, system)
    left = _speech_frames(out, -50) & _speech_frames(leak[: len(out)], -50)
    assert len(left) <= 4, sorted(left)  # never the 0.2 s of speech an utterance needs


def test_a_headset_put_on_mid_call_keeps_your_words_over_theirs():
    """The learned echo gains are forgotten once the mic stops hearing the call: your voice
    over theirs, quieter than the echo they predict, is not taken for it."""
    them1 = synthesize("first we review the numbers from last week", "en+m3")
    them2 = synthesize("the quarterly numbers look quite strong this time and we go on", "en+m3")
    you = synthesize("wait, which numbers do you mean exactly", "en+f2")
    system = compose([0.5, them1, 6.0, them2, 1.0]).audio
    you_track = compose([0.5 + them1.duration + 6.5, you]).audio * 10 ** (-12 / 20)
    you_track = np.pad(you_track, (0, len(system) - len(you_track)))
    leak = _leak(system, 0.04, -15)
    leak[round((0.5 + them1.duration + 1.0) * RATE) :] = 0  # the headset goes on
    out, flags = _run((you_track + leak).astype(np.float32), system)
    assert _speech_frames(leak[: len(out)], -50) <= set(np.flatnonzero(flags))
    you_frames = _speech_frames(you_track[: len(out)], -45)
    assert len(you_frames) > 40
    assert not any(flags[i] for i in you_frames)

"""The meeting echo gate (part ``echo`` of ``tests.bench.meeting_bench``, no model).

    python -m tests.bench.echo_bench [--minutes 1]

A conversation of ``--minutes`` (their phrases, your replies, and every third reply spoken over
the end of their phrase) with the call leaked into the mic at -15 dB through three paths: one
delay (40 ms), a clock drifting 1000 ppm (PulseAudio's loopback in the end-to-end test drifts
about that much), a room (direct path at 45 ms + reflections to 150 ms as loud as it). Per
path: CPU seconds of ``EchoGate`` per audio minute; echo frames dropped (frames where only the
leak is audible, above -50 dBFS); double-talk frames kept (your loud frames over the leak);
your frames alone kept; and "You" utterances holding none of your speech after the VAD and
endpointer (a ``MeetingSession`` on fake sources; the echo turned into a "You" line).

Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np

RATE = 16_000


def _echo_conversation(minutes: float) -> tuple[np.ndarray, np.ndarray]:
    """(system, your track): turns with 0.8 s pauses; every third reply overlaps the end of
    their phrase by 0.8 s (double talk)."""
    from tests.support.espeak import synthesize

    them = [
        synthesize("good morning everyone, let us look at the numbers for this week", "en+m3"),
        synthesize("the release is on track and testing starts on monday", "en+m3"),
        synthesize("could you send me the slides after the call", "en+m3"),
    ]
    you = [
        synthesize("sounds good to me", "en+f2"),
        synthesize("yes, I can do that today", "en+f2"),
        synthesize("wait, which numbers do you mean", "en+f2"),
    ]
    n = round(minutes * 60 * RATE)
    system, mine = np.zeros(n + 10 * RATE, np.float32), np.zeros(n + 10 * RATE, np.float32)
    t, turn = RATE, 0
    while t < n:
        a, b = them[turn % 3].audio, you[turn % 3].audio
        system[t : t + len(a)] += a
        t += len(a) + (-round(0.8 * RATE) if turn % 3 == 2 else round(0.8 * RATE))
        mine[t : t + len(b)] += b
        t += len(b) + round(0.8 * RATE)
        turn += 1
    return system[:n], mine[:n]


def _leaks(system: np.ndarray) -> dict[str, np.ndarray]:
    from tests.core.meeting.test_echo import _drifting_leak, _leak, _room

    return {
        "delay 40 ms": _leak(system, 0.04, -15),
        "drift 1000 ppm": _drifting_leak(system, 0.04003, -15, 1000),
        "room, DRR 0 dB": np.convolve(system, _room(0.045, 0.0))[: len(system)],
    }


def _frame_db(x: np.ndarray, frame: int = 512) -> np.ndarray:
    n = len(x) // frame
    power = np.mean(x[: n * frame].reshape(n, frame).astype(np.float64) ** 2, axis=1)
    return 10 * np.log10(power + 1e-12)


def _you_lines(mic: np.ndarray, system: np.ndarray, mine: np.ndarray) -> tuple[int, int]:
    """(utterances on the mic side, those holding none of your speech) of a meeting session
    fed both tracks."""
    import tempfile

    from app.audio.meeting.meeting import MeetingConfig, MeetingSession
    from tests.support.fake_system_audio import ArraySource

    class Collect:
        def __init__(self) -> None:
            self.spans: list[tuple[float, float]] = []

        def utterance(self, utt: Any) -> None:
            if utt.side.value == "you":
                self.spans.append((utt.start, utt.end))

        def capture_event(self, event: Any) -> None:
            pass

        def stopped(self, summary: Any) -> None:
            pass

    listener = Collect()
    with tempfile.TemporaryDirectory(prefix="echo-bench-") as tmp:
        session = MeetingSession(
            listener,
            ArraySource(mic, "mic", after_end="stop"),
            ArraySource(system, "system", after_end="stop"),
            MeetingConfig(journal_dir=Path(tmp)),
        )
        session.start()
        session.wait()
    loud = _frame_db(mine) > -45
    empty = sum(
        1
        for a, b in listener.spans
        if not loud[round(a * RATE) // 512 : round(b * RATE) // 512].any()
    )
    return len(listener.spans), empty


def echo_gate(minutes: float) -> None:
    from app.core.meeting.echo import EchoGate
    from tests.core.meeting.test_echo import _run

    system, mine = _echo_conversation(minutes)
    noise = np.random.default_rng(3).normal(0, 10 ** (-65 / 20), len(system))
    print(f"\nEcho gate, {len(system) / RATE:.0f} s conversation, leak at -15 dB")
    print(
        f"{'path':16} {'CPU s/min':>9} {'echo dropped':>13} {'double talk kept':>17} "
        f"{'you alone kept':>15} {'You lines w/o you':>18}"
    )
    for name, leak in _leaks(system).items():
        mic = (mine + leak + noise).astype(np.float32)
        t = time.process_time()
        _out, flags = _run(mic, system.astype(np.float32))
        cpu = (time.process_time() - t) * 60 / (len(mic) / RATE)
        n = len(flags)
        you_db, leak_db = _frame_db(mine)[:n], _frame_db(leak)[:n]
        only_echo = (leak_db > -50) & (you_db < -60)
        talk = (you_db > -30) & (leak_db > -50)
        alone = (you_db > -45) & (leak_db < -60)
        lines, empty = _you_lines(mic, system.astype(np.float32), mine)
        print(
            f"{name:16} {cpu:9.2f} {_share(flags[only_echo]):>13} "
            f"{_share(~flags[talk]):>17} {_share(~flags[alone]):>15} {empty:>11} of {lines:<4}"
        )
    print(f"(a fresh EchoGate per path; {EchoGate.__module__})")


def _share(hits: np.ndarray) -> str:
    return f"{100 * hits.mean():.1f}% of {len(hits)}" if len(hits) else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=1.0)
    echo_gate(parser.parse_args().minutes)


if __name__ == "__main__":
    main()

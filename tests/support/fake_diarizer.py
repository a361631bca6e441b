"""A stand-in for the Sortformer speaker model, whose random test weights tell nobody apart.

``FakeDiarizer`` finds turns from loudness: every stretch of sound set apart by at least
``gap`` seconds of silence is one turn, and the turns take the speakers of ``order`` one after
the other (a stream goes on where its last piece stopped). A test that composes two voices
with a pause between them therefore knows the turns exactly. ``loader(d)`` and ``load`` have
``load_diarizer``'s signature; a command picks up ``load`` through
``GRANITE_DICTATE_SPEAKER_LOADER=tests.support.fake_diarizer:load``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from app.core.meeting.speakers import SpeakerTurn
from app.engine.base import Audio

RATE = 16_000
FRAME = RATE // 50  # 20 ms


def sound_spans(audio: Audio, gap: float, level: float = 0.01) -> list[tuple[float, float]]:
    """Stretches (seconds) whose 20 ms frames are louder than ``level`` RMS, closer than
    ``gap`` joined."""
    n = len(audio) // FRAME
    frames = np.asarray(audio[: n * FRAME], np.float64).reshape(n, FRAME)
    loud = np.sqrt(np.mean(frames**2, axis=1)) > level
    spans: list[tuple[float, float]] = []
    for i in np.flatnonzero(loud):
        start, end = float(i * FRAME / RATE), float((i + 1) * FRAME / RATE)
        if spans and start - spans[-1][1] < gap:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


class FakeStream:
    def __init__(self, owner: FakeDiarizer) -> None:
        self._owner, self._next = owner, 0

    def feed(self, audio: Audio) -> list[SpeakerTurn]:
        self._owner.fed.append(len(audio))
        turns, self._next = self._owner.turns(audio, self._next)
        return turns


class FakeDiarizer:
    def __init__(self, order: Sequence[int] = (0, 1), gap: float = 0.25) -> None:
        self.order, self.gap = tuple(order), gap
        self.fed: list[int] = []  # sample counts of every piece diarized

    def turns(self, audio: Audio, first: int = 0) -> tuple[list[SpeakerTurn], int]:
        spans = sound_spans(audio, self.gap)
        speakers = [self.order[(first + i) % len(self.order)] for i in range(len(spans))]
        turns = [SpeakerTurn(a, b, s) for (a, b), s in zip(spans, speakers, strict=True)]
        return turns, first + len(spans)

    def diarize(self, audio: Audio) -> list[SpeakerTurn]:
        self.fed.append(len(audio))
        return self.turns(audio)[0]

    def stream(self) -> FakeStream:
        return FakeStream(self)


def loader(diarizer: FakeDiarizer | None = None) -> Any:
    """A ``load_diarizer`` stand-in that hands out ``diarizer`` (a new one by default)."""
    model = diarizer or FakeDiarizer()

    def load(_spec: str, **_options: object) -> FakeDiarizer:
        return model

    return load


def load(_spec: str, **_options: object) -> FakeDiarizer:
    """A new ``FakeDiarizer`` (Speaker 1, Speaker 2 in turn) for any spec."""
    return FakeDiarizer()

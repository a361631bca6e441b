"""The live preview feed: pieces of the open utterance's audio, pause-only pieces held."""

from __future__ import annotations

import numpy as np

from app.audio.listeners import PreviewFeed
from app.core.dictation.endpointing import EndpointConfig

CFG = EndpointConfig()
N = CFG.frame_samples
EVERY = CFG.frames(0.5)


class Recorder:
    def __init__(self) -> None:
        self.pieces: list[tuple[np.ndarray, bool]] = []
        self.ends = 0

    def preview(self, samples: np.ndarray, start: bool) -> None:
        self.pieces.append((samples, start))

    def preview_end(self) -> None:
        self.ends += 1


def _frame(i: int) -> np.ndarray:
    return np.full(N, i, np.float32)


def _feed(speech: list[bool], close_at: int | None = None) -> Recorder:
    rec = Recorder()
    feed = PreviewFeed(rec, CFG, 0.5)
    close = len(speech) + 1 if close_at is None else close_at
    for i, s in enumerate(speech):
        feed.frame(_frame(i), 0 < i <= close, i < close, emitted=i == close, speech=s)
    return rec


def test_pieces_of_pause_only_are_held_and_sent_with_the_speech_that_follows():
    speech = [True] * EVERY + [False] * (3 * EVERY) + [True] * EVERY
    rec = _feed(speech)
    sizes = [len(p) // N for p, _ in rec.pieces]
    # the first piece, nothing during the pause, then the pause with the first new speech
    # frame as soon as it comes
    assert sizes == [EVERY, 3 * EVERY + 1]
    assert [start for _, start in rec.pieces] == [True, False]
    heard = np.concatenate([p for p, _ in rec.pieces])[::N]
    np.testing.assert_array_equal(heard, np.arange(4 * EVERY + 1, dtype=np.float32))


def test_a_piece_with_one_speech_frame_goes_out_at_the_interval():
    speech = [True] * EVERY + [False] * (EVERY - 1) + [True] + [False] * (2 * EVERY)
    rec = _feed(speech)
    assert [len(p) // N for p, _ in rec.pieces] == [EVERY, EVERY]


def test_held_pause_audio_is_dropped_when_the_utterance_ends():
    speech = [True] * EVERY + [False] * (2 * EVERY)
    rec = _feed(speech, close_at=len(speech) - 1)
    assert [len(p) // N for p, _ in rec.pieces] == [EVERY] and rec.ends == 1

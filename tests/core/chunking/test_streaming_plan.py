"""The streamed chunk plan is the whole-file plan, chunk for chunk, handed out early."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.chunking.segmentation import Chunk, SegmentationConfig, plan_chunks
from app.core.chunking.streaming_plan import StreamingPlanner

RATE = 16_000
FRAME = 512
FS = FRAME / RATE


def _talk(seed: int, seconds: float) -> tuple[np.ndarray, np.ndarray]:
    """Speech-like probabilities (runs of speech and pauses of many lengths) and audio."""
    rng = np.random.default_rng(seed)
    n = round(seconds / FS)
    probs = np.zeros(n)
    i = 0
    while i < n:
        talk = int(
            rng.choice([rng.integers(3, 40), rng.integers(40, 400), rng.integers(400, 1500)])
        )
        probs[i : i + talk] = rng.uniform(0.3, 1.0, size=len(probs[i : i + talk]))
        i += talk
        i += int(rng.choice([rng.integers(1, 12), rng.integers(12, 40), rng.integers(40, 120)]))
    audio = (rng.standard_normal(n * FRAME) * np.repeat(probs, FRAME) * 0.1).astype(np.float32)
    return probs, audio


class Freed:
    """Samples whose beginning has been let go: reading before ``freed`` fails the test."""

    def __init__(self, audio: np.ndarray) -> None:
        self.audio = audio
        self.freed = 0

    def __len__(self) -> int:
        return len(self.audio)

    def __getitem__(self, index: slice, /) -> np.ndarray:
        start = index.indices(len(self.audio))[0]
        assert start >= self.freed, f"read from {start}, freed before {self.freed}"
        return self.audio[index]


def _stream(
    probs, audio, cfg, blocks: list[int], free: bool = False
) -> tuple[list[Chunk], list[int]]:
    samples = Freed(audio)
    planner = StreamingPlanner(cfg, FS, RATE, samples)
    out: list[Chunk] = []
    ready_at: list[int] = []  # frames pushed when each chunk was handed out
    i = 0
    for size in blocks:
        new = planner.push(probs[i : i + size])
        i += size
        out += new
        ready_at += [i] * len(new)
        if free and out:  # everything before the end of the last chunk handed out
            samples.freed = out[-1].samples(RATE).stop
        if i >= len(probs):
            break
    out += planner.finish()
    return out, ready_at


@pytest.mark.parametrize("seed", range(12))
def test_streamed_chunks_equal_the_whole_file_plan(seed: int) -> None:
    """Also with the samples before the last chunk handed out freed (odd seeds): the planner
    never reads them again."""
    probs, audio = _talk(seed, 600.0)
    cfg = SegmentationConfig(max_chunk_s=[30.0, 8.0, 15.0][seed % 3])
    rng = np.random.default_rng(100 + seed)
    blocks = [int(b) for b in rng.integers(1, 600, size=len(probs))]
    streamed, ready_at = _stream(probs, audio, cfg, blocks, free=seed % 2 == 1)
    whole = plan_chunks(probs, FS, audio, cfg, RATE)
    assert streamed == whole
    # handed out early: most chunks long before the end of the file
    early = [c for c, at in zip(streamed, ready_at, strict=False) if at < len(probs) - 100]
    assert len(early) >= len(whole) // 2


def test_a_chunk_comes_as_soon_as_a_long_pause_ends_it() -> None:
    probs = np.zeros(1000)
    probs[10:100] = 0.9  # 2.9 s of speech, then silence
    audio = np.zeros(1000 * FRAME, np.float32)
    cfg = SegmentationConfig()
    planner = StreamingPlanner(cfg, FS, RATE, audio)
    assert planner.push(probs[:105]) == []  # the region is not even closed yet
    needed = 100 + round(cfg.break_pause_s / FS) + 1
    got: list[Chunk] = []
    for i in range(105, needed + 5):
        got += planner.push(probs[i : i + 1])
        if got:
            break
    assert got == plan_chunks(probs, FS, audio, cfg, RATE)
    assert i <= needed  # no later than the pause that guarantees it


def test_continuous_speech_is_handed_out_in_max_chunk_pieces_while_it_goes_on() -> None:
    rng = np.random.default_rng(7)
    n = round(200 / FS)
    probs = np.full(n, 0.9)
    audio = (rng.standard_normal(n * FRAME) * 0.1).astype(np.float32)
    cfg = SegmentationConfig(max_chunk_s=20.0)
    streamed, ready_at = _stream(probs, audio, cfg, [round(5 / FS)] * (n // round(5 / FS) + 1))
    assert streamed == plan_chunks(probs, FS, audio, cfg, RATE)
    # one region without a pause: its bounds are final only at the end of the file
    assert ready_at == []

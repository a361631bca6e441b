"""Streaming VAD + chunk plan over a decoding file: the same chunks as the whole-file split."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.audio.files.decode import decode_file, iter_decode
from app.audio.files.stream_split import BlockSamples, StreamingSplitter
from app.audio.vad import split_audio
from app.core.chunking.segmentation import SegmentationConfig
from tests.support import espeak
from tests.support.media import write_audio

RATE = 16_000
SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "Long recordings are split at the pauses between sentences.",
    "Please send the report before Friday afternoon, and call me when it is done.",
    "Subtitles need start and end times for every cue.",
]


def _long_file(folder: Path, minutes: float, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    parts: list[object] = [0.4]
    total = 0.0
    while total < minutes * 60:
        s = espeak.synthesize(SENTENCES[int(rng.integers(len(SENTENCES)))])
        pause = float(rng.choice([0.15, 0.35, 0.6, 1.2, 3.0]))
        parts += [s, pause]
        total += s.duration + pause
    audio = espeak.compose(parts).audio  # type: ignore[arg-type]
    return write_audio(folder / f"talk-{seed}.flac", audio, RATE)


@pytest.mark.parametrize(("minutes", "max_chunk", "seed"), [(3.0, 30.0, 1), (2.0, 6.0, 2)])
def test_streamed_split_equals_the_whole_file_split(
    tmp_path: Path, minutes: float, max_chunk: float, seed: int
) -> None:
    path = _long_file(tmp_path, minutes, seed)
    cfg = SegmentationConfig(max_chunk_s=max_chunk)
    whole_audio = decode_file(path)
    whole = split_audio(whole_audio, cfg)
    splitter = StreamingSplitter(cfg)
    streamed = []
    ready_after: list[int] = []
    for i, block in enumerate(iter_decode(path, block_s=5.0)):
        new = splitter.feed(block)
        streamed += new
        ready_after += [i] * len(new)
    streamed += splitter.finish()
    assert streamed == whole and len(whole) > 10
    assert ready_after and ready_after[0] <= 2  # the first chunk within ~15 s of audio
    np.testing.assert_array_equal(splitter.samples[0 : len(whole_audio)], whole_audio)
    assert len(splitter.samples) == len(whole_audio)


def test_block_samples_slices_across_blocks() -> None:
    x = np.arange(100, dtype=np.float32)
    buf = BlockSamples()
    for a, b in [(0, 7), (7, 30), (30, 31), (31, 100)]:
        buf.append(x[a:b])
    assert len(buf) == 100
    for a, b in [(0, 100), (5, 9), (6, 31), (30, 31), (99, 120), (50, 40)]:
        np.testing.assert_array_equal(buf[a:b], x[a:b])
    buf.release_before(30)  # frees the blocks that end by sample 30: [0, 7) and [7, 30)
    assert len(buf) == 100 and buf.held == 70
    np.testing.assert_array_equal(buf[30:40], x[30:40])
    with pytest.raises(ValueError, match="freed"):
        buf[29:40]
    buf.release_before(40)  # inside [31, 100): kept
    assert buf.held == 69
    buf.release()
    assert len(buf) == 100 and buf.held == 0 and len(buf[100:100]) == 0
    with pytest.raises(ValueError, match="freed"):
        buf[99:100]

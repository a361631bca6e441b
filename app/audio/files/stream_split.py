"""Voice detection and chunk planning while a file is decoded
(``app.core.chunking.streaming_plan``).

    splitter = StreamingSplitter(cfg)
    for block in iter_decode(path):          # 16 kHz mono blocks, in order
        ready = splitter.feed(block)         # chunks whose end is certain: send them on
    rest = splitter.finish()
    audio = splitter.samples                 # everything decoded, read by slices

The chunks are exactly ``split_audio`` on the whole decoded file (same VAD frames, the last
one zero-padded; same plan). The samples are kept as the decoded blocks (never one array
resized in place), so a reader on another thread may slice chunks while decoding goes on, and
the blocks before the end of the last chunk handed out may be freed (``release_before``) once
the model has read them: the planner reads no sample before that point again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from app.audio.vad import FRAME_S, FRAME_SAMPLES, SAMPLE_RATE, Vad
from app.core.chunking.segmentation import Chunk, SegmentationConfig
from app.core.chunking.streaming_plan import StreamingPlanner
from app.core.errors import CancelledError

Audio = npt.NDArray[np.float32]


class BlockSamples:
    """A growing mono signal stored as appended blocks; ``x[a:b]`` copies the samples out.
    One writer (``append``), any number of readers of samples already appended.

    ``release_before(i)`` frees the blocks that end at or before sample ``i`` (samples no
    reader needs any more); the length stays that of the whole signal, and reading released
    samples raises ``ValueError`` (a bug: a chunk is read after its samples were let go)."""

    def __init__(self) -> None:
        self._blocks: list[Audio] = []
        self._ends: list[int] = []  # cumulative end sample of each held block
        self._held_from = 0  # the first sample still held
        self._n = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._n

    @property
    def held(self) -> int:
        """Samples in memory."""
        return self._n - self._held_from

    def append(self, block: Audio) -> None:
        if len(block):
            with self._lock:
                self._blocks.append(np.ascontiguousarray(block, dtype=np.float32))
                self._n += len(block)
                self._ends.append(self._n)

    def release_before(self, sample: int) -> None:
        with self._lock:
            drop = int(np.searchsorted(self._ends, sample, side="right"))
            if drop:
                self._held_from = self._ends[drop - 1]
                del self._blocks[:drop], self._ends[:drop]

    def release(self) -> None:
        """Free every sample (a finished job)."""
        self.release_before(self._n)

    def __getitem__(self, index: slice, /) -> Audio:
        with self._lock:
            blocks, ends, held_from, n = (
                list(self._blocks),
                list(self._ends),
                self._held_from,
                self._n,
            )
        start, stop, step = index.indices(n)
        if step != 1:
            raise ValueError("BlockSamples slices take step 1")
        if stop <= start:
            return np.zeros(0, dtype=np.float32)
        if start < held_from:
            raise ValueError(
                f"samples {start}-{stop} read after those before {held_from} were freed"
            )
        first = int(np.searchsorted(ends, start, side="right"))
        parts: list[Audio] = []
        pos = ends[first - 1] if first > 0 else held_from
        for block, end in zip(blocks[first:], ends[first:], strict=True):
            lo, hi = max(start, pos) - pos, min(stop, end) - pos
            parts.append(block[lo:hi])
            if end >= stop:
                break
            pos = end
        return parts[0].copy() if len(parts) == 1 else np.concatenate(parts)


class StreamingSplitter:
    def __init__(self, cfg: SegmentationConfig, cancel: Callable[[], bool] | None = None) -> None:
        self.samples = BlockSamples()
        self._planner = StreamingPlanner(cfg, FRAME_S, SAMPLE_RATE, self.samples)
        self._vad = Vad()
        self._cancel = cancel
        self._pending = np.zeros(0, dtype=np.float32)  # samples of an incomplete frame

    def feed(self, block: Audio) -> list[Chunk]:
        """The next decoded block; returns the chunks that became certain."""
        self.samples.append(block)
        data = np.concatenate([self._pending, block]) if len(self._pending) else block
        full = len(data) // FRAME_SAMPLES
        frames = np.asarray(data[: full * FRAME_SAMPLES], dtype=np.float32)
        frames = frames.reshape(full, FRAME_SAMPLES)
        probs = np.zeros(full, dtype=np.float32)
        for i in range(full):
            if i % 256 == 0 and self._cancel is not None and self._cancel():
                raise CancelledError()
            probs[i] = self._vad.probability(frames[i])
        self._pending = np.array(data[full * FRAME_SAMPLES :], dtype=np.float32)
        return self._planner.push(probs)

    def finish(self) -> list[Chunk]:
        """End of the file: the last partial frame (zero-padded) and the remaining chunks."""
        ready: list[Chunk] = []
        if len(self._pending):
            last = np.zeros(FRAME_SAMPLES, dtype=np.float32)
            last[: len(self._pending)] = self._pending
            self._pending = np.zeros(0, dtype=np.float32)
            prob = np.array([self._vad.probability(last)], dtype=np.float32)
            ready = self._planner.push(prob)
        return ready + self._planner.finish()

"""The chunk plan of a file while it is still being decoded: the same chunks as ``plan_chunks``
on the whole file, each handed out as soon as nothing later in the file can change it.

    planner = StreamingPlanner(cfg, frame_s, rate, samples)
    for probs in vad_blocks:            # speech probabilities of the next frames, in order
        ready = planner.push(probs)     # chunks that are now certain (often none)
    rest = planner.finish()             # after the last frame: the remaining chunks

``samples`` is the decoded audio so far (read by slices, to cut over-long speech); it must
hold the audio of every frame pushed after the end of the last chunk handed out: the planner
never reads before that again (a region is cut once, when its bounds are final, and its
pieces are kept), so the samples behind it may be freed. When is a chunk certain (see
``app.core.chunking.segmentation``)?

* A speech region's bounds are final once the region has closed and the start of the region
  after it is known (that region closed too, or is open and already long enough to be kept:
  it only grows) — padding stops at the middle of the pause between them. Or, with no region
  after it yet, once the silence seen after it is at least twice the padding and at least
  ``break_pause_s``: then its padding is whole and nothing later can join its chunk.
* Its units (cut at the quietest points when too long) depend only on its bounds and audio.
* Grouping is greedy in order: a chunk is final once a final unit has closed it.

Everything is recomputed from the region list on each push (cheap: a few thousand regions per
hour of audio), with the cuts of long regions cached.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from app.core.chunking.segmentation import (
    Chunk,
    RegionTracker,
    Samples,
    SegmentationConfig,
    group_units,
    pad_regions,
    plan_units,
)

#: Float margin so that rounding can never turn "enough silence" into not enough.
_EPS = 1e-6


class StreamingPlanner:
    def __init__(
        self, cfg: SegmentationConfig, frame_s: float, rate: int, samples: Samples
    ) -> None:
        cfg.validate()
        self.cfg = cfg
        self.frame_s = frame_s
        self.rate = rate
        self.samples = samples
        self._tracker = RegionTracker(frame_s, cfg)
        self._probs = np.zeros(4096, dtype=np.float64)
        self._n = 0
        self._cuts: dict[tuple[float, float], list[tuple[float, float]]] = {}
        self.emitted: list[Chunk] = []

    @property
    def probs(self) -> npt.NDArray[np.float64]:
        return self._probs[: self._n]

    def push(self, probs: npt.NDArray[np.floating]) -> list[Chunk]:
        """Speech probabilities of the next frames; returns the chunks that became certain."""
        p = np.asarray(probs, dtype=np.float64).reshape(-1)
        if self._n + len(p) > len(self._probs):
            grown = np.zeros(max(2 * len(self._probs), self._n + len(p)), dtype=np.float64)
            grown[: self._n] = self._probs[: self._n]
            self._probs = grown
        self._probs[self._n : self._n + len(p)] = p
        self._n += len(p)
        self._tracker.feed(p)
        chunks, final = self._plan()
        return self._take(chunks[:final])

    def finish(self) -> list[Chunk]:
        """All frames pushed (the last partial frame zero-padded, as ``speech_probabilities``
        does) and ``samples`` complete: the remaining chunks of the whole-file plan
        (``plan_chunks`` step by step, with the regions already cut taken from the cache)."""
        t, fs = self._tracker, self.frame_s
        padded = pad_regions(t.regions(), t.n, fs, self.cfg)
        units = plan_units(padded, self.probs, fs, self.samples, self.cfg, self.rate, self._cuts)
        chunks = group_units(units, self.cfg)[0]
        if chunks[: len(self.emitted)] != self.emitted:  # a bug, never expected: say so
            raise AssertionError("streamed chunks differ from the whole-file plan")
        return self._take(chunks)

    def _take(self, chunks: list[Chunk]) -> list[Chunk]:
        new = chunks[len(self.emitted) :]
        self.emitted += new
        return new

    def _plan(self) -> tuple[list[Chunk], int]:
        t, cfg, fs = self._tracker, self.cfg, self.frame_s
        regions = t.regions()
        closed = len(t.closed)
        if closed == 0:
            return [], 0
        final_regions = closed - 1
        hard_end = False
        if len(regions) > closed:  # the open region is long enough: its start is certain
            final_regions = closed
        else:
            next_start = t.start if t.start is not None else t.n
            gap = next_start * fs - t.closed[-1][1] * fs
            if gap >= 2 * cfg.pad_s + _EPS and gap >= cfg.break_pause_s:
                final_regions, hard_end = closed, True
        if final_regions == 0:
            return [], 0
        padded = pad_regions(regions, t.n, fs, cfg)[:final_regions]
        units = plan_units(padded, self.probs, fs, self.samples, cfg, self.rate, self._cuts)
        return group_units(units, cfg, len(units), hard_end)

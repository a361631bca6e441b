"""Split long audio into model-sized chunks at pauses, from per-frame speech probabilities.

Pure numpy: the probabilities come from ``app.audio.vad`` (or any VAD, or a test).

Policy (``plan_chunks``):

1. **Speech regions** (``speech_regions``): a region starts at the first frame whose
   probability reaches ``threshold`` and ends at the first frame that falls below
   ``threshold - hysteresis``, provided the probability then stays below ``threshold`` for at
   least ``min_silence_s``; shorter dips are bridged. Regions shorter than ``min_speech_s`` are
   dropped as noise (clicks, breaths). Each region is padded by ``pad_s`` on both sides, but
   never beyond the middle of the pause to its neighbour nor outside the audio.
2. **Over-long regions**: a padded region longer than ``max_chunk_s`` (speech with no pause of
   ``min_silence_s``) is cut at its quietest point: the lowest RMS of the audio in 100 ms
   windows (long enough to prefer a short pause between words over the closure of a stop
   consonant), refined to the quietest 10 ms inside that window, or the lowest speech
   probability when no audio is given. The cut is searched between 50 % and 100 % of
   ``max_chunk_s`` from the piece's start so pieces stay long (leaving at least 1 s for the
   rest), and the search repeats on the rest until every piece fits.
3. **Grouping**: consecutive regions are merged into one chunk (the pause between them is
   kept, the model hears it) while the chunk stays ≤ ``max_chunk_s``. A chunk is closed at a
   pause when it already lasts ≥ ``target_chunk_s``, or when the pause is ≥ ``break_pause_s``
   (a new utterance), or when the next region would not fit.

Why these defaults (``target_chunk_s`` 10 s, ``break_pause_s`` 1 s, ``max_chunk_s`` 30 s): the
model only gives text per chunk, so a chunk's start/end are the only timestamps the transcript
has. MacWhisper/Buzz users expect SRT cues of a sentence or two (≈ 2–10 s), never a
half-minute block, while the model transcribes better with some context and pays a fixed
prompt cost per call. Closing at the first pause after ~10 s, or at any clear break in the
talk, yields cues of one utterance or a few sentences, with silence never sent to the model.

Chunk boundaries therefore lie inside pauses (at speech end + padding, at most the middle of
the pause) except where step 2 had to cut continuous speech. Timestamps are absolute seconds.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import numpy.typing as npt

from app.core.chunking.chunks import MAX_CHUNK_RANGE as MAX_CHUNK_RANGE
from app.core.chunking.chunks import Chunk as Chunk
from app.core.chunking.chunks import Samples as Samples
from app.core.chunking.chunks import SegmentationConfig as SegmentationConfig
from app.core.chunking.chunks import user_chunk_config as user_chunk_config
from app.core.errors import UsageError

log = logging.getLogger(__name__)

#: RMS window and hop used to find the quietest point of continuous speech.
QUIET_WINDOW_S = 0.1
QUIET_HOP_S = 0.01
#: The cut is then placed at the quietest 10 ms (1 ms steps) inside the chosen window.
FINE_WINDOW_S = 0.01
#: The cut in an over-long region is searched in [SEARCH_FROM * max_chunk_s, max_chunk_s].
SEARCH_FROM = 0.5
#: ...and leaves at least this much (or SEARCH_FROM * max_chunk_s if less) for the rest.
MIN_TAIL_S = 1.0


class RegionTracker:
    """The speech-region state machine of ``plan_chunks`` (step 1), fed probabilities in order
    (a whole file at once or block by block: same regions)."""

    def __init__(self, frame_s: float, cfg: SegmentationConfig) -> None:
        self.cfg = cfg
        self.min_silence = max(1, math.ceil(cfg.min_silence_s / frame_s - 1e-9))
        self.min_speech = cfg.min_speech_s / frame_s - 1e-9
        self.closed: list[tuple[int, int]] = []  # [start, end) frames, long enough to keep
        self.start: int | None = None  # the open region's first frame
        self.end_cand: int | None = None  # first frame of a dip below the off threshold
        self.n = 0  # frames seen

    def feed(self, probs: npt.NDArray[np.float64]) -> None:
        on = probs >= self.cfg.threshold
        off = probs < self.cfg.threshold - self.cfg.hysteresis
        start, end_cand, i = self.start, self.end_cand, self.n
        for is_on, is_off in zip(on.tolist(), off.tolist(), strict=True):
            if start is None:
                if is_on:
                    start, end_cand = i, None
            elif end_cand is None:
                if is_off:
                    end_cand = i
            elif is_on:
                end_cand = None  # dip was too short: bridged
            elif i - end_cand + 1 >= self.min_silence:
                if end_cand - start >= self.min_speech:
                    self.closed.append((start, end_cand))
                start, end_cand = None, None
            i += 1
        self.start, self.end_cand, self.n = start, end_cand, i

    @property
    def open_region(self) -> tuple[int, int] | None:
        """The region still open at the last frame, if it is already long enough to be kept
        (it only grows, so it will be)."""
        if self.start is None:
            return None
        end = self.end_cand if self.end_cand is not None else self.n
        return (self.start, end) if end - self.start >= self.min_speech else None

    def regions(self) -> list[tuple[int, int]]:
        """The regions of the frames so far, as if they were the whole file."""
        last = self.open_region
        return self.closed + ([last] if last is not None else [])


def _raw_regions(
    probs: npt.NDArray[np.floating], frame_s: float, cfg: SegmentationConfig
) -> list[tuple[int, int]]:
    """Speech regions as frame index ranges [start, end), before padding."""
    tracker = RegionTracker(frame_s, cfg)
    tracker.feed(np.asarray(probs, dtype=np.float64))
    return tracker.regions()


def _padded(
    probs: npt.NDArray[np.floating], frame_s: float, cfg: SegmentationConfig
) -> list[tuple[float, float, float]]:
    """Padded regions ``(start, end, pause_before)``; the pause is measured between the
    unpadded speech ends (infinite before the first region)."""
    cfg.validate()
    if not (frame_s > 0 and math.isfinite(frame_s)):
        raise UsageError(f"VAD frame length must be positive, not {frame_s}.")
    p = np.asarray(probs, dtype=np.float64).reshape(-1)
    return pad_regions(_raw_regions(p, frame_s, cfg), len(p), frame_s, cfg)


def pad_regions(
    frames: list[tuple[int, int]], n_frames: int, frame_s: float, cfg: SegmentationConfig
) -> list[tuple[float, float, float]]:
    """Step 1's padding of frame regions into ``(start, end, pause_before)`` seconds."""
    total = n_frames * frame_s
    raw = [(s * frame_s, e * frame_s) for s, e in frames]
    out: list[tuple[float, float, float]] = []
    for i, (s, e) in enumerate(raw):
        lo = (raw[i - 1][1] + s) / 2 if i > 0 else 0.0
        hi = (e + raw[i + 1][0]) / 2 if i + 1 < len(raw) else total
        pause = s - raw[i - 1][1] if i > 0 else math.inf
        out.append((max(lo, s - cfg.pad_s), min(hi, e + cfg.pad_s), pause))
    return out


def speech_regions(
    probs: npt.NDArray[np.floating], frame_s: float, cfg: SegmentationConfig
) -> list[tuple[float, float]]:
    """Padded speech regions ``(start, end)`` in seconds, sorted and non-overlapping.

    ``probs[i]`` is the speech probability of the frame ``[i * frame_s, (i + 1) * frame_s)``.
    Padding stops at the middle of the pause between two regions and at ``[0, len * frame_s]``.
    """
    return [(s, e) for s, e, _ in _padded(probs, frame_s, cfg)]


def _quietness(
    audio: Samples | None,
    probs: npt.NDArray[np.floating],
    frame_s: float,
    rate: int,
    lo: float,
    hi: float,
) -> tuple[npt.NDArray[np.float64], float, float]:
    """(loudness per step, first step time, step) over [lo, hi]: RMS of the audio in
    ``QUIET_WINDOW_S`` windows every ``QUIET_HOP_S``, or the speech probability per frame
    when there is no audio."""
    if audio is not None:
        hop, win = round(QUIET_HOP_S * rate), round(QUIET_WINDOW_S * rate)
        a = np.asarray(audio[round(lo * rate) : round(hi * rate)], dtype=np.float64)
        if len(a) >= win:
            power = np.concatenate(([0.0], np.cumsum(a * a)))
            starts = np.arange(0, len(a) - win + 1, hop)
            rms = np.sqrt((power[starts + win] - power[starts]) / win)
            # time of each value = the centre of its window
            return rms, lo + (win / 2) / rate, hop / rate
    first = max(0, math.ceil(lo / frame_s - 0.5))
    last = min(len(probs), math.floor(hi / frame_s - 0.5) + 1)
    values = np.asarray(probs[first:last], dtype=np.float64)
    return values, (first + 0.5) * frame_s, frame_s


def _flat_min_middle(values: npt.NDArray[np.float64]) -> int:
    """Index of the lowest value; for a flat run of equal lowest values, the middle of the
    latest run."""
    low = values <= values.min() * (1 + 1e-9) + 1e-12
    last = int(np.flatnonzero(low)[-1])
    first = last
    while first > 0 and low[first - 1]:
        first -= 1
    return (first + last) // 2


def _refine(audio: Samples, rate: int, centre: float, lo: float, hi: float) -> float:
    """Within the chosen quiet window, the centre of its quietest ``FINE_WINDOW_S`` stretch:
    the gap between two words rather than the tail of one."""
    a0 = max(round(lo * rate), round((centre - QUIET_WINDOW_S / 2) * rate))
    a1 = min(round(hi * rate), round((centre + QUIET_WINDOW_S / 2) * rate), len(audio))
    win, hop = round(FINE_WINDOW_S * rate), max(1, round(rate / 1000))
    a = np.asarray(audio[a0:a1], dtype=np.float64)
    if len(a) < win:
        return centre
    power = np.concatenate(([0.0], np.cumsum(a * a)))
    starts = np.arange(0, len(a) - win + 1, hop)
    best = starts[_flat_min_middle(power[starts + win] - power[starts])]
    return float((a0 + best + win / 2) / rate)


def _cut_long(
    region: tuple[float, float],
    probs: npt.NDArray[np.floating],
    frame_s: float,
    audio: Samples | None,
    cfg: SegmentationConfig,
    rate: int,
) -> list[tuple[float, float]]:
    """Cut a region into pieces ≤ max_chunk_s at its quietest points."""
    pieces: list[tuple[float, float]] = []
    s, e = region
    limit = cfg.max_chunk_s
    while e - s > limit:
        lo = s + SEARCH_FROM * limit
        hi = min(s + limit, e - min(MIN_TAIL_S, SEARCH_FROM * limit))  # no crumb of a piece
        values, t0, step = _quietness(audio, probs, frame_s, rate, lo, hi)
        times = t0 + step * np.arange(len(values))
        ok = (times > lo - 1e-9) & (times <= hi)
        if ok.any():
            idx = np.flatnonzero(ok)
            cut = float(times[idx[_flat_min_middle(values[idx])]])
            if audio is not None:
                cut = _refine(audio, rate, cut, lo, hi)
        else:
            cut = hi
        if not s < cut <= hi:  # never an empty piece or an endless loop
            cut = hi
        log.debug("cut continuous speech %.2f-%.2f at %.2f", s, e, cut)
        pieces.append((s, cut))
        s = cut
    pieces.append((s, e))
    return pieces


def plan_chunks(
    probs: npt.NDArray[np.floating],
    frame_s: float,
    audio: Samples | None,
    cfg: SegmentationConfig,
    rate: int = 16000,
) -> list[Chunk]:
    """Chunks to send to the model, sorted, non-overlapping, each ≤ ``cfg.max_chunk_s``.

    ``audio`` (mono, at ``rate``) is only read to find the quietest point of speech that runs
    longer than ``max_chunk_s`` without a pause; without it the lowest probability is used.
    Silence and noise-only stretches produce no chunk. See the module docstring for the policy.
    """
    regions = _padded(probs, frame_s, cfg)
    p = np.asarray(probs, dtype=np.float64).reshape(-1)
    return group_units(plan_units(regions, p, frame_s, audio, cfg, rate), cfg)[0]


def plan_units(
    regions: list[tuple[float, float, float]],
    probs: npt.NDArray[np.float64],
    frame_s: float,
    audio: Samples | None,
    cfg: SegmentationConfig,
    rate: int,
    cuts: dict[tuple[float, float], list[tuple[float, float]]] | None = None,
) -> list[tuple[float, float, float]]:
    """Step 2: padded regions → units ``(start, end, pause_before)`` ≤ ``max_chunk_s``
    (``cuts`` caches the pieces of a region already cut)."""
    if audio is not None and len(audio):
        duration = len(audio) / rate
        regions = [(s, min(e, duration), gap) for s, e, gap in regions if s < duration]
    units: list[tuple[float, float, float]] = []
    for s, e, gap in regions:
        pieces = cuts.get((s, e)) if cuts is not None else None
        if pieces is None:
            pieces = _cut_long((s, e), probs, frame_s, audio, cfg, rate)
            if cuts is not None:
                cuts[s, e] = pieces
        units += [(ps, pe, gap if k == 0 else 0.0) for k, (ps, pe) in enumerate(pieces)]
    return units


def group_units(
    units: list[tuple[float, float, float]],
    cfg: SegmentationConfig,
    final_units: int | None = None,
    hard_end: bool = False,
) -> tuple[list[Chunk], int]:
    """Step 3: group units into chunks. Returns the chunks and how many leading ones are final
    when only the first ``final_units`` units are (``None``: all, the whole file): a chunk is
    final once a final unit closed it, the last one only with ``hard_end`` (nothing after the
    units can join it)."""
    n_final_units = len(units) if final_units is None else final_units
    chunks: list[Chunk] = []
    final = 0
    cur: tuple[float, float] | None = None
    for k, (s, e, pause) in enumerate(units):
        if cur is not None:
            fits = e - cur[0] <= cfg.max_chunk_s
            long_enough = cur[1] - cur[0] >= cfg.target_chunk_s
            if fits and not long_enough and pause < cfg.break_pause_s:
                cur = (cur[0], e)
                continue
            chunks.append(Chunk(cur[0], cur[1]))
            final += k < n_final_units
        cur = (s, e)
    if cur is not None:
        chunks.append(Chunk(cur[0], cur[1]))
        final += final_units is None or (hard_end and n_final_units == len(units))
    return chunks, final

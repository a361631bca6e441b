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
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

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


#: The longest chunk sent to the model, seconds: the one range for Preferences and
#: ``transcribe --max-chunk`` (pauses need room to be found; the model's context ends near 5 min
#: and long chunks delay text and cost memory).
MAX_CHUNK_RANGE = (5.0, 120.0)


@dataclass(frozen=True)
class Chunk:
    """A stretch of the source to send to the model; ``start``/``end`` in absolute seconds."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start

    def samples(self, rate: int = 16000) -> slice:
        """The sample slice of this chunk in an array sampled at ``rate``."""
        return slice(round(self.start * rate), round(self.end * rate))


@dataclass(frozen=True)
class SegmentationConfig:
    """Tuning of ``plan_chunks``; see the module docstring for the policy."""

    max_chunk_s: float = 30.0  # hard limit per chunk (the model takes ≤ ~5 min; IBM: ≤ 2 min)
    min_speech_s: float = 0.25  # shorter speech islands are dropped as noise
    min_silence_s: float = 0.3  # shortest pause that ends a region (and so may end a chunk)
    pad_s: float = 0.2  # kept around speech, never past the middle of the pause
    threshold: float = 0.5  # speech probability that starts speech
    hysteresis: float = 0.15  # speech continues until probability < threshold - hysteresis
    target_chunk_s: float = 10.0  # close a chunk at the first pause once it is this long
    break_pause_s: float = 1.0  # a pause this long always closes the chunk

    def validate(self) -> None:
        """Raise ``UsageError`` for settings that make no sense."""
        if not 0.0 < self.threshold < 1.0:
            raise UsageError(f"VAD threshold must be between 0 and 1, not {self.threshold}.")
        if not 0.0 <= self.hysteresis < self.threshold:
            raise UsageError(f"VAD hysteresis must be in [0, threshold), not {self.hysteresis}.")
        if not self.max_chunk_s >= 1.0:
            raise UsageError(f"Maximum chunk length must be at least 1 s, not {self.max_chunk_s}.")
        for name in ("min_speech_s", "min_silence_s", "pad_s", "target_chunk_s", "break_pause_s"):
            value = getattr(self, name)
            if not (value >= 0.0 and math.isfinite(value)):
                raise UsageError(f"Segmentation setting {name} must be ≥ 0, not {value}.")


def _raw_regions(
    probs: npt.NDArray[np.floating], frame_s: float, cfg: SegmentationConfig
) -> list[tuple[int, int]]:
    """Speech regions as frame index ranges [start, end), before padding."""
    on = probs >= cfg.threshold
    off = probs < cfg.threshold - cfg.hysteresis
    min_silence = max(1, math.ceil(cfg.min_silence_s / frame_s - 1e-9))
    regions: list[tuple[int, int]] = []
    start: int | None = None
    end_cand: int | None = None  # first frame of a dip below the off threshold
    for i in range(len(probs)):
        if start is None:
            if on[i]:
                start, end_cand = i, None
            continue
        if end_cand is None:
            if off[i]:
                end_cand = i
        elif on[i]:
            end_cand = None  # dip was too short: bridged
        elif i - end_cand + 1 >= min_silence:
            regions.append((start, end_cand))
            start, end_cand = None, None
    if start is not None:
        regions.append((start, end_cand if end_cand is not None else len(probs)))
    min_speech = cfg.min_speech_s / frame_s - 1e-9
    return [(s, e) for s, e in regions if e - s >= min_speech]


def _padded(
    probs: npt.NDArray[np.floating], frame_s: float, cfg: SegmentationConfig
) -> list[tuple[float, float, float]]:
    """Padded regions ``(start, end, pause_before)``; the pause is measured between the
    unpadded speech ends (infinite before the first region)."""
    cfg.validate()
    if not (frame_s > 0 and math.isfinite(frame_s)):
        raise UsageError(f"VAD frame length must be positive, not {frame_s}.")
    p = np.asarray(probs, dtype=np.float64).reshape(-1)
    total = len(p) * frame_s
    raw = [(s * frame_s, e * frame_s) for s, e in _raw_regions(p, frame_s, cfg)]
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
    audio: npt.NDArray[np.floating] | None,
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


def _refine(
    audio: npt.NDArray[np.floating], rate: int, centre: float, lo: float, hi: float
) -> float:
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
    audio: npt.NDArray[np.floating] | None,
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
    audio: npt.NDArray[np.floating] | None,
    cfg: SegmentationConfig,
    rate: int = 16000,
) -> list[Chunk]:
    """Chunks to send to the model, sorted, non-overlapping, each ≤ ``cfg.max_chunk_s``.

    ``audio`` (mono, at ``rate``) is only read to find the quietest point of speech that runs
    longer than ``max_chunk_s`` without a pause; without it the lowest probability is used.
    Silence and noise-only stretches produce no chunk. See the module docstring for the policy.
    """
    regions = _padded(probs, frame_s, cfg)
    if audio is not None and len(audio):
        duration = len(audio) / rate
        regions = [(s, min(e, duration), gap) for s, e, gap in regions if s < duration]
    p = np.asarray(probs, dtype=np.float64).reshape(-1)
    units: list[tuple[float, float, float]] = []  # (start, end, pause before)
    for s, e, gap in regions:
        pieces = _cut_long((s, e), p, frame_s, audio, cfg, rate)
        units += [(ps, pe, gap if k == 0 else 0.0) for k, (ps, pe) in enumerate(pieces)]

    chunks: list[Chunk] = []
    cur: tuple[float, float] | None = None
    for s, e, pause in units:
        if cur is not None:
            fits = e - cur[0] <= cfg.max_chunk_s
            long_enough = cur[1] - cur[0] >= cfg.target_chunk_s
            if fits and not long_enough and pause < cfg.break_pause_s:
                cur = (cur[0], e)
                continue
            chunks.append(Chunk(cur[0], cur[1]))
        cur = (s, e)
    if cur is not None:
        chunks.append(Chunk(cur[0], cur[1]))
    return chunks


def user_chunk_config(max_chunk_s: float) -> SegmentationConfig:
    """The file segmentation for a user's longest-chunk setting (Preferences or
    ``--max-chunk``): one range, ``MAX_CHUNK_RANGE``; raises ``UsageError`` outside it."""
    lo, hi = MAX_CHUNK_RANGE
    if not lo <= max_chunk_s <= hi:
        raise UsageError(f"The longest chunk must be between {lo:g} and {hi:g} seconds.")
    cfg = SegmentationConfig(max_chunk_s=max_chunk_s)
    cfg.validate()
    return cfg

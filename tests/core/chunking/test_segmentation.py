"""Chunk planning on synthetic probability arrays (no VAD, no audio model)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
import pytest

from app.core.chunking.segmentation import (
    Chunk,
    SegmentationConfig,
    plan_chunks,
    speech_regions,
)
from app.core.errors import UsageError

F = 0.01  # frame length used by most tests: times map to frames exactly
EPS = 1e-6


def probs_for(spans: list[tuple[float, float]], total: float, frame_s: float = F) -> np.ndarray:
    """Probability 0.95 inside the spans, 0.02 elsewhere."""
    p = np.full(round(total / frame_s), 0.02)
    for s, e in spans:
        p[round(s / frame_s) : round(e / frame_s)] = 0.95
    return p


def tone(
    total: float, rate: int = 16000, quiet: Sequence[tuple[float, float, float]] = ()
) -> np.ndarray:
    """A 200 Hz tone at 0.5 amplitude; ``quiet`` lists (start, end, amplitude) dips."""
    t = np.arange(round(total * rate)) / rate
    amp = np.full(len(t), 0.5)
    for s, e, a in quiet:
        amp[round(s * rate) : round(e * rate)] = a
    return (amp * np.sin(2 * np.pi * 200 * t)).astype(np.float32)


def approx(a: float, b: float, tol: float = EPS) -> bool:
    return abs(a - b) <= tol


# --- speech_regions -------------------------------------------------------------------------


def test_empty_and_silent_input_give_nothing() -> None:
    cfg = SegmentationConfig()
    assert speech_regions(np.zeros(0), F, cfg) == []
    assert plan_chunks(np.zeros(0), F, None, cfg) == []
    assert plan_chunks(np.zeros(1000), F, np.zeros(160000, np.float32), cfg) == []
    assert plan_chunks(np.full(1000, 0.49), F, None, cfg) == []


def test_one_region_is_padded_and_absolute() -> None:
    cfg = SegmentationConfig()
    p = probs_for([(101.0, 103.0)], 110.0)
    regions = speech_regions(p, F, cfg)
    assert len(regions) == 1
    s, e = regions[0]
    assert approx(s, 100.8) and approx(e, 103.2)
    chunks = plan_chunks(p, F, None, cfg)
    assert len(chunks) == 1
    assert approx(chunks[0].start, 100.8) and approx(chunks[0].end, 103.2)


def test_padding_is_clipped_to_the_audio() -> None:
    cfg = SegmentationConfig(pad_s=0.5)
    p = probs_for([(0.1, 1.0), (4.0, 4.95)], 5.0)
    (s1, _), (_, e2) = speech_regions(p, F, cfg)
    assert s1 == 0.0 and approx(e2, 5.0)


def test_short_speech_is_dropped_as_noise() -> None:
    cfg = SegmentationConfig(min_speech_s=0.25)
    p = probs_for([(1.0, 1.2), (3.0, 3.3)], 5.0)
    regions = speech_regions(p, F, cfg)
    assert len(regions) == 1
    assert regions[0][0] < 3.0 < 3.3 < regions[0][1]


def test_short_dips_are_bridged_and_pauses_split() -> None:
    cfg = SegmentationConfig(min_silence_s=0.3)
    bridged = probs_for([(1.0, 2.0), (2.2, 3.0)], 5.0)  # 0.2 s dip
    assert len(speech_regions(bridged, F, cfg)) == 1
    split = probs_for([(1.0, 2.0), (2.4, 3.0)], 5.0)  # 0.4 s pause
    assert len(speech_regions(split, F, cfg)) == 2


def test_hysteresis_keeps_speech_going_but_never_starts_it() -> None:
    cfg = SegmentationConfig(threshold=0.5, hysteresis=0.15)
    p = probs_for([(1.0, 2.0)], 6.0)
    p[200:300] = 0.4  # between the two thresholds after speech: still speech
    p[400:500] = 0.4  # the same level alone: not speech
    regions = speech_regions(p, F, cfg)
    assert len(regions) == 1
    assert approx(regions[0][1], 3.0 + cfg.pad_s)


def test_padding_stops_at_the_middle_of_a_short_pause() -> None:
    cfg = SegmentationConfig(pad_s=0.5, min_silence_s=0.3)
    p = probs_for([(1.0, 2.0), (2.4, 3.0)], 5.0)
    (_, e1), (s2, _) = speech_regions(p, F, cfg)
    assert approx(e1, 2.2) and approx(s2, 2.2)


# --- plan_chunks: grouping ------------------------------------------------------------------


def utterances(
    n: int, length: float, pause: float, start: float = 1.0
) -> list[tuple[float, float]]:
    return [(start + i * (length + pause), start + i * (length + pause) + length) for i in range(n)]


def test_utterances_merge_until_the_target_length() -> None:
    cfg = SegmentationConfig(target_chunk_s=10.0, break_pause_s=1.0, max_chunk_s=30.0)
    spans = utterances(12, 2.0, 0.5)  # 2 s talk, 0.5 s pauses, for 30 s
    chunks = plan_chunks(probs_for(spans, 35.0), F, None, cfg)
    assert len(chunks) > 1
    for c in chunks[:-1]:
        assert c.duration >= cfg.target_chunk_s  # closed only once long enough
        assert c.duration < cfg.target_chunk_s + 2.0 + 0.5 + 2 * cfg.pad_s  # at the first pause
    for c in chunks:
        assert c.duration <= cfg.max_chunk_s


def test_a_long_pause_closes_the_chunk_and_silence_is_not_sent() -> None:
    cfg = SegmentationConfig(break_pause_s=1.0)
    spans = [(1.0, 2.0), (2.5, 3.5), (8.0, 9.0)]  # 0.5 s pause, then 4.5 s of silence
    chunks = plan_chunks(probs_for(spans, 10.0), F, None, cfg)
    assert len(chunks) == 2
    assert approx(chunks[0].start, 0.8) and approx(chunks[0].end, 3.7)
    assert approx(chunks[1].start, 7.8) and approx(chunks[1].end, 9.2)


def test_max_length_is_respected_and_boundaries_are_in_pauses() -> None:
    cfg = SegmentationConfig(max_chunk_s=6.0, target_chunk_s=100.0, break_pause_s=100.0)
    spans = utterances(10, 2.5, 0.4)
    chunks = plan_chunks(probs_for(spans, 40.0), F, None, cfg)
    assert len(chunks) >= 5
    for c in chunks:
        assert c.duration <= cfg.max_chunk_s + EPS
        for t in (c.start, c.end):
            assert not any(s < t < e for s, e in spans), f"boundary {t} inside speech"
    for w in spans:
        assert any(c.start <= w[0] and w[1] <= c.end for c in chunks)


# --- plan_chunks: cutting continuous speech -------------------------------------------------


def test_continuous_speech_is_cut_at_its_quietest_point() -> None:
    cfg = SegmentationConfig(max_chunk_s=15.0)
    audio = tone(21.0, quiet=[(13.0, 13.15, 0.01), (10.0, 10.15, 0.1)])
    p = probs_for([(0.5, 20.5)], 21.0)
    chunks = plan_chunks(p, F, audio, cfg)
    assert len(chunks) == 2
    assert chunks[0].end == chunks[1].start  # contiguous: nothing lost
    assert abs(chunks[0].end - 13.075) < 0.03
    assert chunks[0].start == pytest.approx(0.3) and chunks[1].end == pytest.approx(20.7)


def test_the_cut_is_searched_in_the_latter_half_so_chunks_stay_long() -> None:
    cfg = SegmentationConfig(max_chunk_s=15.0)
    # the deepest dip is at 4 s (too early); the best one in [7.8, 15.3] is at 12 s
    audio = tone(21.0, quiet=[(4.0, 4.2, 0.0), (12.0, 12.2, 0.05)])
    chunks = plan_chunks(probs_for([(0.5, 20.5)], 21.0), F, audio, cfg)
    assert abs(chunks[0].end - 12.1) < 0.03


def test_a_cut_never_leaves_a_crumb() -> None:
    cfg = SegmentationConfig(max_chunk_s=10.0)
    # padded region 0.3-10.5 (10.2 s); the quietest spot is at 10.2, 0.3 s before the end
    audio = tone(11.0, quiet=[(10.15, 10.25, 0.0), (9.0, 9.1, 0.1)])
    chunks = plan_chunks(probs_for([(0.5, 10.3)], 11.0), F, audio, cfg)
    assert len(chunks) == 2
    assert chunks[1].duration >= 1.0 - EPS
    assert abs(chunks[0].end - 9.05) < 0.03


def test_without_audio_the_lowest_probability_is_the_cut() -> None:
    cfg = SegmentationConfig(max_chunk_s=10.0)
    p = probs_for([(0.5, 18.5)], 19.0)
    p[round(8.0 / F)] = 0.6
    chunks = plan_chunks(p, F, None, cfg)
    assert abs(chunks[0].end - 8.005) < F


def test_very_long_speech_becomes_pieces_within_the_limit() -> None:
    cfg = SegmentationConfig(max_chunk_s=7.0)
    rng = np.random.default_rng(1)
    audio = (rng.standard_normal(16000 * 62) * 0.2).astype(np.float32)
    chunks = plan_chunks(probs_for([(1.0, 61.0)], 62.0), F, audio, cfg)
    assert len(chunks) >= math.ceil(60.4 / 7.0)
    assert all(c.duration <= 7.0 + EPS for c in chunks)
    assert all(a.end == b.start for a, b in itertools.pairwise(chunks))


def test_chunks_stop_at_the_end_of_shorter_audio() -> None:
    cfg = SegmentationConfig()
    p = probs_for([(1.0, 4.0)], 5.0)
    chunks = plan_chunks(p, F, np.zeros(16000 * 3, np.float32), cfg)
    assert len(chunks) == 1 and chunks[0].end == pytest.approx(3.0)


# --- config and Chunk -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "cfg",
    [
        SegmentationConfig(threshold=0.0),
        SegmentationConfig(threshold=1.2),
        SegmentationConfig(hysteresis=0.6),
        SegmentationConfig(max_chunk_s=0.5),
        SegmentationConfig(max_chunk_s=math.nan),
        SegmentationConfig(pad_s=-1.0),
        SegmentationConfig(min_silence_s=math.inf),
    ],
)
def test_bad_settings_are_one_line_usage_errors(cfg: SegmentationConfig) -> None:
    with pytest.raises(UsageError) as err:
        plan_chunks(np.zeros(10), F, None, cfg)
    assert "\n" not in str(err.value)


def test_bad_frame_length_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        speech_regions(np.zeros(10), 0.0, SegmentationConfig())


def test_chunk_samples() -> None:
    c = Chunk(1.5, 2.25)
    assert c.samples() == slice(24000, 36000)
    assert c.samples(8000) == slice(12000, 18000)
    assert c.duration == pytest.approx(0.75)


# --- randomized invariants ------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(40))
def test_random_inputs_keep_the_invariants(seed: int) -> None:
    rng = np.random.default_rng(seed)
    frame_s = float(rng.choice([0.01, 0.032, 0.03]))
    total = float(rng.uniform(5.0, 120.0))
    n = round(total / frame_s)
    # runs of speech and silence of random lengths, plus frame-level jitter
    p = np.zeros(n)
    i, speaking = 0, bool(rng.integers(2))
    while i < n:
        length = int(rng.exponential(3.0 if speaking else 1.0) / frame_s) + 1
        p[i : i + length] = rng.uniform(0.55, 1.0) if speaking else rng.uniform(0.0, 0.45)
        i, speaking = i + length, not speaking
    p = np.clip(p + rng.normal(0, 0.1, n), 0, 1)
    cfg = SegmentationConfig(
        max_chunk_s=float(rng.uniform(1.0, 20.0)),
        target_chunk_s=float(rng.uniform(0.0, 15.0)),
        pad_s=float(rng.uniform(0.0, 0.5)),
        min_silence_s=float(rng.uniform(0.05, 1.0)),
        break_pause_s=float(rng.uniform(0.1, 3.0)),
    )
    audio = None
    if rng.integers(2):
        audio = rng.uniform(-0.5, 0.5, round(total * 16000)).astype(np.float32)
    chunks = plan_chunks(p, frame_s, audio, cfg)
    regions = speech_regions(p, frame_s, cfg)
    if audio is not None:  # chunks never run past the end of the audio
        end = len(audio) / 16000
        regions = [(s, min(e, end)) for s, e in regions if s < end]

    for c in chunks:
        assert 0.0 <= c.start < c.end <= n * frame_s + EPS
        assert c.duration <= cfg.max_chunk_s + EPS
        assert c.duration >= min(cfg.min_speech_s, 0.5) - frame_s  # never a crumb
    for a, b in itertools.pairwise(chunks):
        assert a.end <= b.start + EPS  # sorted, no overlap
    # every speech region is entirely inside the union of the chunks
    for s, e in regions:
        covered = sorted(
            (max(s, c.start), min(e, c.end)) for c in chunks if c.end > s and c.start < e
        )
        assert covered, f"region {s:.2f}-{e:.2f} not sent"
        assert covered[0][0] <= s + EPS and covered[-1][1] >= e - EPS
        for (_, e1), (s2, _) in itertools.pairwise(covered):
            assert s2 <= e1 + EPS
    # nothing outside the speech regions is sent except pauses inside a chunk
    for c in chunks:
        assert any(s <= c.start + EPS and c.start < e for s, e in regions)
        assert any(s < c.end and c.end <= e + EPS for s, e in regions)


def test_user_chunk_range_is_one_rule_for_preferences_and_command_line() -> None:
    from app.core.chunking.segmentation import MAX_CHUNK_RANGE, user_chunk_config
    from app.core.errors import UsageError
    from app.core.preferences import CHUNK_RANGE, Preferences

    assert CHUNK_RANGE == MAX_CHUNK_RANGE
    lo, hi = MAX_CHUNK_RANGE
    assert user_chunk_config(lo).max_chunk_s == lo and user_chunk_config(hi).max_chunk_s == hi
    for bad in (lo - 0.5, hi + 1):
        with pytest.raises(UsageError):
            user_chunk_config(bad)
        with pytest.raises(UsageError):  # Preferences refuse the same values
            Preferences(max_chunk_s=bad).validate()

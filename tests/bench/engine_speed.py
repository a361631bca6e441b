"""Engine speed-ups against plain mlx-audio ``generate()`` (prints a markdown table).

    .venv/bin/python -m tests.bench.engine_speed [--scale tiny quarter] [--tiny DIR]
        [--quarter DIR] [--seconds 20] [--quarter-seconds 4] [--chunks 4]

Work counts (encoder frames, prefill tokens, LM forward passes) do not depend on the machine;
wall times do (this is the single-threaded CPU build of MLX). Speech is espeak-ng English; the
models are random (tests/support/tiny_model.py), so the CTC draft is garbage and its acceptance
says nothing about the real model: the "oracle draft" row (the greedy output itself as draft)
is the upper bound. ``generate()`` rows are timed for real; their work counts are derived from
its token counts (one encode per call, the whole prompt prefilled, one pass per token).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from app.core.transcript import Task, TaskSpec, Timing
from app.engine.loader import load_engine
from app.engine.model.batch import BatchStats
from app.engine.model.prompt import generate_kwargs
from app.engine.preview import CtcPreview
from app.engine.runner import GraniteEngine, SpeedOptions, run_batch, run_chunk
from tests.support.espeak import synthesize
from tests.support.tiny_tokenizer import CORPUS

MEETING = [TaskSpec(), TaskSpec(Task.TRANSLATE, None, "fr"), TaskSpec(Task.TRANSLATE, None, "de")]


@dataclass
class Row:
    name: str
    frames: int
    prefill: int
    passes: int
    wall: float
    exact: str = ""


def speech(seconds: float) -> np.ndarray:
    """At least ``seconds`` of espeak English, trimmed to ``seconds``."""
    parts: list[np.ndarray] = []
    total = 0
    for text in CORPUS[:3] * 20:
        audio = synthesize(text).audio
        parts += [audio, np.zeros(3200, np.float32)]
        total += audio.shape[0] + 3200
        if total >= seconds * 16000:
            break
    return np.concatenate(parts)[: int(seconds * 16000)].copy()


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """(result, CPU seconds of this process): wall time on a shared machine mostly measures
    the other processes."""
    started = time.process_time()
    result = fn()
    return result, time.process_time() - started


def total(outputs: list[Any]) -> Timing:
    timing = Timing()
    for out in outputs:
        timing = timing + out.timing
    return timing


def row(name: str, outputs: list[Any], wall: float, reference: list[list[int]] | None) -> Row:
    t = total(outputs)
    exact = ""
    if reference is not None:
        exact = "yes" if [o.tokens for o in outputs] == reference else "NO"
    return Row(name, t.encoder_frames, t.prefill_tokens, t.forward_passes, wall, exact)


def generate_rows(engine: GraniteEngine, chunks: list[np.ndarray], specs: list[TaskSpec]) -> Row:
    frames = prefill = passes = 0
    started = time.process_time()
    for audio in chunks:
        for spec in specs:
            result = engine.model.generate(
                audio, max_tokens=engine.max_tokens, **generate_kwargs(spec)
            )
            frames += int(engine.features(audio)[0].shape[1])
            prefill += int(result.prompt_tokens)
            passes += 1 + int(result.generation_tokens)
    name = f"mlx-audio generate() x{len(specs)}" + (
        f" per chunk, {len(chunks)} chunks" if len(chunks) > 1 else ""
    )
    return Row(name, frames, prefill, passes, time.process_time() - started, "ref")


def meeting(engine: GraniteEngine, audio: np.ndarray) -> list[Row]:
    rows = [generate_rows(engine, [audio], MEETING)]
    plain, wall = timed(lambda: run_chunk(engine, audio, MEETING, options=None))
    reference = [o.tokens for o in plain]
    rows.append(row("1. run(), plain path: prefix=off, speculative=off", plain, wall, reference))
    steps = [
        ("2. prefix=on, speculative=off", SpeedOptions(speculative=False)),
        ("3. DEFAULT: prefix=on, speculative=on (CTC draft, transcript)", SpeedOptions()),
    ]
    for name, options in steps:
        outputs, wall = timed(partial(run_chunk, engine, audio, MEETING, options=options))
        rows.append(row(name, outputs, wall, reference))
    oracle, wall = timed(lambda: run_chunk(engine, audio, MEETING, draft=reference[0]))
    rows.append(row("   speculative, oracle draft (upper bound)", oracle, wall, reference))
    single = [TaskSpec()]
    plain, wall = timed(lambda: run_chunk(engine, audio, single, options=None))
    reference = [o.tokens for o in plain]
    rows.append(row("1 task: plain path", plain, wall, reference))
    outputs, wall = timed(lambda: run_chunk(engine, audio, single))
    rows.append(row("1 task: DEFAULT (prefix unused, speculative=on)", outputs, wall, reference))
    return rows


def batched(
    engine: GraniteEngine,
    chunks: list[np.ndarray],
    specs: list[TaskSpec],
    label: str,
    with_generate: bool = True,
) -> list[Row]:
    rows = [generate_rows(engine, chunks, specs)] if with_generate else []
    singles, wall = timed(lambda: [run_chunk(engine, c, specs) for c in chunks])
    reference = [o.tokens for outs in singles for o in outs]
    rows.append(
        row(
            f"run() per chunk, DEFAULT options ({label})",
            [o for outs in singles for o in outs],
            wall,
            reference,
        )
    )
    stats = BatchStats()
    result, wall = timed(
        lambda: run_batch(engine, chunks, specs, batch_size=len(chunks), stats=stats)
    )
    flat = [o for outs in result for o in outs]
    rows.append(row(f"4. run_batch, B={len(chunks)} ({label})", flat, wall, reference))
    return rows


def preview_row(engine: GraniteEngine, audio: np.ndarray) -> Row:
    preview = CtcPreview(engine)
    for start in range(0, audio.shape[0], 8000):
        preview.feed(audio[start : start + 8000])
    per_s = preview.compute_s / preview.audio_s
    name = (
        f"5. CtcPreview, 0.5 s updates: {per_s:.3f} s compute and "
        f"{preview.encoded_s / preview.audio_s:.1f} s encoded per audio second"
    )
    return Row(name, int(preview.encoded_s * 50), 0, 0, preview.compute_s, "preview")


HEADER = [
    "| step | encoder frames | prefill tokens | LM forward passes | CPU s | same tokens |",
    "|---|---:|---:|---:|---:|:---:|",
]


def line(r: Row) -> str:
    return f"| {r.name} | {r.frames} | {r.prefill} | {r.passes} | {r.wall:.2f} | {r.exact} |"


def emit(rows: list[Row]) -> list[Row]:
    for r in rows:
        print(line(r), flush=True)
    return rows


def bench(
    model_dir: Path, scale: str, seconds: float, n_chunks: int, with_generate: bool = True
) -> str:
    engine = load_engine(str(model_dir))
    audio = speech(seconds)
    engine.run(audio[:16000], [TaskSpec()])  # warm up
    chunk_s = max(1.0, seconds / n_chunks)
    long = speech(chunk_s * n_chunks)
    step = int(chunk_s * 16000)
    # uneven lengths (60 % and 100 % of a slot) so the batch has padding
    chunks = [
        long[i * step : i * step + int(step * (0.6 + 0.4 * (i % 2)))] for i in range(n_chunks)
    ]
    lengths = ", ".join(f"{c.shape[0] / 16000:.1f}" for c in chunks)
    title = (
        f"{scale} model: {seconds:.0f} s chunk (transcript + fr + de); "
        f"{n_chunks} chunks of {lengths} s"
    )
    print(f"**{title}**\n", *HEADER, sep="\n", flush=True)
    rows = emit(meeting(engine, audio))
    rows += emit(batched(engine, chunks, [TaskSpec()], "transcript", with_generate))
    rows += emit(batched(engine, chunks, MEETING, "transcript + 2 translations", with_generate))
    rows += emit([preview_row(engine, audio)])
    return "\n".join([f"**{title}**", "", *HEADER, *map(line, rows)])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--scale", nargs="+", choices=("tiny", "quarter"), default=["tiny", "quarter"]
    )
    parser.add_argument("--tiny", type=Path, help="an already built tiny 8-bit model")
    parser.add_argument("--quarter", type=Path, help="an already built quarter 8-bit model")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--quarter-seconds", type=float, default=4.0)
    parser.add_argument("--chunks", type=int, default=4)
    parser.add_argument(
        "--quarter-generate-batch",
        action="store_true",
        help="also time generate() per chunk on the quarter model (slow: ~1 s per prompt token)",
    )
    args = parser.parse_args(argv)
    from tests.support.tiny_model import build

    with tempfile.TemporaryDirectory(prefix="engine-speed-") as tmp:
        for scale in args.scale:
            model_dir = getattr(args, scale) or build(Path(tmp) / scale, scale=scale)
            seconds = args.seconds if scale == "tiny" else args.quarter_seconds
            with_generate = scale == "tiny" or args.quarter_generate_batch
            bench(model_dir, scale, seconds, args.chunks, with_generate)
            print()


if __name__ == "__main__":
    main()

"""File transcription: the app's path vs bare mlx-audio, peak memory, decode + VAD speed.

    .venv/bin/python -m tests.bench.transcribe_bench [--minutes 10] [--fake-minutes 5 60]
                                                      [--tiny-minutes 5 15] [--skip-memory]
                                                      [--rounds 3] [--pipeline-only] [--profile]

With the tiny random model (``tests.support.tiny_model``, built once into build/bench-models/)
on espeak-ng speech with pauses (a ~1 minute pattern of sentences tiled to length, as FLAC):

1. decode + VAD throughput in × real time (``decode_file`` and ``split_audio``);
2. the app's engine path, one row per option (plain, speculative, batched, partial callbacks
   on or off; ``GraniteEngine.run`` per chunk as dictation calls it, ``run_batch`` as files do)
   vs ``model.generate()`` of mlx-audio on the same chunks, same thread, after a warm-up
   (ratios of CPU time, target ≤ 1.05); then the whole pipeline through the ``EngineThread``
   (decode, VAD, planning, model thread, callbacks) vs ``generate()`` over the same chunks,
   rounds interleaved, best of ``--rounds``, wall and CPU ratios (target ≤ 1.10), with the load
   average before and after;
3. peak RSS of ``python -m app transcribe`` equivalents in child processes for short vs long
   files, with the fake engine (pipeline memory only) and with the tiny model; the samples
   themselves are 16 kHz float32 = 3.84 MB per minute (target: flat apart from those).

``--profile`` also runs cProfile over the threaded pipeline (all threads) and prints its top
entries by own time. Time to the first segment of 1/10/60-minute files, streaming vs the
whole file first: ``tests.bench.first_text``.

Prints figures; asserts nothing. Random weights: text is garbage, token counts may differ
between the two paths (so tokens are printed too).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
MODELS_DIR = ROOT / "build" / "bench-models"
RATE = 16_000
SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "Granite speech runs entirely on the device.",
    "Long recordings are split at the pauses between sentences.",
    "Every chunk is sent to the model once for every task.",
    "Subtitles need start and end times for every cue.",
    "The meeting will continue after a short break.",
    "Please send the report before Friday afternoon.",
    "This sentence closes the pattern that repeats.",
]


def ensure_model(scale: str = "tiny") -> Path:
    out = MODELS_DIR / scale
    if not (out / "config.json").exists():
        from tests.support.tiny_model import build

        print(f"building the {scale} model into {out} …", flush=True)
        build(out, scale=scale)
    return out


def speech_pattern() -> np.ndarray:
    from tests.support import espeak

    parts: list[Any] = [0.6]
    for i, sentence in enumerate(SENTENCES):
        parts += [espeak.synthesize(sentence), 0.5 if i % 3 else 1.4]
    return espeak.compose(parts).audio


def speech_file(folder: Path, minutes: float, pattern: np.ndarray) -> Path:
    from tests.support.media import write_audio

    path = folder / f"speech-{minutes:g}min.flac"
    if not path.exists():
        n = round(minutes * 60 * RATE)
        audio = np.tile(pattern, n // len(pattern) + 1)[:n]
        write_audio(path, audio, RATE)
    return path


def peak_rss_mb() -> float:
    """This process's peak RSS. Linux: VmHWM of the current address space (``ru_maxrss``
    would include the parent's peak from before ``exec``); elsewhere ``ru_maxrss``."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


# --- 1 + 2: speed ------------------------------------------------------------------------------


def speed(
    model_dir: Path,
    path: Path,
    minutes: float,
    rounds: int = 3,
    profile: bool = False,
    pipeline_only: bool = False,
) -> None:
    from app.audio.files.decode import decode_file
    from app.audio.vad import split_audio
    from app.core.chunking.segmentation import SegmentationConfig
    from app.engine.loader import load_engine

    cfg = SegmentationConfig()
    t0 = time.perf_counter()
    audio = decode_file(path)
    t1 = time.perf_counter()
    chunks = split_audio(audio, cfg)
    t2 = time.perf_counter()
    dur = len(audio) / RATE
    print(
        f"\n[decode + VAD] {minutes:g} min FLAC: decode {dur / (t1 - t0):.0f}x real time, "
        f"VAD {dur / (t2 - t1):.0f}x, together {dur / (t2 - t0):.0f}x "
        f"({len(chunks)} chunks, {sum(c.duration for c in chunks) / dur:.0%} speech)"
    )

    engine = load_engine(str(model_dir))
    model = engine.model
    pieces = [np.ascontiguousarray(audio[c.samples(RATE)]) for c in chunks]
    if not pipeline_only:
        engine_rows(engine, model, pieces, rounds)
    pipeline_rows(model_dir, path, cfg, engine, pieces, dur, rounds, profile)


def quarter(pattern: np.ndarray, seconds: float, rounds: int) -> None:
    """Plain path vs default options on the quarter-size model (a few short chunks)."""
    from app.audio.vad import split_audio
    from app.core.chunking.segmentation import SegmentationConfig
    from app.engine.loader import load_engine

    engine = load_engine(str(ensure_model("quarter")))
    audio = np.ascontiguousarray(pattern[: int(seconds * RATE)])
    pieces = [
        np.ascontiguousarray(audio[c.samples(RATE)])
        for c in split_audio(audio, SegmentationConfig())
    ]
    print(f"\n[quarter model] {seconds:g} s of speech")
    engine_rows(engine, engine.model, pieces, rounds, short=True)


def _variants(short: bool = False) -> list[tuple[str, Any, bool, int]]:
    """(label, SpeedOptions or None = the plain path, partial callbacks, batch size or 0).
    ``short`` (the quarter model): the plain path, the default, speculation without backoff."""
    from app.engine.runner import DEFAULT_SPEED, SpeedOptions

    plain = ("run(), plain path, no partial callbacks", None, False, 0)
    default = (
        "run(), DEFAULT: prefix=on, speculative=on with draft backoff (CTC drafts all "
        "rejected: paused after 2 chunks, 1 probe in 8), partials",
        DEFAULT_SPEED,
        True,
        0,
    )
    no_backoff = (
        "run(), prefix=on, speculative=on, draft backoff OFF (every chunk computes its CTC "
        "draft; all rejected), partials",
        SpeedOptions(draft_backoff=False),
        True,
        0,
    )
    if short:
        return [plain, default, no_backoff]
    return [
        plain,
        ("run(), plain path, partial callbacks", None, True, 0),
        (
            "run(), prefix=on (unused: 1 task), speculative=off, partials",
            SpeedOptions(speculative=False),
            True,
            0,
        ),
        default,
        no_backoff,
        (
            "run_batch B=4 (window's file default), default options, partials",
            DEFAULT_SPEED,
            True,
            4,
        ),
        ("run_batch B=8 (transcribe's default), default options, partials", DEFAULT_SPEED, True, 8),
    ]


Measure = tuple[float, float, int]  # CPU s, wall s, tokens


def _timed(fn: Any, *args: Any) -> Measure:
    cpu, wall = time.process_time(), time.perf_counter()
    tokens = int(fn(*args))
    return time.process_time() - cpu, time.perf_counter() - wall, tokens


def engine_rows(
    engine: Any, model: Any, pieces: list[np.ndarray], rounds: int = 3, short: bool = False
) -> float:
    """One row per engine option on the same chunks vs ``generate()``.

    CPU time of this process is the measure (wall time on a shared machine mostly measures the
    other processes). Within a round, ``generate()`` and every ``run()`` option take turns on
    each chunk, so load that comes and goes hits them alike; the batch rows run after them, on
    all chunks. Printed: the best round's figures, and the median over the rounds of each
    round's ratio to that round's ``generate()``. Each round starts a fresh draft backoff (as
    a newly loaded engine would have).
    """
    from app.core.transcript import TaskSpec
    from app.engine.base import CancelToken
    from app.engine.model.speculative import DraftBackoff
    from app.engine.runner import DEFAULT_SPEED

    spec = TaskSpec()
    engine.run(pieces[0], [spec])  # warm-up both paths
    model.generate(pieces[0], max_tokens=4096, temperature=0.0)

    def generate(piece: np.ndarray) -> int:
        res = model.generate(piece, max_tokens=4096, temperature=0.0)
        return int(getattr(res, "generation_tokens", 0) or 0)

    def run(options: Any, partials: bool, piece: np.ndarray) -> int:
        engine.speed = options
        on_partial = (lambda *a: None) if partials else None
        [out] = engine.run(piece, [spec], on_partial=on_partial, cancel=CancelToken())
        return int(out.timing.generated_tokens)

    def run_batch(options: Any, batch: int) -> int:
        engine.speed = options
        outs = engine.run_batch(pieces, [spec], batch_size=batch, on_partial=lambda *a: None)
        return sum(o[0].timing.generated_tokens for o in outs)

    variants = _variants(short)
    per_chunk = [(None, False)] + [(o, p) for _label, o, p, b in variants if not b]
    labels = ["mlx-audio generate()"] + [label for label, *_, b in variants if not b]
    labels += [label for label, *_, b in variants if b]
    runs: list[list[Measure]] = [[] for _ in labels]
    for _ in range(rounds):
        engine.draft_backoff = DraftBackoff()
        totals = [np.zeros(3) for _ in per_chunk]  # CPU s, wall s, tokens
        for piece in pieces:
            for i, (options, partials) in enumerate(per_chunk):
                if i == 0:
                    totals[i] += _timed(generate, piece)
                else:
                    totals[i] += _timed(run, options, partials, piece)
        for i, total in enumerate(totals):
            runs[i].append((float(total[0]), float(total[1]), int(total[2])))
        for j, (_label, options, _partials, batch) in enumerate(v for v in variants if v[3]):
            runs[len(per_chunk) + j].append(_timed(run_batch, options, batch))
    engine.speed = DEFAULT_SPEED
    direct = runs[0]
    direct_s = min(direct)[0]
    print(
        f"[engine] {len(pieces)} chunks, transcript only; {rounds} rounds, generate() and the "
        f"run() rows interleaved per chunk; load average {os.getloadavg()[0]:.1f} at the end"
    )
    print(
        "| path | CPU s (best) | wall s | tokens | CPU ms per token | x generate() (best) "
        "| x generate() (median of rounds) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, result in zip(labels, runs, strict=True):
        best_cpu, wall, tok = min(result)
        ratios = sorted(r[0] / d[0] for r, d in zip(result, direct, strict=True))
        print(
            f"| {label} | {best_cpu:.2f} | {wall:.2f} | {tok} | {best_cpu / max(tok, 1) * 1e3:.1f} "
            f"| {best_cpu / direct_s:.3f} | {ratios[len(ratios) // 2]:.3f} |"
        )
    return direct_s


class PipelineRun:
    """An ``EngineThread`` with the tiny model loaded once; ``run`` submits the file and waits
    for it: (wall s, CPU s of the whole process, i.e. decode thread + model thread + callbacks)."""

    def __init__(self, model_dir: Path) -> None:
        from app.workers.engine_factory import default_engine_factory
        from app.workers.engine_thread import EngineThread

        self.done = threading.Event()
        self.split: dict[str, float] = {}
        self.steps: list[float] = []  # chunks done after each step (job_progress)
        ready = threading.Event()
        done = self.done

        class Listener:
            def model_state(self, state: Any, message: str) -> None:
                if str(getattr(state, "value", state)) != "loading":
                    ready.set()

            def download_progress(self, *a: Any) -> None: ...
            def job_partial(self, *a: Any) -> None: ...
            def job_segment(self, *a: Any) -> None: ...

            def job_progress(self, job_id: int, done_n: float, total: float) -> None:
                steps.append(done_n)

            def job_finished(self, *a: Any) -> None:
                done.set()

            def job_failed(self, job_id: int, message: str) -> None:
                print("failed:", message)
                done.set()

        steps = self.steps = []
        self.thread = EngineThread(default_engine_factory, Listener())
        self.thread.start()
        self.thread.load_model(str(model_dir))
        ready.wait()

    def run(self, path: Path, cfg: Any) -> tuple[float, float]:
        from app.core.transcript import TaskSpec

        self.done.clear()
        self.steps.clear()
        threads = thread_cpu()
        cpu, wall = time.process_time(), time.perf_counter()
        self.thread.submit_file(str(path), [TaskSpec()], cfg)
        self.done.wait()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        after = thread_cpu()
        self.split = {name: after[name] - threads.get(name, 0.0) for name in after}
        return wall, cpu

    def step_sizes(self) -> dict[int, int]:
        """How many model steps took 1, 2, ... chunks in the last run."""
        done = sorted(set(self.steps))
        sizes = [int(b - a) for a, b in zip([0.0, *done], done, strict=False) if b > a]
        return {n: sizes.count(n) for n in sorted(set(sizes))}

    def profile(self, path: Path, cfg: Any) -> None:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        self.run(path, cfg)
        profiler.disable()
        print("[cProfile, the threaded pipeline, all threads, by own time]")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(12)


def thread_cpu() -> dict[str, float]:
    """CPU seconds so far of the model thread and the decode thread (Linux; {} elsewhere)."""
    out = {}
    for t in threading.enumerate():
        if t.name in ("granite-model", "granite-decode") and t.ident is not None:
            with contextlib.suppress(AttributeError, OSError):
                out[t.name] = time.clock_gettime(time.pthread_getcpuclockid(t.ident))
    return out


def load_text() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def pipeline_rows(
    model_dir: Path,
    path: Path,
    cfg: Any,
    engine: Any,
    pieces: list[np.ndarray],
    dur: float,
    rounds: int,
    profile: bool = False,
) -> None:
    """The whole threaded pipeline (decode, VAD, planning, model thread with the app's file
    defaults, callbacks) vs mlx-audio ``generate()`` over the same chunks, rounds interleaved
    (generate, run_batch, pipeline, generate, ...), best of ``rounds`` of each, wall and CPU.
    ``run_batch`` with the window's ``FILE_BATCH`` on this thread is the pipeline's model work
    alone: the pipeline minus that row is what decoding, VAD and the thread hops cost."""
    from app.core.transcript import TaskSpec
    from app.workers.files.pipeline import FILE_BATCH

    model = engine.model
    runner = PipelineRun(model_dir)
    runner.run(path, cfg)  # warm-up: the VAD library, the file cache, MLX kernels
    model.generate(pieces[0], max_tokens=4096, temperature=0.0)
    load_before = load_text()
    direct: list[tuple[float, float]] = []
    batched: list[tuple[float, float]] = []
    whole: list[tuple[float, float]] = []
    splits: list[dict[str, float]] = []
    for _ in range(rounds):
        cpu, wall = time.process_time(), time.perf_counter()
        for piece in pieces:
            model.generate(piece, max_tokens=4096, temperature=0.0)
        direct.append((time.perf_counter() - wall, time.process_time() - cpu))
        cpu, wall = time.process_time(), time.perf_counter()
        engine.run_batch(pieces, [TaskSpec()], batch_size=FILE_BATCH, on_partial=lambda *a: None)
        batched.append((time.perf_counter() - wall, time.process_time() - cpu))
        whole.append(runner.run(path, cfg))
        splits.append(runner.split)
    if profile:
        runner.profile(path, cfg)
    runner.thread.shutdown()
    gen_wall, gen_cpu = min(w for w, _ in direct), min(c for _, c in direct)
    pipe_wall, pipe_cpu = min(w for w, _ in whole), min(c for _, c in whole)
    batch_wall, batch_cpu = min(w for w, _ in batched), min(c for _, c in batched)
    print(
        f"[pipeline] {dur:.0f} s of audio, {len(pieces)} chunks, best of {rounds} interleaved "
        f"rounds; {load_before} before, {load_text()} after"
    )
    print("| path | wall s | CPU s | x generate() wall | x generate() CPU |")
    print("|---|---:|---:|---:|---:|")
    print(f"| mlx-audio generate() over the chunks | {gen_wall:.2f} | {gen_cpu:.2f} | 1 | 1 |")
    print(
        f"| run_batch B={FILE_BATCH} over the chunks, this thread (the model work alone) | "
        f"{batch_wall:.2f} | {batch_cpu:.2f} | {batch_wall / gen_wall:.3f} | "
        f"{batch_cpu / gen_cpu:.3f} |"
    )
    print(
        f"| EngineThread: decode + VAD + plan + model + callbacks | {pipe_wall:.2f} | "
        f"{pipe_cpu:.2f} | {pipe_wall / gen_wall:.3f} | {pipe_cpu / gen_cpu:.3f} |"
    )
    print(
        "  every round (wall/CPU s): generate "
        + " ".join(f"{w:.2f}/{c:.2f}" for w, c in direct)
        + "; run_batch "
        + " ".join(f"{w:.2f}/{c:.2f}" for w, c in batched)
        + "; pipeline "
        + " ".join(f"{w:.2f}/{c:.2f}" for w, c in whole)
        + f"; pipeline {dur / pipe_wall:.1f}x real time"
    )
    best = splits[whole.index(min(whole, key=lambda r: r[1]))]
    if best:
        print(
            "  CPU s of the pipeline's least-CPU round by thread: "
            + ", ".join(f"{name} {sec:.2f}" for name, sec in sorted(best.items()))
            + f", everything else (MLX's stream thread, callbacks) "
            f"{min(c for _, c in whole) - sum(best.values()):.2f}"
        )
    print(f"  model steps of the last pipeline run (chunks: steps): {runner.step_sizes()}")


# --- 3: memory -------------------------------------------------------------------------------


def child_rss(path: Path, model: str, fake: bool, out_dir: Path) -> dict[str, Any]:
    env = {**os.environ, "GRANITE_DICTATE_HOME": str(out_dir / "home")}
    env.pop("GRANITE_DICTATE_ENGINE_FACTORY", None)
    if fake:
        env["GRANITE_DICTATE_ENGINE_FACTORY"] = "tests.support.fake_engine:factory"
    code = (
        "import json, os, resource, sys, time\n"
        "from app.cli import main\n"
        "t = time.perf_counter()\n"
        f"rc = main(['transcribe', {str(path)!r}, '--model', {model!r}, '--format', 'srt,json',"
        f" '--output-dir', {str(out_dir)!r}], hard_exit=False)\n"
        "from tests.bench.transcribe_bench import peak_rss_mb\n"
        "print(json.dumps({'rc': rc, 'wall': time.perf_counter() - t,"
        " 'maxrss_mb': peak_rss_mb()}), flush=True)\n"
        "os._exit(0)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    try:
        return dict(json.loads(proc.stdout.strip().splitlines()[-1]))
    except (ValueError, IndexError):
        return {"rc": proc.returncode, "error": proc.stderr[-500:]}


def memory(
    model_dir: Path,
    folder: Path,
    pattern: np.ndarray,
    fake_minutes: list[float],
    tiny_minutes: list[float],
) -> None:
    print("\n[memory] peak RSS of one transcribe run in a child process")
    for minutes in {*fake_minutes, *tiny_minutes}:  # made before any child starts
        speech_file(folder, minutes, pattern)
    for label, fake, minutes_list in (
        ("fake engine", True, fake_minutes),
        ("tiny model", False, tiny_minutes),
    ):
        rows = []
        for minutes in minutes_list:
            path = speech_file(folder, minutes, pattern)
            res = child_rss(path, "test/fake" if fake else str(model_dir), fake, folder / "out")
            samples = minutes * 60 * RATE * 4 / 2**20
            if "maxrss_mb" in res:
                rows.append((minutes, res["maxrss_mb"], samples))
                print(
                    f"  {label:11s} {minutes:4g} min: peak RSS {res['maxrss_mb']:7.0f} MB "
                    f"(samples {samples:5.0f} MB, RSS - samples {res['maxrss_mb'] - samples:6.0f}"
                    f" MB), wall {res['wall']:.0f} s, rc {res['rc']}"
                )
            else:
                print(f"  {label} {minutes:g} min: failed: {res}")
        if len(rows) == 2:
            (m1, r1, s1), (m2, r2, s2) = rows
            print(
                f"  {label}: growth {r2 - r1:+.0f} MB for {m2 - m1:g} more minutes, of which "
                f"samples {s2 - s1:.0f} MB -> other growth {(r2 - r1) - (s2 - s1):+.0f} MB"
            )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--fake-minutes", type=float, nargs=2, default=[5.0, 60.0])
    ap.add_argument("--tiny-minutes", type=float, nargs=2, default=[5.0, 15.0])
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument("--profile", action="store_true", help="cProfile the threaded pipeline")
    ap.add_argument("--rounds", type=int, default=3, help="best of N interleaved rounds")
    ap.add_argument(
        "--pipeline-only", action="store_true", help="skip the engine rows (speed part)"
    )
    ap.add_argument(
        "--quarter-seconds",
        type=float,
        default=0.0,
        help="also time plain vs default on the quarter model over this much speech (slow)",
    )
    args = ap.parse_args()
    model_dir = ensure_model()
    pattern = speech_pattern()
    print(f"speech pattern {len(pattern) / RATE:.1f} s, tiled; model {model_dir}")
    with tempfile.TemporaryDirectory(prefix="transcribe-bench-") as tmp:
        folder = Path(tmp)
        if not args.skip_memory:  # children first: the parent's RSS does not matter to them
            memory(model_dir, folder, pattern, args.fake_minutes, args.tiny_minutes)
        if not args.skip_speed:
            path = speech_file(folder, args.minutes, pattern)
            speed(model_dir, path, args.minutes, args.rounds, args.profile, args.pipeline_only)
        if args.quarter_seconds:
            quarter(pattern, args.quarter_seconds, args.rounds)
    sys.stdout.flush()
    os._exit(0)  # skip interpreter finalization after MLX ran on worker threads


if __name__ == "__main__":
    main()

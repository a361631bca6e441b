"""The API server and remote engines: throughput by --parallel, and the server's overhead.

    .venv/bin/python -m tests.bench.serve_bench [--minutes 2] [--chunks 12]

With the tiny random model (built once into build/bench-models/) on espeak-ng speech:

1. ``python -m app serve`` runs in a child process on 127.0.0.1 (any free port);
   ``python -m app transcribe FILE --engine URL --parallel N`` for N = 1, 2, 4, and the same
   file transcribed locally (``--model``): audio seconds per wall second, as the command line
   reports it (from the first chunk to the last, model load and start-up excluded);
2. the server's overhead per request: the file's first ``--chunks`` planned chunks, each sent
   as one request (float32 WAV, ``chunking_strategy=none``) vs ``engine.run`` on the same
   chunk in this process (the same default engine, after a warm-up), alternating; ratio of the
   sums (target ≤ 1.10).

Prints figures; asserts nothing. Every request goes to 127.0.0.1 and the loops are bounded.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np

from tests.bench.transcribe_bench import ROOT, ensure_model, speech_file, speech_pattern

RATE = 16_000


def _env(home: Path) -> dict[str, str]:
    env = {**os.environ, "GRANITE_DICTATE_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    env.pop("GRANITE_DICTATE_ENGINE_FACTORY", None)
    return env


def start_server(model: Path, home: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--model", str(model), "--port", "0",
         "--max-queue", "16"],
        cwd=ROOT, env=_env(home), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        if m := re.search(r"at (http://127\.0\.0\.1:\d+/v1)", line):
            return proc, m.group(1)
    proc.kill()
    raise RuntimeError("the server did not start")


def transcribe_speed(args: list[str], home: Path, out: Path) -> float:
    """× real time as the command line reports it for one file."""
    proc = subprocess.run(
        [sys.executable, "-m", "app", "transcribe", *args, "--format", "json",
         "--output-dir", str(out)],
        cwd=ROOT, env=_env(home), capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    m = re.search(r"\(([\d.]+)x real time\)", proc.stderr)
    if proc.returncode != 0 or m is None:
        raise RuntimeError(proc.stderr)
    return float(m.group(1))


def overhead(model: Path, url: str, path: Path, n_chunks: int) -> tuple[float, float, int]:
    """(direct seconds, server seconds, chunks) over the file's first ``n_chunks`` chunks."""
    from app.audio.files.decode import decode_file
    from app.audio.vad import split_audio
    from app.core.chunking.segmentation import SegmentationConfig
    from app.core.transcript import Task, TaskSpec
    from app.engine.loader import load_engine
    from app.remote.wav import float_wav

    audio = decode_file(path)
    chunks = split_audio(audio, SegmentationConfig())[:n_chunks]
    pieces = [np.ascontiguousarray(audio[c.samples(RATE)]) for c in chunks]
    engine = load_engine(str(model))
    spec = [TaskSpec(Task.TRANSCRIBE)]
    fields = {"model": "tiny", "response_format": "json", "chunking_strategy": "none"}
    direct = served = 0.0
    with httpx.Client(timeout=600) as http:
        engine.run(pieces[0], spec)  # warm-up, both sides
        http.post(f"{url}/audio/transcriptions", data=fields,
                  files={"file": ("c.wav", float_wav(pieces[0]), "audio/wav")})  # fmt: skip
        for piece in pieces:
            t0 = time.perf_counter()
            engine.run(piece, spec)
            direct += time.perf_counter() - t0
            wav = float_wav(piece)
            t0 = time.perf_counter()
            reply = http.post(
                f"{url}/audio/transcriptions",
                data=fields,
                files={"file": ("c.wav", wav, "audio/wav")},
            )
            served += time.perf_counter() - t0
            reply.raise_for_status()
    return direct, served, len(pieces)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=2.0)
    ap.add_argument("--chunks", type=int, default=12)
    ap.add_argument("--parallel", type=int, nargs="+", default=[1, 2, 4])
    args = ap.parse_args()
    model = ensure_model()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = speech_file(folder, args.minutes, speech_pattern())
        home = folder / "home"
        server, url = start_server(model, home)
        try:
            print(f"{args.minutes:g} min of speech, tiny model, server at {url}", flush=True)
            local = transcribe_speed([str(path), "--model", str(model)], home, folder / "local")
            print(f"| local (--model) | {local:.2f} |", flush=True)
            for n in args.parallel:
                speed = transcribe_speed(
                    [str(path), "--engine", url, "--parallel", str(n)], home, folder / f"p{n}"
                )
                print(f"| --engine, --parallel {n} | {speed:.2f} |", flush=True)
            direct, served, count = overhead(model, url, path, args.chunks)
            print(
                f"overhead: {count} chunks, engine.run {direct:.2f} s, through the server "
                f"{served:.2f} s, ratio {served / direct:.3f} "
                f"({(served - direct) / count * 1000:.0f} ms per request)",
                flush=True,
            )
        finally:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    main()

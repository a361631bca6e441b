"""Time to the first segment of a file, streaming pipeline vs whole-file preparation.

    .venv/bin/python -m tests.bench.first_text [--minutes 1 10 60]

For each length, an espeak FLAC (the ``transcribe_bench`` pattern tiled) goes through an
``EngineThread`` with the tiny model already loaded and warm: seconds from ``submit_file`` to
the first ``job_segment``, with the app's streaming pipeline (decode, VAD and planning overlap
the model) and with the whole file decoded and voice-detected first (the pipeline before:
forced by wrapping the decoder, which selects the whole-file path). The job is cancelled after
its first segment. Prints figures and the 1-minute load average after each row; asserts
nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any


class _Listener:
    def __init__(self) -> None:
        self.ready = threading.Event()
        self.first = threading.Event()
        self.first_at = 0.0
        self.error = ""

    def model_state(self, state: Any, message: str) -> None:
        value = str(getattr(state, "value", state))
        if value in ("ready", "error", "missing"):
            self.error = "" if value == "ready" else message
            self.ready.set()

    def download_progress(self, *a: Any) -> None: ...
    def job_progress(self, *a: Any) -> None: ...
    def job_partial(self, *a: Any) -> None: ...

    def job_segment(self, *a: Any) -> None:
        if not self.first.is_set():
            self.first_at = time.perf_counter()
            self.first.set()

    def job_finished(self, *a: Any) -> None:
        self.first.set()

    def job_failed(self, job_id: int, message: str) -> None:
        self.error = message
        self.first.set()


def first_segment(model_dir: Path, path: Path, streaming: bool) -> float:
    from app.core.chunking.segmentation import SegmentationConfig
    from app.core.transcript import TaskSpec
    from app.workers.engine_factory import default_engine_factory
    from app.workers.engine_thread import EngineThread
    from app.workers.files.pipeline import default_decoder

    def whole_file_decoder(p: str, cancel: Any) -> Any:
        return default_decoder(p, cancel)

    listener = _Listener()
    kw = {} if streaming else {"decoder": whole_file_decoder}
    thread = EngineThread(default_engine_factory, listener, **kw)  # type: ignore[arg-type]
    thread.start()
    try:
        thread.load_model(str(model_dir))
        listener.ready.wait()
        if listener.error:
            raise SystemExit(listener.error)
        warm = thread.submit_audio(_warm_audio(), 0.0, [TaskSpec()])
        listener.first.wait()
        listener.first.clear()
        thread.cancel(warm)
        start = time.perf_counter()
        job = thread.submit_file(str(path), [TaskSpec()], SegmentationConfig())
        listener.first.wait()
        if listener.error:
            raise SystemExit(listener.error)
        thread.cancel(job)
        return listener.first_at - start
    finally:
        thread.shutdown(10)


def _warm_audio() -> Any:
    from tests.support import espeak

    return espeak.synthesize("Warming up the model.").audio


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="time to the first segment of a file")
    ap.add_argument("--minutes", type=float, nargs="+", default=[1.0, 10.0, 60.0])
    args = ap.parse_args(argv)
    from tests.bench.transcribe_bench import ensure_model, speech_file, speech_pattern

    model_dir = ensure_model()
    pattern = speech_pattern()
    print("tiny model; seconds from submit_file to the first segment")
    print(f"{'file':>8} {'streaming':>10} {'whole file first (before)':>26} {'load average':>13}")
    with tempfile.TemporaryDirectory(prefix="first-text-") as tmp:
        for minutes in args.minutes:
            path = speech_file(Path(tmp), minutes, pattern)
            streamed = first_segment(model_dir, path, streaming=True)
            whole = first_segment(model_dir, path, streaming=False)
            load = os.getloadavg()[0]
            print(f"{minutes:6g} m {streamed:10.2f} {whole:26.2f} {load:13.2f}", flush=True)
    sys.stdout.flush()
    os._exit(0)  # skip interpreter finalization after MLX ran on worker threads


if __name__ == "__main__":
    main()

"""Dictation latency: end of speech → final text, live vs offline, with a breakdown.

    python -m tests.bench.latency_bench [--models tiny,quarter] [--runs 3] [--pause 0.8]

For each model (random weights: ``tiny`` and ``quarter`` from ``tests.support.tiny_model``,
built once into build/bench-models/), an espeak phrase is played IN REAL TIME through the
fake microphone into a ``DictationSession``; its utterance goes to an ``EngineThread``
running the app's loader/engine. Measured per run:

* VAD hangover — from the audible end of the last word to the utterance being emitted
  (the pause the endpointer waits for, plus frame/block granularity);
* queueing — from submit to the model thread starting the job (engine wall − engine timing);
* encoder / prefill / decode — the engine's own Timing;
* UI — delivering the finished result to the GUI thread and committing it into a
  TranscriptPane (queued signal + join + commit), measured separately with Qt offscreen;
* end of speech → final text — the sum seen live;
* offline — ``engine.run`` on the same utterance audio on one thread (no VAD, no queue).

Both paths are warmed up with one call first (a running app has its model loaded and used).

Prints a table; asserts nothing. This is the plain endpointer's path (the run starts when the
pause completes); per-mode figures with eager endpointing, push-to-talk and the live preview's
cost are printed by ``tests.bench.latency_modes``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
MODELS_DIR = ROOT / "build" / "bench-models"
PHRASE = "please send the quarterly report to the whole team before friday"


@dataclass
class Run:
    hangover: float = 0.0
    queue: float = 0.0
    encode: float = 0.0
    prefill: float = 0.0
    decode: float = 0.0
    tokens: int = 0
    total: float = 0.0
    offline: float = 0.0


@dataclass
class _Probe:
    """EngineListener + DictationListener recording wall-clock times."""

    utts: list[Any] = field(default_factory=list)
    emitted_at: list[float] = field(default_factory=list)
    submitted: dict[int, float] = field(default_factory=dict)
    finished: dict[int, tuple[float, Any]] = field(default_factory=dict)
    ready: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    ended: threading.Event = field(default_factory=threading.Event)
    engine: Any = None
    error: str = ""

    def model_state(self, state: str, message: str) -> None:
        if state == "ready":
            self.ready.set()
        elif state in ("error", "missing"):
            self.error = message
            self.ready.set()

    def download_progress(self, done: int, total: int) -> None: ...
    def job_progress(self, job_id: int, done: float, total: float) -> None: ...
    def job_partial(self, job_id: int, task_index: int, text: str, chunk: Any) -> None: ...
    def job_segment(self, job_id: int, task_index: int, segment: Any) -> None: ...

    def job_finished(self, job_id: int, results: list[Any]) -> None:
        self.finished[job_id] = (time.perf_counter(), results)
        self.done.set()

    def job_failed(self, job_id: int, message: str) -> None:
        self.error = message
        self.done.set()

    def utterance(self, utt: Any) -> None:
        self.emitted_at.append(time.perf_counter())
        self.utts.append(utt)
        self.submitted[self.engine.submit_audio(utt.audio, utt.start, [_spec()])] = (
            time.perf_counter()
        )

    def capture_event(self, event: Any) -> None: ...

    def stopped(self, summary: Any) -> None:
        self.ended.set()


def _spec() -> Any:
    from app.core.transcript import TaskSpec

    return TaskSpec()


def ensure_model(scale: str) -> Path:
    out = MODELS_DIR / scale
    if not (out / "config.json").exists():
        from tests.support.tiny_model import build

        print(f"building the {scale} model into {out} …", flush=True)
        build(out, scale=scale)
    return out


def live_run(model: Path, speech: Any, pause: float) -> tuple[Run, np.ndarray]:
    from app.audio.session import DictationConfig, DictationSession
    from app.core.dictation.endpointing import EndpointConfig
    from app.workers.engine_factory import default_engine_factory
    from app.workers.engine_thread import EngineThread
    from tests.support.fake_stream import FakeBackend, FakeDevice

    probe = _Probe()
    engine = EngineThread(default_engine_factory, probe)
    probe.engine = engine
    engine.start()
    engine.load_model(str(model))
    probe.ready.wait()
    if probe.error:
        raise SystemExit(f"model failed: {probe.error}")
    # warm up like a running app: the first call pays one-off graph/kernel set-up costs
    warm = engine.submit_audio(speech.audio[: 16000 * 2], 0.0, [_spec()])
    probe.done.wait(600)
    probe.done.clear()
    probe.finished.pop(warm, None)
    backend = FakeBackend(FakeDevice("bench", speech.audio), speed=1.0)
    cfg = DictationConfig(
        journal_dir=Path(os.environ.get("TMPDIR", "/tmp")) / "gd-bench-journal",
        endpoint=EndpointConfig(pause_s=pause, tail_s=min(0.4, pause)),
        max_seconds=speech.duration,
    )
    session = DictationSession(probe, cfg, backend=backend)
    session.start()
    probe.done.wait(600)
    session.stop(tail=False)
    session.wait(10)
    engine.shutdown(5)
    if probe.error or not probe.finished:
        raise SystemExit(f"no result: {probe.error}")
    stream = backend.streams[0]
    speech_end = stream.started_at + speech.words[-1].end
    job, submitted = next(iter(probe.submitted.items()))
    finished, results = probe.finished[job]
    timing = results[0].timing
    engine_wall = finished - submitted
    return Run(
        hangover=probe.emitted_at[0] - speech_end,
        queue=max(0.0, engine_wall - timing.total_s),
        encode=timing.encode_s,
        prefill=timing.prefill_s,
        decode=timing.decode_s,
        tokens=timing.generated_tokens,
        total=finished - speech_end,
    ), probe.utts[0].audio


def offline_time(model: Path, audio: np.ndarray) -> float:
    from app.engine.loader import load_engine

    engine = load_engine(str(model))
    engine.run(audio[:16000], [_spec()])  # warm-up
    t = time.perf_counter()
    engine.run(audio, [_spec()])
    return time.perf_counter() - t


def ui_cost(n: int = 200) -> float:
    """Median seconds from a model-thread ``job_finished`` to the text committed in a pane."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QObject, Signal, Slot
    from PySide6.QtWidgets import QApplication

    from app.core.text.text_join import join_piece
    from app.core.transcript import Segment
    from app.ui.editor.transcript_pane import TranscriptPane

    app = QApplication.instance() or QApplication(sys.argv[:1])
    pane = TranscriptPane()
    costs: list[float] = []

    class Sink(QObject):
        got = Signal(float, str)

        @Slot(float, str)
        def on_got(self, sent: float, text: str) -> None:
            before = pane.document.toPlainText()
            handle = pane.begin_partial("bench")
            pane.commit(handle, Segment(0, 1, join_piece(before, text)))
            costs.append(time.perf_counter() - sent)

    sink = Sink()
    sink.got.connect(sink.on_got)

    def worker() -> None:
        for i in range(n):
            sink.got.emit(time.perf_counter(), f"utterance number {i} with some words")
            time.sleep(0.002)

    t = threading.Thread(target=worker)
    t.start()
    while t.is_alive() or len(costs) < n:
        app.processEvents()
    t.join()
    return statistics.median(costs)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="dictation latency")
    parser.add_argument("--models", default="tiny,quarter")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pause", type=float, default=0.8)
    args = parser.parse_args(argv)
    from tests.support.espeak import compose, synthesize

    speech = compose([0.6, synthesize(PHRASE), 2.0])
    print(
        f"utterance: {speech.words[-1].end - speech.words[0].start:.2f} s of speech, "
        f"pause {args.pause:.2f} s; {args.runs} run(s) per model"
    )
    ui = ui_cost()
    header = (
        f"{'model':8} {'hangover':>9} {'queue':>7} {'encoder':>8} {'prefill':>8} "
        f"{'decode':>8} {'tokens':>6} {'UI':>6} {'speech→text':>12} {'offline':>8}"
    )
    print(header)
    for name in args.models.split(","):
        model = ensure_model(name.strip())
        runs = []
        audio = np.zeros(0, np.float32)
        for _ in range(args.runs):
            run, audio = live_run(model, speech, args.pause)
            runs.append(run)
        offline = offline_time(model, audio)
        med = {k: statistics.median(getattr(r, k) for r in runs) for k in vars(runs[0])}
        print(
            f"{name:8} {med['hangover']:9.3f} {med['queue']:7.3f} {med['encode']:8.3f} "
            f"{med['prefill']:8.3f} {med['decode']:8.3f} {med['tokens']:6.0f} {ui:6.4f} "
            f"{med['total'] + ui:12.3f} {offline:8.3f}",
            flush=True,
        )
    print("seconds, medians; speech→text = hangover + queue + encoder + prefill + decode + UI")


if __name__ == "__main__":
    main()

"""Eager dictation through the window's own path: where the time goes between threads.

    python -m tests.bench.latency_gui [--model tiny] [--dictation gentle|harsh] [--runs 1]
        [--preview]

``latency_modes`` submits from the session's consumer thread. Here the utterances take the
app's path instead: session (consumer thread) → relay signal → ``DictationController`` on the
GUI thread (Qt offscreen, a real ``TranscriptPane``) → ``EngineBridge`` → model thread →
bridge signal → controller → pane. Per kept utterance it prints, in seconds:

* hop: the consumer's eager (or final) utterance → its submit on the GUI thread;
* queue: submit → the model thread starting the run;
* model: the run;
* deliver: the run's end → its text in the pane (the bridge's queued signal, handled);
* over: end of speech → text shown, minus the VAD's hangover, the tail and the model time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.bench.latency_modes import DICTATIONS, TAIL_S, TimedEngine, _ptr, dictation


@dataclass
class Tap:
    """Wraps the controller's relay (the session's listener): times each utterance handed on."""

    inner: Any
    at: dict[int, tuple[float, float]] = field(default_factory=dict)  # ptr -> (time, utt end)
    keep: list[Any] = field(default_factory=list)  # the utterances: no audio address reused

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def eager(self, utt: Any) -> None:
        self.at[_ptr(utt.audio)] = (time.perf_counter(), utt.end)
        self.keep.append(utt)
        self.inner.eager(utt)

    def utterance(self, utt: Any) -> None:
        self.at.setdefault(_ptr(utt.audio), (time.perf_counter(), utt.end))
        self.keep.append(utt)
        self.inner.utterance(utt)


def run_once(model: Path, speech: Any, pause: float, preview: bool) -> list[tuple[float, ...]]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from app.audio.session import DictationConfig, DictationSession
    from app.core.dictation.endpointing import endpoint_config
    from app.core.transcript import TaskSpec
    from app.ui.dictation.dictation_controller import DictationController
    from app.ui.editor.transcript_pane import TranscriptPane
    from app.workers.engine_factory import default_engine_factory
    from app.workers.qt_engine import EngineBridge
    from tests.support.fake_stream import FakeBackend, FakeDevice

    app = QApplication.instance() or QApplication(sys.argv[:1])
    timed: list[TimedEngine] = []

    def factory(spec: str, progress: Any, cancel: Any) -> Any:
        timed.append(TimedEngine(default_engine_factory(spec, progress, cancel)))
        return timed[-1]

    submitted: dict[int, tuple[int, float]] = {}  # job -> (audio ptr, GUI time)
    shown: dict[int, float] = {}

    class Bridge(EngineBridge):
        def submit_audio(self, audio: Any, offset: float, specs: Any, source: str = "") -> int:
            job = super().submit_audio(audio, offset, specs, source)
            submitted[job] = (_ptr(audio), time.perf_counter())
            return job

    bridge = Bridge(factory)
    loop = QEventLoop()

    def wait(done: Any) -> None:
        timer = QTimer()

        def check() -> None:
            if done():
                loop.quit()

        timer.timeout.connect(check)
        timer.start(20)
        loop.exec()
        timer.stop()

    bridge.load_model(str(model))
    wait(lambda: bool(timed))
    warm = bridge.submit_audio(speech.audio[: 16000 * 2], 0.0, [TaskSpec()])
    bridge.jobFinished.connect(lambda job, _r: shown.__setitem__(job, time.perf_counter()))
    wait(lambda: warm in shown)
    timed[0].runs.clear()
    backend = FakeBackend(FakeDevice("bench", speech.audio), speed=1.0)
    cfg = DictationConfig(
        journal_dir=Path(os.environ.get("TMPDIR", "/tmp")) / "gd-bench-journal",
        endpoint=endpoint_config(pause),
        max_seconds=speech.duration,
        preview=preview,
    )
    taps: list[Tap] = []

    def session(listener: Any) -> DictationSession:
        taps.append(Tap(listener))
        return DictationSession(taps[-1], cfg, backend=backend)

    pane = TranscriptPane()
    ctl = DictationController(
        bridge, lambda: [TaskSpec()], lambda _s: [pane], session_factory=session, preview=preview
    )
    ends: list[float] = []  # utterance ends, committed
    ctl.utteranceCommitted.connect(lambda seg: ends.append(seg.end))
    ctl.start()
    wait(lambda: not ctl.recording and not ctl.pending_jobs)
    t0 = backend.streams[0].started_at
    runs = {r.ptr: r for r in timed[0].runs if not r.cancelled}
    out: list[tuple[float, ...]] = []
    for job, (ptr, sent) in sorted(submitted.items()):
        run = runs.get(ptr)
        if run is None or job not in shown or ptr not in taps[0].at:
            continue  # the warm-up, or a dropped eager run
        heard, end = taps[0].at[ptr]
        if not any(abs(e - end) < 0.01 for e in ends):
            continue  # not committed
        word = max(w.end for w in speech.words if w.end <= end + 0.05)
        total = shown[job] - (t0 + word)
        hangover = end - TAIL_S - word
        out.append(
            (
                sent - heard,
                run.t0 - sent,
                run.t1 - run.t0,
                shown[job] - run.t1,
                total - hangover - TAIL_S - (run.t1 - run.t0),
            )
        )
    bridge.shutdown(5)
    del app
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="dictation latency through the window's path")
    parser.add_argument("--model", default="tiny")
    parser.add_argument("--pause", type=float, default=0.8)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--dictation", choices=sorted(DICTATIONS), default="gentle")
    parser.add_argument("--preview", action="store_true", help="with the live preview")
    args = parser.parse_args(argv)
    from tests.bench.latency_bench import ensure_model

    model = ensure_model(args.model)
    speech = dictation(DICTATIONS[args.dictation])
    rows = [r for _ in range(args.runs) for r in run_once(model, speech, args.pause, args.preview)]
    print(
        f"{args.model} model, {args.dictation} dictation, eager"
        f"{' + live preview' if args.preview else ''}, window path; load average "
        f"{os.getloadavg()[0]:.1f}; {len(rows)} utterances, seconds"
    )
    names = ("hop (consumer → GUI submit)", "queue", "model", "deliver (→ pane)", "over")
    for i, name in enumerate(names):
        values = [r[i] for r in rows]
        print(f"  {name:28} median {statistics.median(values):7.4f}  max {max(values):7.4f}")
    sys.stdout.flush()
    os._exit(0)  # skip interpreter finalization after MLX ran on worker threads


if __name__ == "__main__":
    main()

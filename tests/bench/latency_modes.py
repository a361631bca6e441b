"""Dictation latency per mode, with eager endpointing (part of ``latency_bench``).

    python -m tests.bench.latency_modes [--model tiny] [--pause 0.8] [--runs 3] [--verbose]
        [--modes toggle,ptt|plain,nobudget,eager,preview,clean,mid]
        [--dictation gentle|harsh|short]

An espeak dictation with natural pauses is played IN REAL TIME through the fake microphone
into a ``DictationSession``; a listener does what the window's controller does (eager runs
submitted at once, cancelled when speech resumes, confirmed by the pause; live preview fed to
the model thread) on an ``EngineThread`` with the app's loader and the tiny random model. The
engine is wrapped to time every model call. Per mode it prints medians over utterances:

* end of speech → text shown (the run whose text is kept has finished);
* over: shown minus the VAD's hangover (last word → its last speech frame), the tail and the
  model time, i.e. what the app adds (thread hops, queue, a waste-budget wait);
* end of speech → text committed (that run finished and the pause, or the release, confirmed it);
* model: that run's own compute time;
* wasted: model time of eager runs that speech resumed after, over all model time;
* preview: live-preview compute per second of audio (0 when off).

``--verbose`` also prints every model run and, per kept run, where the time went: the wait
past the tail (the waste budget), how far the consumer thread was behind the audio it had
processed, the model thread's queue, the run, and the delivery of its result.

Modes: toggle (0.8 s pause) eager with and without the live preview, toggle with the plain
endpointer (the run starts when the pause completes: the figure before eager endpointing),
toggle eager without the waste budget (every eager run at the tail: the figure before it),
push-to-talk with the key released 0.6 s after the last word (clean) and in the middle of it.
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

#: Five utterances; one hesitation (0.6 s: past the tail, short of the pause) splits the first
#: sentence, the other mid-sentence pause is short (0.3 s), sentences end with 1.2–2 s.
SENTENCES = [
    ("please send the quarterly report", 0.6),
    ("to the whole team before friday", 1.6),
    ("the meeting moves to thursday", 0.3),
    ("at three in the afternoon", 1.2),
    ("the slides are in the shared folder", 1.5),
    ("tell me if anything is missing", 1.4),
    ("thank you all", 2.0),
]
#: A harsher speaker: five utterances, two of them split by a hesitation just past the tail
#: (0.5 and 0.55 s of silence: the eager run starts, then speech resumes).
HARSH = [
    ("please send the quarterly report", 0.5),
    ("to the whole team before friday", 1.5),
    ("the meeting moves to thursday", 1.4),
    ("the slides are", 0.55),
    ("in the shared folder", 1.6),
    ("tell me if anything is missing", 1.4),
    ("thank you all", 2.0),
]
#: One utterance with one hesitation: short enough for the quarter model's toggle rows.
SHORT = [("please send the quarterly report", 0.55), ("to the whole team", 2.0)]
TAIL_S = 0.4  # endpoint_config's tail at the pauses used here
DICTATIONS = {"gentle": SENTENCES, "harsh": HARSH, "short": SHORT}


@dataclass
class _Run:
    t0: float
    t1: float
    ptr: int
    cancelled: bool
    stages: tuple[float, ...] = ()  # the engine's encode, prefill, decode seconds


class TimedEngine:
    """Wraps the real engine; records every ``run`` (wall time, audio identity, cancelled)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.runs: list[_Run] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def run(self, audio: Any, specs: Any, **kw: Any) -> Any:
        from app.core.errors import CancelledError

        t0 = time.perf_counter()
        try:
            out = self._inner.run(audio, specs, **kw)
        except CancelledError:
            self.runs.append(_Run(t0, time.perf_counter(), _ptr(audio), True))
            raise
        t = out[0].timing if out else None
        stages = (t.encode_s, t.prefill_s, t.decode_s) if t is not None else ()
        self.runs.append(_Run(t0, time.perf_counter(), _ptr(audio), False, stages))
        return out


def _ptr(audio: Any) -> int:
    return int(audio.__array_interface__["data"][0])


@dataclass
class _Job:
    utt: Any
    eager: bool
    submitted: float = 0.0  # wall time of the submit (consumer thread)
    heard: float = 0.0  # audio seconds the consumer had processed at the submit
    finished: float | None = None
    confirmed: float | None = None
    retracted: bool = False


@dataclass
class Probe:
    """DictationListener (+ eager, + preview) and EngineListener, recording wall times."""

    eager_on: bool
    preview_on: bool
    engine: Any = None
    jobs: dict[int, _Job] = field(default_factory=dict)
    current: tuple[int, int] | None = None  # (utterance index, eager job)
    final: dict[int, int] = field(default_factory=dict)  # utterance index -> job kept
    stream: int = 0
    ready: threading.Event = field(default_factory=threading.Event)
    ended: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    error: str = ""
    session: Any = None

    # engine side (model thread)
    def model_state(self, state: Any, message: str) -> None:
        if str(getattr(state, "value", state)) in ("ready", "error", "missing"):
            self.error = "" if str(getattr(state, "value", state)) == "ready" else message
            self.ready.set()

    def download_progress(self, *a: Any) -> None: ...
    def job_progress(self, *a: Any) -> None: ...
    def job_partial(self, *a: Any) -> None: ...
    def job_segment(self, *a: Any) -> None: ...

    def job_finished(self, job_id: int, results: Any) -> None:
        with self.lock:
            if job_id in self.jobs:
                self.jobs[job_id].finished = time.perf_counter()

    def job_failed(self, job_id: int, message: str) -> None:
        self.error = message

    # session side (consumer thread)
    def utterance(self, utt: Any) -> None:
        now = time.perf_counter()
        with self.lock:
            cur, self.current = self.current, None
        if cur is not None and cur[0] == utt.index and utt.confirms_eager:
            self.jobs[cur[1]].confirmed = now
            self.final[utt.index] = cur[1]
            return
        job = self._submit(utt, eager=False)
        self.jobs[job].confirmed = now
        self.final[utt.index] = job

    def eager(self, utt: Any) -> None:
        if not self.eager_on:
            return
        self.current = (utt.index, self._submit(utt, eager=True))

    def eager_retracted(self, index: int) -> None:
        with self.lock:
            cur, self.current = self.current, None
        if cur is not None:
            self.jobs[cur[1]].retracted = True
            self.engine.cancel(cur[1])

    def _submit(self, utt: Any, eager: bool) -> int:
        from app.core.transcript import TaskSpec

        with self.lock:
            now = time.perf_counter()
            heard = self.session.seconds if self.session is not None else 0.0
            job = int(self.engine.submit_audio(utt.audio, utt.start, [TaskSpec()]))
            self.jobs[job] = _Job(utt, eager, now, heard)
        return job

    def capture_event(self, event: Any) -> None: ...

    def stopped(self, summary: Any) -> None:
        self.ended.set()


class _PreviewProbe(Probe):
    def preview(self, samples: Any, start: bool) -> None:
        if start:
            self.stream += 1
        self.engine.submit_preview(self.stream, samples, start)

    def preview_end(self) -> None:
        self.engine.end_preview(self.stream)


class _Listener:
    """Routes the engine thread's ``preview(stream, text)`` away from the session's."""

    def __init__(self, probe: Probe) -> None:
        self._p = probe

    def __getattr__(self, name: str) -> Any:
        if name == "preview":
            return lambda *_a: None
        return getattr(self._p, name)


def dictation(sentences: list[tuple[str, float]] | None = None) -> Any:
    from tests.support.espeak import compose, synthesize

    parts: list[Any] = [0.6]
    for text, pause in sentences or SENTENCES:
        parts += [synthesize(text), pause]
    return compose(parts)


def run_mode(
    model: Path,
    speech: Any,
    pause: float,
    *,
    eager: bool,
    preview: bool,
    release: str = "",
    budget: bool = True,
) -> dict[str, Any]:
    """One live session. ``release``: "" (toggle: the session runs to the end), "clean" or
    "mid" (push-to-talk: stop 0.6 s after the last word, or in its middle). ``budget=False``:
    every eager run starts at the tail (no waste budget: the behaviour before it)."""
    from dataclasses import replace

    from app.audio.session import DictationConfig, DictationSession
    from app.core.dictation.eager_budget import BudgetConfig
    from app.core.dictation.endpointing import endpoint_config
    from app.workers.engine_factory import default_engine_factory
    from app.workers.engine_thread import EngineThread
    from tests.support.fake_stream import FakeBackend, FakeDevice

    timed: list[TimedEngine] = []

    def factory(spec: str, progress: Any, cancel: Any) -> Any:
        timed.append(TimedEngine(default_engine_factory(spec, progress, cancel)))
        return timed[-1]

    probe = (_PreviewProbe if preview else Probe)(eager_on=eager, preview_on=preview)
    engine = EngineThread(factory, _Listener(probe))
    probe.engine = engine
    engine.start()
    engine.load_model(str(model))
    probe.ready.wait()
    if probe.error:
        raise SystemExit(f"model failed: {probe.error}")
    # warm up like a running app: the first call pays one-off graph/kernel set-up costs
    warm = engine.submit_audio(speech.audio[: 16000 * 2], 0.0, [_spec()])
    probe.jobs[warm] = _Job(None, False)
    while probe.jobs[warm].finished is None and not probe.error:
        time.sleep(0.05)
    del probe.jobs[warm]
    timed[0].runs.clear()
    backend = FakeBackend(FakeDevice("bench", speech.audio), speed=1.0)
    cfg = DictationConfig(
        journal_dir=Path(os.environ.get("TMPDIR", "/tmp")) / "gd-bench-journal",
        endpoint=replace(endpoint_config(pause), eager_budget=BudgetConfig(budget=1.0))
        if not budget
        else endpoint_config(pause),
        max_seconds=speech.duration,
        preview=preview,
    )
    session = DictationSession(probe, cfg, backend=backend)
    probe.session = session
    session.start()
    stream = _wait_stream(backend)
    last = speech.words[-1]
    released = None
    if release:
        at = last.end + 0.6 if release == "clean" else (last.start + last.end) / 2
        time.sleep(max(0.0, stream.started_at + at - time.perf_counter()))
        released = time.perf_counter()
        session.stop(tail=True)
    session.wait(120)
    deadline = time.perf_counter() + 300
    while time.perf_counter() < deadline and any(
        j.finished is None and not j.retracted for j in probe.jobs.values()
    ):
        time.sleep(0.05)
    cost = engine.preview_cost
    engine.shutdown(5)
    return _measure(probe, timed[0], speech, stream.started_at, released, cost)


def _wait_stream(backend: Any) -> Any:
    while not backend.streams or not backend.streams[0].started_at:
        time.sleep(0.005)
    return backend.streams[0]


def _spec() -> Any:
    from app.core.transcript import TaskSpec

    return TaskSpec()


def _measure(
    probe: Probe,
    timed: TimedEngine,
    speech: Any,
    t0: float,
    released: float | None,
    cost: tuple[float, float, int],
) -> dict[str, Any]:
    runs = {r.ptr: r for r in timed.runs}
    shown, committed, model = [], [], []
    parts: list[tuple[float, ...]] = []  # per kept run: see the verbose line in main()
    over: list[float] = []  # shown minus (VAD hangover + tail + model): the app's own share
    for _index, job_id in sorted(probe.final.items()):
        job = probe.jobs[job_id]
        if job.finished is None or job.confirmed is None:
            continue
        words = [w for w in speech.words if w.end <= job.utt.end + 0.05]
        end = t0 + max(w.end for w in words)
        shown.append(job.finished - end)
        committed.append(max(job.finished, job.confirmed) - end)
        run = runs.get(_ptr(job.utt.audio))
        model.append(run.t1 - run.t0 if run else float("nan"))
        if run is not None:
            hangover = job.utt.end - TAIL_S - (end - t0)  # last word → the VAD's last speech
            over.append(shown[-1] - hangover - TAIL_S - (run.t1 - run.t0))
            wait = job.heard - job.utt.end  # audio past the tail before the submit
            lag = job.submitted - (t0 + job.heard)  # consumer behind the audio it processed
            parts.append(
                tuple(
                    round(x, 3)
                    for x in (
                        hangover,
                        wait,
                        lag,
                        run.t0 - job.submitted,
                        run.t1 - run.t0,
                        job.finished - run.t1,
                    )
                )
            )
    total = sum(r.t1 - r.t0 for r in timed.runs)
    retracted = {_ptr(j.utt.audio) for j in probe.jobs.values() if j.retracted}
    wasted = sum(r.t1 - r.t0 for r in timed.runs if r.ptr in retracted)
    out: dict[str, Any] = {
        "shown": shown,
        "committed": committed,
        "model": model,
        "wasted_s": wasted,
        "total_s": total,
        "utterances": len(committed),
        "runs": len(timed.runs),
        "detail": [
            (
                round(r.t1 - r.t0, 3),
                r.cancelled,
                r.ptr in retracted,
                [round(x, 3) for x in r.stages],
            )
            for r in timed.runs
        ],
        "parts": parts,
        "over": over,
        "preview_audio_s": cost[0],
        "preview_s": cost[1],
    }
    if released is not None and committed:
        job = probe.jobs[probe.final[max(probe.final)]]
        if job.finished is not None and job.confirmed is not None:
            out["release"] = [max(job.finished, job.confirmed) - released]
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="dictation latency per mode")
    parser.add_argument("--model", default="tiny")
    parser.add_argument("--pause", type=float, default=0.8)
    parser.add_argument("--runs", type=int, default=3, help="sessions per mode")
    parser.add_argument(
        "--modes",
        default="toggle,ptt",
        help="groups (toggle, ptt) or single modes (plain, nobudget, eager, preview, clean, mid)",
    )
    parser.add_argument("--dictation", choices=sorted(DICTATIONS), default="gentle")
    parser.add_argument("--verbose", action="store_true", help="every model run")
    args = parser.parse_args(argv)
    from tests.bench.latency_bench import ensure_model

    model = ensure_model(args.model)
    speech = dictation(DICTATIONS[args.dictation])
    phrase = dictation([("please send the quarterly report to the whole team", 2.0)])
    print(
        f"{args.model} model, {args.dictation} dictation, pause {args.pause:.2f} s, tail 0.40 s;"
        f" seconds, medians; load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'mode':34} {'shown':>6} {'over':>6} {'commit':>7} {'model':>6} {'wasted':>7} "
        f"{'preview':>8} {'release→commit':>15} {'utts/runs':>9}"
    )
    modes: list[tuple[str, str, dict[str, Any]]] = [
        ("plain", "toggle, plain endpointer (before)", dict(eager=False, preview=False)),
        (
            "nobudget",
            "toggle, eager, no budget (before)",
            dict(eager=True, preview=False, budget=False),
        ),
        ("eager", "toggle, eager", dict(eager=True, preview=False)),
        ("preview", "toggle, eager + live preview", dict(eager=True, preview=True)),
        ("clean", "push-to-talk, clean release", dict(eager=True, preview=False, release="clean")),
        ("mid", "push-to-talk, release mid-word", dict(eager=True, preview=False, release="mid")),
    ]
    wanted = set(args.modes.split(","))
    for key, name, kw in modes:
        if key not in wanted and ("ptt" if kw.get("release") else "toggle") not in wanted:
            continue
        talk = phrase if kw.get("release") else speech
        runs = [run_mode(model, talk, args.pause, **kw) for _ in range(args.runs)]
        med = {
            k: statistics.median(v) if (v := [x for r in runs for x in r.get(k, [])]) else None
            for k in ("shown", "committed", "model", "release", "over")
        }
        wasted = sum(r["wasted_s"] for r in runs) / max(sum(r["total_s"] for r in runs), 1e-9)
        preview = sum(r["preview_s"] for r in runs) / max(
            sum(r["preview_audio_s"] for r in runs), 1e-9
        )
        rel = f"{med['release']:15.3f}" if med["release"] is not None else f"{'—':>15}"
        print(
            f"{name:34} {med['shown']:6.3f} {med['over']:6.3f} {med['committed']:7.3f} "
            f"{med['model']:6.3f} "
            f"{wasted:7.1%} {preview:8.2f} {rel} "
            f"{sum(r['utterances'] for r in runs):>4}/{sum(r['runs'] for r in runs):<4}",
            flush=True,
        )
        if args.verbose:
            for r in runs:
                print("   runs (s, cancelled, retracted, stages):", r["detail"])
                print(
                    "   kept (VAD hangover, wait, consumer lag, queue, model, deliver):",
                    r["parts"],
                )
    sys.stdout.flush()
    os._exit(0)  # skip interpreter finalization after MLX ran on worker threads


if __name__ == "__main__":
    main()

"""Meeting costs: speaker detection per audio minute, the other side's utterance → its
translated line, and the echo gate.

    python -m tests.bench.meeting_bench [--models tiny,quarter] [--minutes 1] [--runs 3]
        [--split] [--parts diarization,translation,split,echo]

1. **Diarization** (random Sortformer checkpoints from ``tests.support.tiny_sortformer``,
   ``tiny`` and ``quarter``, built once into build/bench-models/): compute seconds per minute
   of espeak conversation (two voices, pauses), for a whole recording at once
   (``Diarizer.diarize``, as "Detect speakers" on a file) and fed as 5 s utterances through
   the streaming speaker cache (as a live meeting does).
2. **System utterance → translated line**: the call's phrase is played IN REAL TIME through a
   fake system source into a ``MeetingSession`` (mic silent); its utterance goes to an
   ``EngineThread`` running the tiny granite model with [transcribe, translate→fr] (one
   encoding), as ``meeting --translate-to fr`` does. Measured from the moment the last
   sample of the phrase was delivered to the translation being reported: the endpointer's
   pause + queueing + the model (random weights: decode length is capped by max tokens).
3. **Two speakers in one utterance** (``--split``): the tiny granite model with
   [transcribe, translate→fr] on a two-voice utterance, once over the whole (what one speaker
   costs) and once per speaker turn (the turns the meeting would cut, from the loudness-based
   fake speaker model): encoder frames, prefill tokens, forward passes, CPU seconds.

4. **Echo gate** (no model, ``tests/bench/echo_bench.py``, also runnable alone).

Prints tables; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
MODELS_DIR = ROOT / "build" / "bench-models"
RATE = 16_000


def ensure_sortformer(scale: str) -> Path:
    out = MODELS_DIR / f"sortformer-{scale}"
    if not (out / "config.json").exists():
        from tests.support.tiny_sortformer import build

        print(f"building the {scale} speaker model into {out} …", flush=True)
        build(out, scale=scale)
    return out


def conversation(minutes: float) -> np.ndarray:
    from tests.support.espeak import compose, synthesize

    a = synthesize("good morning everyone, let us look at the numbers for this week", "en+m3")
    b = synthesize("thanks, the release is on track and testing starts on monday", "en+f2")
    parts: list[Any] = []
    total = 0.0
    while total < minutes * 60:
        for phrase in (a, b):
            parts += [phrase, 0.7]
            total += phrase.duration + 0.7
    audio: np.ndarray = compose(parts).audio[: round(minutes * 60 * RATE)]
    return audio


def diarization(scales: list[str], minutes: float, runs: int) -> None:
    from app.engine.diarize import load_diarizer

    audio = conversation(minutes)
    seconds = len(audio) / RATE
    print(f"\nSpeaker detection, {seconds:.0f} s of two-voice speech, best of {runs}")
    print(f"{'model':10} {'whole file s/min':>17} {'5 s pieces s/min':>17}")
    for scale in scales:
        diarizer = load_diarizer(str(ensure_sortformer(scale)))
        diarizer.diarize(audio[: 5 * RATE])  # warm-up
        whole, pieces = [], []
        for _ in range(runs):
            t = time.perf_counter()
            diarizer.diarize(audio)
            whole.append(time.perf_counter() - t)
            stream = diarizer.stream()
            t = time.perf_counter()
            for i in range(0, len(audio), 5 * RATE):
                stream.feed(audio[i : i + 5 * RATE])
            pieces.append(time.perf_counter() - t)
        per_min = 60.0 / seconds
        print(f"{scale:10} {min(whole) * per_min:17.2f} {min(pieces) * per_min:17.2f}")


class _Paced:
    """A fake system source delivering ``audio`` in real time; notes when ``mark`` passed."""

    def __init__(self, audio: np.ndarray, mark: int) -> None:
        self._audio, self._mark = audio, mark
        self.pos = 0
        self.marked_at = 0.0
        self._t0 = 0.0
        self.name = "paced"
        self.overflows = 0
        from app.audio.capture import Level

        self.level = Level()
        self._stop = False

    def start(self) -> None:
        self._t0 = time.monotonic()

    def read(self, timeout: float = 0.1) -> np.ndarray | None:
        if self._stop:
            return None
        due = round((time.monotonic() - self._t0) * RATE)
        if due <= self.pos:
            time.sleep(min(timeout, 0.01))
            return np.zeros(0, np.float32)
        chunk = np.zeros(due - self.pos, np.float32)
        tail = self._audio[self.pos : due]
        chunk[: len(tail)] = tail
        self.pos = due
        if not self.marked_at and self.pos >= self._mark:
            self.marked_at = time.monotonic()
        return chunk

    def stop(self) -> None:
        self._stop = True

    def close(self) -> None:
        self._stop = True


def translated_line(runs: int) -> None:
    from app.audio.meeting.meeting import MeetingConfig, MeetingSession, MeetingSummary
    from app.core.meeting.model import MeetingUtterance
    from app.core.transcript import Task, TaskSpec
    from app.workers.engine_factory import default_engine_factory
    from app.workers.engine_thread import EngineThread
    from app.workers.listener import FinishedEvent, ModelStateEvent, QueueListener
    from tests.bench.latency_bench import ensure_model
    from tests.support.espeak import compose, synthesize
    from tests.support.fake_system_audio import ArraySource

    phrase = synthesize("could you send me the slides after the call", "en+m3")
    speech = compose([0.5, phrase, 3.0])
    end = round((0.5 + phrase.words[-1].end) * RATE)
    specs = [TaskSpec(Task.TRANSCRIBE, "en"), TaskSpec(Task.TRANSLATE, "en", "fr")]

    class Events(QueueListener):
        def utterance(self, utt: MeetingUtterance) -> None:
            self.q.put(utt)

        def capture_event(self, event: Any) -> None:
            pass

        def stopped(self, summary: MeetingSummary) -> None:
            self.q.put(summary)

    events = Events()
    engine = EngineThread(default_engine_factory, events)
    engine.start()
    engine.load_model(str(ensure_model("tiny")))
    while not isinstance(e := events.q.get(), ModelStateEvent) or not e.state.settled:
        pass
    engine.submit_audio(speech.audio[: RATE * 2], 0.0, specs)  # warm-up
    lat: list[float] = []
    for _ in range(runs):
        source = _Paced(speech.audio, end)
        mic = ArraySource(np.zeros(len(speech.audio) + RATE, np.float32), "mic", block=512)
        session = MeetingSession(events, mic, source, MeetingConfig())
        session.start()
        job, done = -1, threading.Event()
        while not done.is_set():
            event = events.q.get()
            if isinstance(event, MeetingUtterance) and event.side.value == "others":
                audio = event.utterance.audio
                job = engine.submit_audio(audio, event.start, specs, background=True)
            elif isinstance(event, FinishedEvent) and event.job_id == job:
                lat.append(time.monotonic() - source.marked_at)
                session.stop()
            elif isinstance(event, MeetingSummary):
                done.set()
    engine.shutdown()
    print("\nOther side: end of the phrase → its translated line (tiny model, en→fr)")
    print(f"median {statistics.median(lat):.2f} s, min {min(lat):.2f} s over {runs} run(s)")
    print("(includes the 0.8 s pause the endpointer waits for)")


def split_cost(runs: int) -> None:
    from app.core.meeting.turns import pieces
    from app.core.transcript import Task, TaskSpec, Timing
    from app.engine.loader import load_engine
    from tests.bench.latency_bench import ensure_model
    from tests.support.espeak import compose, synthesize
    from tests.support.fake_diarizer import FakeDiarizer

    first = synthesize("good morning everyone let us look at the numbers for this week", "en+m3")
    second = synthesize("thanks the release is on track and testing starts on monday", "en+f2")
    audio = compose([0.3, first, 0.4, second, 0.4]).audio
    parts = pieces(FakeDiarizer().diarize(audio), 0.0, len(audio) / RATE)
    engine = load_engine(str(ensure_model("tiny")))
    specs = [TaskSpec(Task.TRANSCRIBE, "en"), TaskSpec(Task.TRANSLATE, "en", "fr")]
    engine.run(audio[:RATE], specs)  # warm-up
    cases = [
        ("whole utterance, one run", [audio]),
        (
            f"{len(parts)} speaker turns, one run each",
            [audio[p.samples(0.0, RATE, len(audio))] for p in parts],
        ),
    ]
    seconds = len(audio) / RATE
    print(f"\nTwo voices in one {seconds:.1f} s utterance (tiny model, transcript + fr)", end="")
    print(f", best of {runs}")
    print(f"{'':34} {'enc frames':>10} {'prefill':>8} {'passes':>7} {'tokens':>7} {'CPU s':>7}")
    for label, chunks in cases:
        cpu, timing = [], Timing()
        for _ in range(runs):
            timing = Timing()
            t = time.process_time()
            for chunk in chunks:
                for out in engine.run(chunk, specs):
                    timing = timing + out.timing
            cpu.append(time.process_time() - t)
        print(
            f"{label:34} {timing.encoder_frames:10} {timing.prefill_tokens:8} "
            f"{timing.forward_passes:7} {timing.generated_tokens:7} {min(cpu):7.2f}"
        )
    print("(random weights: how many tokens each run decodes is arbitrary; with real weights")
    print(" the tokens follow the words said, the same words either way)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="tiny,quarter")
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--split", action="store_true", help="only the two-speaker split")
    parser.add_argument("--parts", default="diarization,translation,split,echo")
    args = parser.parse_args()
    parts = ["split"] if args.split else args.parts.split(",")
    if "diarization" in parts:
        diarization(args.models.split(","), args.minutes, args.runs)
    if "translation" in parts:
        translated_line(args.runs)
    if "split" in parts:
        split_cost(args.runs)
    if "echo" in parts:
        from tests.bench.echo_bench import echo_gate

        echo_gate(args.minutes)


if __name__ == "__main__":
    main()

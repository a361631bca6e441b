"""``--speakers`` for commands that transcribe files: after a file is transcribed, its audio
goes through the speaker model on the model thread and each segment gets its speaker
("Speaker N"); a segment where the speaker changes is transcribed again per speaker turn and
becomes one segment per turn (``SpeakerDetector.split_file_work``). Without the speaker model
the transcript stays as it is, with one line said once (the same fallback as the meeting
command)."""

from __future__ import annotations

import argparse
import queue
from pathlib import Path
from typing import Any

from app.audio.files.decode import decode_file
from app.cli.common import say
from app.core.errors import GraniteError
from app.core.transcript import TranscriptResult
from app.engine.diarize import DEFAULT_DIARIZER
from app.workers.engine_thread import EngineThread
from app.workers.listener import FailedEvent, FinishedEvent, QueueListener
from app.workers.speakers import SpeakerDetector


def add_speaker_options(parser: Any) -> None:
    parser.add_argument("--speakers", action="store_true", help="label who speaks each segment")
    parser.add_argument(
        "--speaker-model",
        default=DEFAULT_DIARIZER,
        metavar="SPEC",
        help="speaker model folder or Hugging Face repo (Sortformer)",
    )


class FileSpeakers:
    """Labels one file's result at a time; ``None`` from ``make`` when not asked for."""

    def __init__(
        self, thread: EngineThread, events: QueueListener, spec: str, interrupts: list[int]
    ) -> None:
        self._thread, self._events = thread, events
        self._interrupts = interrupts  # Ctrl-C count (``sigint_counter``)
        self._detector: SpeakerDetector | None = SpeakerDetector(spec)
        self._said = False

    @classmethod
    def make(
        cls,
        ns: argparse.Namespace,
        thread: EngineThread,
        events: QueueListener,
        interrupts: list[int],
    ) -> FileSpeakers | None:
        if not getattr(ns, "speakers", False):
            return None
        return cls(thread, events, ns.speaker_model, interrupts)

    def label(self, path: Path, result: TranscriptResult) -> TranscriptResult:
        if self._detector is None or not result.segments:
            return result
        try:
            audio = decode_file(path)
        except GraniteError as err:
            say(f"{path.name}: speakers not detected: {err}")
            return result
        job = self._thread.submit_work(self._detector.split_file_work(audio, [result]))
        event = self._wait(job)
        if isinstance(event, FailedEvent):
            if not self._detector.available:
                self._detector = None
                say(f"speaker detection unavailable ({event.message}); no speaker labels.")
            else:
                say(f"{path.name}: speakers not detected: {event.message}")
            return result
        result.segments = event.results[0].segments
        return result

    def _wait(self, job: int) -> FinishedEvent | FailedEvent:
        """The job's end; other events (the next files' progress and ends) are put back."""
        others: list[object] = []
        try:
            while True:
                if self._interrupts[0]:
                    raise KeyboardInterrupt
                try:
                    event = self._events.q.get(timeout=0.25)
                except queue.Empty:
                    continue
                if isinstance(event, FinishedEvent | FailedEvent) and event.job_id == job:
                    return event
                others.append(event)
        finally:
            for event in others:
                self._events.q.put(event)

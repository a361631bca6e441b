"""The meeting command's lines: the speaker model loaded before the meeting starts, one
utterance's jobs (a background transcription, and for the other side a speaker job) and the
``[start-end] Speaker: text`` lines printed once both are in."""

from __future__ import annotations

import argparse
import queue
from collections.abc import Callable
from dataclasses import dataclass

from app.cli.common import download_line, say
from app.core.meeting.model import MeetingUtterance, Side, format_line
from app.core.transcript import Segment, TaskSpec, TranscriptResult
from app.workers.engine_thread import EngineThread
from app.workers.listener import DownloadEvent, FailedEvent, FinishedEvent, QueueListener
from app.workers.speakers import SpeakerDetector

Pending = dict[int, "tuple[Line, bool]"]  # job id -> (line, is its speaker job)


def load_speakers(
    events: QueueListener,
    engine: EngineThread,
    args: argparse.Namespace,
    interrupted: Callable[[], bool],
) -> SpeakerDetector | None:
    """The speaker model, loaded (or downloaded, with progress) on the model thread; None
    with a one-line reason when it cannot be had: the lines then say You / Others."""
    detector = SpeakerDetector(
        args.speaker_model, on_progress=lambda done, total: events.q.put(DownloadEvent(done, total))
    )
    say("loading the speaker model…")
    job = engine.submit_work(detector.load_work())
    while not interrupted():
        try:
            event = events.q.get(timeout=0.2)
        except queue.Empty:
            continue
        match event:
            case DownloadEvent(done, total):
                say(download_line(done, total))
            case FinishedEvent(job_id, _) if job_id == job:
                return detector
            case FailedEvent(job_id, message) if job_id == job:
                say(f"speaker detection unavailable ({message}); lines say You / Others.")
                return None
    return None


@dataclass
class Line:
    """One utterance on its way to the screen: its texts and (for the others) its speaker."""

    utt: MeetingUtterance
    speaker: str | None
    results: list[TranscriptResult] | None = None
    failed: str = ""

    @property
    def ready(self) -> bool:
        return self.results is not None and self.speaker is not None


def submit(
    engine: EngineThread,
    utt: MeetingUtterance,
    specs: dict[Side, list[TaskSpec]],
    detector: SpeakerDetector | None,
    pending: Pending,
) -> None:
    """A background transcription job (and a speaker job for the others' side)."""
    audio = utt.utterance.audio
    line = Line(utt, utt.side.label if detector is None or utt.side is Side.YOU else None)
    job = engine.submit_audio(audio, utt.start, specs[utt.side], utt.side, background=True)
    pending[job] = (line, False)
    if line.speaker is None and detector is not None:
        pending[engine.submit_work(detector.utterance_work(audio, utt.start))] = (line, True)


def show(line: Line) -> list[Segment]:
    utt, results, who = line.utt, line.results or [], line.speaker or line.utt.side.label
    if line.failed:
        say(f"[{utt.start:.2f}-{utt.end:.2f}] {who}: {line.failed}")
        return []
    text = results[0].text if results else ""
    print(format_line(utt.start, utt.end, who, text), flush=True)
    for extra in results[1:]:
        lang = extra.spec.target_language or "?"
        print(format_line(utt.start, utt.end, f"{who} ({lang})", extra.text), flush=True)
    if not text.strip():
        return []
    return [Segment(utt.start, utt.end, text, utt.side.value, speaker=who)]

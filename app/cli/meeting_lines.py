"""The meeting command's lines: the speaker model loaded before the meeting starts, one
utterance's job (a background transcription; for the other side with a speaker model, one
step that finds the speakers and transcribes each speaker's turn) and the
``[start-end] Speaker: text`` lines printed once it is done (one per speaker turn)."""

from __future__ import annotations

import argparse
import queue
from collections.abc import Callable
from dataclasses import dataclass

from app.cli.common import download_line, say
from app.core.meeting.model import MeetingUtterance, Side, format_line, meeting_lines
from app.core.transcript import Segment, TaskSpec, TranscriptResult
from app.workers.engine_thread import EngineThread
from app.workers.listener import DownloadEvent, FailedEvent, FinishedEvent, QueueListener
from app.workers.speakers import SpeakerDetector

Pending = dict[int, "Line"]  # job id -> its utterance


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
    """One utterance on its way to the screen: its results, or why it failed."""

    utt: MeetingUtterance
    speaker: str  # who says it when its segments do not say
    results: list[TranscriptResult] | None = None
    failed: str = ""

    @property
    def ready(self) -> bool:
        return self.results is not None


def submit(
    engine: EngineThread,
    utt: MeetingUtterance,
    specs: dict[Side, list[TaskSpec]],
    detector: SpeakerDetector | None,
    pending: Pending,
) -> None:
    """A background transcription job; for the others' side with a speaker model, split
    where the speaker changes (``SpeakerDetector.split_work``)."""
    audio, side = utt.utterance.audio, utt.side
    if detector is not None and side is Side.OTHERS:
        job = engine.submit_work(detector.split_work(audio, utt.start, specs[side], side.value))
    else:
        job = engine.submit_audio(audio, utt.start, specs[side], side, background=True)
    pending[job] = Line(utt, side.label)


def show(line: Line) -> list[Segment]:
    """Print the utterance's lines (transcript, then its translation); its segments."""
    utt, results, who = line.utt, line.results or [], line.speaker
    if line.failed:
        say(f"[{utt.start:.2f}-{utt.end:.2f}] {who}: {line.failed}")
        return []
    lines = meeting_lines(utt.side, who, results)
    if not lines:  # nothing said: one empty line, as the model heard it
        print(format_line(utt.start, utt.end, who, ""), flush=True)
        return []
    for ml in lines:
        print(format_line(ml.start, ml.end, ml.speaker, ml.text), flush=True)
        if ml.target:
            label = f"{ml.speaker} ({ml.target})"
            print(format_line(ml.start, ml.end, label, ml.translation), flush=True)
    return [Segment(ml.start, ml.end, ml.text, utt.side.value, ml.speaker) for ml in lines]

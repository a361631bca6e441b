"""Meeting mode's controller (GUI thread): starts a ``MeetingSession`` on both captures, sends
each utterance to the model thread as a background step (transcript and, for the other side,
translation from one encoding) and emits finished lines in plain data.

With a speaker model (``speaker_model``: a folder, or a Hub repo already downloaded: the
window never downloads it on its own) the other side's lines say Speaker 1…4 (Sortformer's
streaming speaker cache on the model thread), and an utterance where the speaker changes is
split into one line per speaker turn (``SpeakerDetector.split_work``, one model step);
without it, or when it fails to load, "Others".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from app.audio.capture import CaptureEvent
from app.audio.meeting.meeting import MeetingConfig, MeetingSession, MeetingSummary
from app.audio.meeting.system_audio import AudioSource
from app.core.errors import GraniteError
from app.core.meeting.model import MeetingUtterance, Side, meeting_lines
from app.core.transcript import TaskSpec, TranscriptResult
from app.workers.qt_engine import Bridge
from app.workers.speakers import DiarizerLoader, SpeakerDetector

log = logging.getLogger(__name__)

#: Opens (not starts) the microphone and the system audio; raises a one-line GraniteError.
SourcesFactory = Callable[[], tuple[AudioSource, AudioSource]]


@dataclass
class _Pending:
    """An utterance waiting for its text."""

    utt: MeetingUtterance
    speaker: str  # who says it when its segments do not say


class MeetingRelay(QObject):
    """MeetingListener living on the GUI thread: its signals, emitted on the session's
    consumer thread, are queued to the controller."""

    utteranceReady = Signal(object)
    captureEvent = Signal(object)
    sessionStopped = Signal(object)

    def utterance(self, utt: MeetingUtterance) -> None:
        self.utteranceReady.emit(utt)

    def capture_event(self, event: CaptureEvent) -> None:
        self.captureEvent.emit(event)

    def stopped(self, summary: MeetingSummary) -> None:
        self.sessionStopped.emit(summary)


class MeetingController(QObject):
    lineReady = Signal(object)  # MeetingLine
    runningChanged = Signal(bool)
    message = Signal(str)  # one-line problems and notices
    finished = Signal(object)  # MeetingSummary, once the last line is in

    def __init__(
        self,
        bridge: Bridge,
        sources: SourcesFactory,
        *,
        config: MeetingConfig | None = None,
        journal_dir: Path | None = None,
        speaker_model: str | None = None,
        speaker_loader: DiarizerLoader | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._sources = sources
        self._config = config or MeetingConfig()
        self._journal_dir = journal_dir
        self._relay = MeetingRelay(self)
        self._relay.utteranceReady.connect(self._on_utterance)
        self._relay.captureEvent.connect(self._on_capture_event)
        self._relay.sessionStopped.connect(self._on_stopped)
        bridge.jobFinished.connect(self._on_finished)
        bridge.jobFailed.connect(self._on_failed)
        self._session: MeetingSession | None = None
        self._speaker_model = speaker_model
        #: How the speaker model is loaded (tests pass a fake).
        self.speaker_loader = speaker_loader
        self._detector: SpeakerDetector | None = None
        self._speaker_load: int | None = None
        self._jobs: dict[int, _Pending] = {}  # job -> its utterance
        self._specs: dict[Side, list[TaskSpec]] = {}
        self._summary: MeetingSummary | None = None

    @property
    def running(self) -> bool:
        return self._session is not None

    def start(self, spoken: TaskSpec, translate: TaskSpec | None = None) -> bool:
        """Start both captures; False (and a ``message``) when they cannot be opened."""
        if self._session is not None:
            return True
        others = [spoken] + ([translate] if translate is not None else [])
        self._specs = {Side.YOU: [spoken], Side.OTHERS: others}
        try:
            mic, system = self._sources()
            config = MeetingConfig(
                endpoint=self._config.endpoint,
                echo=self._config.echo,
                journal_dir=self._journal_dir or self._config.journal_dir,
                max_seconds=self._config.max_seconds,
            )
            session = MeetingSession(self._relay, mic, system, config)
            session.start()
        except GraniteError as err:
            self.message.emit(str(err))
            return False
        self._session, self._summary = session, None
        self._start_speakers()
        self.message.emit(f"Meeting: You = {mic.name}, Others = {system.name}")
        self.runningChanged.emit(True)
        return True

    def stop(self) -> None:
        if self._session is not None:
            self._session.stop()

    @property
    def speaker_model(self) -> str | None:
        return self._speaker_model

    def set_speaker_model(self, spec: str | None) -> None:
        """The speaker model of the next meeting (``None``: "Others" only)."""
        self._speaker_model = spec

    def _start_speakers(self) -> None:
        self._detector = self._speaker_load = None
        if self._speaker_model:
            self._detector = SpeakerDetector(
                self._speaker_model, allow_download=False, loader=self.speaker_loader
            )
            self._speaker_load = self._bridge.submit_work(self._detector.load_work())

    # --- slots (GUI thread) ------------------------------------------------------------------
    @Slot(object)
    def _on_utterance(self, utt: MeetingUtterance) -> None:
        specs = self._specs.get(utt.side)
        if not specs:
            return
        audio, side = utt.utterance.audio, utt.side
        detector = self._detector if side is Side.OTHERS else None
        if detector is not None:
            job = self._bridge.submit_work(detector.split_work(audio, utt.start, specs, side.value))
        else:
            job = self._bridge.submit_meeting_audio(audio, utt.start, specs, side)
        self._jobs[job] = _Pending(utt, side.label)

    @Slot(int, object)
    def _on_finished(self, job_id: int, results: list[TranscriptResult]) -> None:
        if job_id == self._speaker_load:
            self._speaker_load = None
            return
        line = self._jobs.pop(job_id, None)
        if line is not None:
            self._emit(line, results)

    @Slot(int, str)
    def _on_failed(self, job_id: int, message: str) -> None:
        if job_id == self._speaker_load:
            self._speaker_load, self._detector = None, None
            self.message.emit(f"Speaker detection unavailable ({message}); lines say Others.")
            return
        line = self._jobs.pop(job_id, None)
        if line is not None:
            utt = line.utt
            self.message.emit(f"[{utt.start:.1f} s] {utt.side.label}: {message}")
            self._emit(line, [])

    def _emit(self, line: _Pending, results: list[TranscriptResult]) -> None:
        """One ``lineReady`` per speaker turn with text (usually one per utterance)."""
        for meeting_line in meeting_lines(line.utt.side, line.speaker, results):
            self.lineReady.emit(meeting_line)
        self._maybe_finished()

    @Slot(object)
    def _on_capture_event(self, event: CaptureEvent) -> None:
        self.message.emit(event.message)

    @Slot(object)
    def _on_stopped(self, summary: MeetingSummary) -> None:
        self._session, self._summary = None, summary
        self.runningChanged.emit(False)
        self._maybe_finished()

    def _maybe_finished(self) -> None:
        if self._session is None and self._summary is not None and not self._jobs:
            summary, self._summary = self._summary, None
            self.finished.emit(summary)

"""The model thread's jobs, one class per kind (no Qt here). Their order is in
``app.workers.schedule``; what each kind does on the model is in ``app.workers.steps``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum, auto

from app.core.transcript import TaskSpec, TranscriptResult
from app.engine.base import Audio, CancelToken, SpeechEngine
from app.workers.files.pipeline import FileTranscription


class Prep(Enum):
    """A file job's decoding and VAD split, on the decode thread."""

    WAITING = auto()
    RUNNING = auto()
    DONE = auto()


@dataclass(eq=False)  # identity: jobs are found in lists by ``in``/``remove``
class Job:
    id: int
    token: CancelToken = field(default_factory=CancelToken, kw_only=True)


@dataclass(eq=False)
class LoadJob(Job):
    spec: str


@dataclass(eq=False)
class FileJob(Job):
    file: FileTranscription
    prep: Prep = Prep.WAITING
    prep_error: BaseException | None = None


@dataclass(eq=False)
class AudioJob(Job):
    """A live-dictation utterance."""

    audio: Audio
    offset: float
    specs: tuple[TaskSpec, ...]
    source: str = ""
    background: bool = False  # a meeting's utterance: queued like a file step


#: Model-thread work: (the loaded engine or None, cancel token) -> results to report.
ModelWork = Callable[[SpeechEngine | None, CancelToken], list[TranscriptResult]]


@dataclass(eq=False)
class WorkJob(Job):
    """One step of other model work (e.g. speaker detection), run on the model thread."""

    work: ModelWork


@dataclass(eq=False)
class PreviewJob(Job):
    """One coalesced preview update; ``id`` is the stream id. Never in ``_jobs``."""

    audio: Audio
    reset: bool = False  # a new utterance


def is_utterance(job: Job | None) -> bool:
    """A dictation utterance (first in line), not a meeting's background one."""
    return isinstance(job, AudioJob) and not job.background


def steppable(job: FileJob) -> bool:
    """Prepared, or streaming with a chunk ready for the model."""
    return job.prep is Prep.DONE or job.file.ready


def cancel_check(token: CancelToken) -> Callable[[], bool]:
    return lambda: token.cancelled
